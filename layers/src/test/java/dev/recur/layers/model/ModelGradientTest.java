package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.Pooling;
import dev.recur.layers.rnn.CellType;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * The whole model's analytic gradient (embedding, recurrent stack, fc; through pooling, dropout-free
 * head and loss) against centred finite differences of its own loss, on tiny ragged batches.
 */
class ModelGradientTest {
    static final int T = SequenceModelTest.T, B = SequenceModelTest.B;

    private static void check(SequenceModel m, DoubleSupplier loss, Runnable backward, String what) {
        m.zeroGrad();
        loss.getAsDouble();
        backward.run();
        for (Parameter p : m.parameters()) {
            FloatMatrix v = p.value(), g = p.grad();
            // a few elements of each parameter, spread over it
            for (int k = 0; k < 4; k++) {
                int r = (k * 7 + 3) % p.rows(), c = (k * 5 + 1) % p.cols();
                float old = v.get(r, c);
                float h = 5e-3f;
                v.set(r, c, old + h);
                double up = loss.getAsDouble();
                v.set(r, c, old - h);
                double down = loss.getAsDouble();
                v.set(r, c, old);
                double mid = loss.getAsDouble();
                double numeric = (up - down) / (2 * h);
                double analytic = g.get(r, c);
                // relu and max are piecewise linear: near a kink the centred difference straddles it,
                // so a one-sided difference that matches is accepted too
                boolean ok = close(numeric, analytic) || close((up - mid) / h, analytic) || close((mid - down) / h, analytic);
                assertTrue(ok, what + " " + p.name() + "[" + r + "," + c + "]: analytic " + analytic + ", centred " + numeric
                        + ", one-sided " + (up - mid) / h + " / " + (mid - down) / h);
            }
        }
    }

    private static boolean close(double numeric, double analytic) {
        return Math.abs(numeric - analytic) <= 3e-3 + 0.03 * Math.abs(numeric);
    }

    @Test
    void classifierGradientMatchesFiniteDifferences() {
        for (CellType cell : CellType.values()) {
            for (Pooling pool : Pooling.values()) {
                ModelConfig cfg = SequenceModelTest.config(cell).withLayers(2).withBidirectional(true).withPool(pool)
                        .withOutputs(pool == Pooling.MEAN ? 3 : 1);
                Batch b = SequenceModelTest.batch(21);
                if (cfg.outputs() == 3) for (int s = 0; s < B; s++) b.labels()[s] = s % 3;
                try (SequenceClassifier m = new SequenceClassifier(cfg, 4, T, B)) {
                    check(m, () -> m.forward(b, true), m::backward, cell + "/" + pool);
                }
            }
        }
    }

    @Test
    void labelerGradientMatchesFiniteDifferences() {
        for (CellType cell : CellType.values()) {
            ModelConfig cfg = SequenceModelTest.config(cell).withBidirectional(cell != CellType.LSTM).withOutputs(4);
            Batch b = SequenceModelTest.batch(33);
            try (SequenceLabeler m = new SequenceLabeler(cfg, 6, T, B)) {
                check(m, () -> m.forward(b, true), m::backward, cell.toString());
            }
        }
    }
}
