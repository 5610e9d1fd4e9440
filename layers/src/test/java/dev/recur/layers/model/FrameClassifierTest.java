package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.layers.Pooling;
import dev.recur.layers.rnn.CellType;
import org.junit.jupiter.api.Test;

/**
 * {@link SequenceClassifier} over dense frames ({@link ModelConfig#FRAME_INPUT}): the same model as
 * the embedding one when the frames are the embedded tokens, its gradient against finite
 * differences, and clear errors for a batch of the wrong kind.
 */
class FrameClassifierTest {
    static final int T = SequenceModelTest.T, B = SequenceModelTest.B;

    /** The token batch's embedding rows written as frames (padded steps left as garbage: never read). */
    static Batch asFrames(Batch tokens, SequenceClassifier embedded) {
        int e = embedded.config().embedDim();
        Batch f = Batch.ofFrames(T, B, e).reset(tokens.steps(), tokens.size());
        System.arraycopy(tokens.lengths(), 0, f.lengths(), 0, tokens.size());
        System.arraycopy(tokens.labels(), 0, f.labels(), 0, tokens.size());
        java.util.Arrays.fill(f.frames(), 7f);
        for (int t = 0; t < tokens.steps(); t++) {
            for (int b = 0; b < tokens.size(); b++) {
                if (t >= tokens.lengths()[b]) continue;
                int id = tokens.token(t, b);
                for (int k = 0; k < e; k++) f.frames()[(t * tokens.size() + b) * e + k] = embedded.embedding().weight().value().get(id, k);
            }
        }
        return f;
    }

    @Test
    void framesOfTheEmbeddedTokensGiveTheEmbeddingModelsLossAndGradients() {
        for (CellType cell : new CellType[] {CellType.LSTM, CellType.GRU}) {
            ModelConfig tok = SequenceModelTest.config(cell).withLayers(2).withBidirectional(true).withPool(Pooling.MEAN).withOutputs(3);
            ModelConfig fr = new ModelConfig(cell, ModelConfig.FRAME_INPUT, tok.embedDim(), tok.hidden(), 2, true, Pooling.MEAN, 0f, 0f,
                    3, -1, false, false);
            Batch b = SequenceModelTest.batch(5);
            for (int s = 0; s < B; s++) b.labels()[s] = s % 3;
            try (SequenceClassifier a = new SequenceClassifier(tok, 9, T, B); SequenceClassifier m = new SequenceClassifier(fr, 9, T, B)) {
                assertNull(m.embedding());
                assertEquals(a.parameters().size() - 1, m.parameters().size(), "no embedding table");
                for (int i = 0; i < m.parameters().size(); i++) {
                    assertEquals(a.parameters().get(i + 1).name(), m.parameters().get(i).name());
                    assertEquals(a.parameters().get(i + 1).value().get(0, 0), m.parameters().get(i).value().get(0, 0),
                            "the same seed gives the same recurrent and head weights");
                }
                Batch f = asFrames(b, a);
                a.zeroGrad();
                m.zeroGrad();
                float la = a.forward(b, true), lm = m.forward(f, true);
                assertEquals(la, lm, 1e-6f, cell.toString());
                a.backward();
                m.backward();
                for (int i = 0; i < m.parameters().size(); i++) {
                    var ga = a.parameters().get(i + 1).grad();
                    var gm = m.parameters().get(i).grad();
                    for (int r = 0; r < ga.rows(); r++) {
                        for (int c = 0; c < ga.cols(); c++) assertEquals(ga.get(r, c), gm.get(r, c), 1e-6f, m.parameters().get(i).name());
                    }
                }
            }
        }
    }

    @Test
    void frameClassifierGradientMatchesFiniteDifferences() {
        for (CellType cell : CellType.values()) {
            ModelConfig cfg = ModelConfig.frames(cell, 3, 4).withHidden(5).withLayers(2).withBidirectional(true).withPool(Pooling.MEAN);
            Batch b = Batch.ofFrames(T, B, 3).reset(T, B);
            java.util.SplittableRandom r = new java.util.SplittableRandom(3);
            for (int i = 0; i < b.frames().length; i++) b.frames()[i] = (float) r.nextGaussian();
            for (int s = 0; s < B; s++) {
                b.lengths()[s] = 1 + (s * 2) % T;
                b.labels()[s] = s % 4;
            }
            try (SequenceClassifier m = new SequenceClassifier(cfg, 4, T, B)) {
                GradientCheck.check(m, () -> m.forward(b, true), m::backward, cell.toString());
            }
        }
    }

    @Test
    void aBatchOfTheWrongKindIsRefusedClearly() {
        try (SequenceClassifier m = new SequenceClassifier(ModelConfig.frames(CellType.GRU, 3, 2).withHidden(4), 1, T, B)) {
            Batch tokens = new Batch(T, B).reset(T, B);
            var e = assertThrows(IllegalArgumentException.class, () -> m.forward(tokens, false));
            assertTrue(e.getMessage().contains("has 0 reals per frame but the model reads 3"), e.getMessage());
        }
        var bad = assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig(CellType.GRU, ModelConfig.FRAME_INPUT, 3, 4, 1, false, Pooling.LAST, 0f, 0f, 2, 0, false, false));
        assertTrue(bad.getMessage().contains("paddingIdx"), bad.getMessage());
    }
}
