package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Pooling;
import dev.recur.layers.rnn.CellType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A model built for a maximum batch runs any smaller batch (the last batch of an epoch, a single
 * prediction) and gives each sequence the numbers it gets inside a full batch.
 */
class SmallBatchTest {

    static final int V = 15, T = 7, MAX_BATCH = 8;
    /** The members of the big batch that form the small one, in the small batch's order. */
    static final int[] PICK = {5, 1, 6};

    /** A full batch of MAX_BATCH ragged, unsorted sequences with labels and per-step targets. */
    static Batch bigBatch() {
        SplittableRandom r = new SplittableRandom(7);
        Batch b = new Batch(T, MAX_BATCH).reset(T, MAX_BATCH);
        for (int s = 0; s < MAX_BATCH; s++) {
            int len = 1 + r.nextInt(T);
            b.lengths()[s] = len;
            for (int t = 0; t < T; t++) {
                int tok = t < len ? 1 + r.nextInt(V - 1) : 0;
                b.setToken(t, s, tok);
                if (t < len) b.setTarget(t, s, tok % 3);
            }
            b.labels()[s] = s % 2;
        }
        return b;
    }

    /** The PICK members of {@code big}, copied into a batch of their own (same T). */
    static Batch smallBatch(Batch big) {
        Batch b = new Batch(T, MAX_BATCH).reset(T, PICK.length);
        for (int i = 0; i < PICK.length; i++) {
            b.lengths()[i] = big.lengths()[PICK[i]];
            b.labels()[i] = big.labels()[PICK[i]];
            for (int t = 0; t < T; t++) {
                b.setToken(t, i, big.token(t, PICK[i]));
                b.setTarget(t, i, big.targets()[t * MAX_BATCH + PICK[i]]);
            }
        }
        return b;
    }

    @Test
    void classifierGivesASmallBatchTheSameLogitsAsInsideAFullBatch() {
        for (CellType cell : CellType.values()) {
            for (boolean bi : new boolean[] {false, true}) {
                ModelConfig cfg = ModelConfig.defaults(cell, V).withEmbedDim(6).withHidden(5).withLayers(2)
                        .withBidirectional(bi).withPool(bi ? Pooling.MEAN : Pooling.MAX).withOutputs(3);
                try (SequenceClassifier m = new SequenceClassifier(cfg, 11, T, MAX_BATCH)) {
                    Batch big = bigBatch();
                    float[][] full = copy(m.logits(big));
                    FloatMatrix small = m.logits(smallBatch(big));
                    assertEquals(PICK.length, small.rows(), cell + " bi=" + bi + ": one row of logits per sequence");
                    for (int i = 0; i < PICK.length; i++) {
                        for (int k = 0; k < cfg.outputs(); k++) {
                            assertEquals(full[PICK[i]][k], small.get(i, k), 1e-5f,
                                    cell + " bi=" + bi + ": sequence " + PICK[i] + " logit " + k);
                        }
                    }
                }
            }
        }
    }

    @Test
    void taggerGivesASmallBatchTheSameLogitsAsInsideAFullBatch() {
        ModelConfig cfg = ModelConfig.defaults(CellType.LSTM, V).withEmbedDim(6).withHidden(5).withOutputs(3);
        try (SequenceTagger m = new SequenceTagger(SequenceModelTest.labeler(cfg), 3, T, MAX_BATCH)) {
            Batch big = bigBatch();
            float[][] full = copy(m.logits(big));
            Batch sb = smallBatch(big);
            FloatMatrix small = m.logits(sb);
            for (int i = 0; i < PICK.length; i++) {
                for (int t = 0; t < sb.lengths()[i]; t++) {
                    for (int k = 0; k < cfg.outputs(); k++) {
                        assertEquals(full[t * MAX_BATCH + PICK[i]][k], small.get(t * PICK.length + i, k), 1e-5f,
                                "sequence " + PICK[i] + " step " + t + " logit " + k);
                    }
                }
            }
        }
    }

    @Test
    void aSmallBatchTrainsAfterAFullOne() {
        ModelConfig cfg = ModelConfig.defaults(CellType.GRU, V).withEmbedDim(6).withHidden(5).withBidirectional(true);
        try (SequenceClassifier m = new SequenceClassifier(cfg, 5, T, MAX_BATCH)) {
            Batch big = bigBatch();
            m.forward(big, true);
            m.backward();
            m.zeroGrad();
            float loss = m.forward(smallBatch(big), true);
            m.backward();
            assertTrue(Float.isFinite(loss) && loss > 0f, "loss " + loss);
            double norm = 0;
            for (var p : m.parameters()) {
                for (float g : p.grad().toArray()) norm += g * g;
            }
            assertTrue(norm > 0 && Double.isFinite(norm), "the small batch produced gradients, norm² " + norm);
        }
    }

    private static float[][] copy(FloatMatrix m) {
        float[][] a = new float[m.rows()][m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) a[r][c] = m.get(r, c);
        }
        return a;
    }
}
