package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.layers.Pooling;
import dev.recur.layers.rnn.CellType;
import org.junit.jupiter.api.Test;

/**
 * The whole model's analytic gradient (embedding, recurrent stack, fc; through pooling, dropout-free
 * head and loss) against centred finite differences of its own loss, on tiny ragged batches.
 */
class ModelGradientTest {
    static final int T = SequenceModelTest.T, B = SequenceModelTest.B;

    @Test
    void classifierGradientMatchesFiniteDifferences() {
        for (CellType cell : CellType.values()) {
            for (Pooling pool : Pooling.values()) {
                ModelConfig cfg = SequenceModelTest.config(cell).withLayers(2).withBidirectional(true).withPool(pool)
                        .withOutputs(pool == Pooling.MEAN ? 3 : 1);
                Batch b = SequenceModelTest.batch(21);
                if (cfg.outputs() == 3) for (int s = 0; s < B; s++) b.labels()[s] = s % 3;
                try (SequenceClassifier m = new SequenceClassifier(cfg, 4, T, B)) {
                    GradientCheck.check(m, () -> m.forward(b, true), m::backward, cell + "/" + pool);
                }
            }
        }
    }

    @Test
    void taggerGradientMatchesFiniteDifferences() {
        for (CellType cell : CellType.values()) {
            ModelConfig cfg = SequenceModelTest.config(cell).withBidirectional(cell != CellType.LSTM).withOutputs(4);
            Batch b = SequenceModelTest.batch(33);
            try (SequenceTagger m = new SequenceTagger(SequenceModelTest.labeler(cfg), 6, T, B)) {
                GradientCheck.check(m, () -> m.forward(b, true), m::backward, cell.toString());
            }
        }
    }
}
