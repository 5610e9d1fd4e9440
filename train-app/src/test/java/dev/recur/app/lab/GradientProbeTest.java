package dev.recur.app.lab;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Linear;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The lab's ∂L/∂h_k against centred finite differences of the loss, on tiny models. */
class GradientProbeTest {
    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"RNN_TANH", "LSTM", "GRU"})
    void hiddenStateGradientMatchesFiniteDifferences(CellType cell) {
        int steps = 6, batch = 2, in = 3, hidden = 4, layers = 2, classes = 3;
        try (Arena arena = Arena.ofShared();
             RecurrentLayer rnn = new RecurrentLayer("rnn.", new RecurrentConfig(cell, in, hidden, layers, false,
                     DirectionMerge.CONCAT, 0f, false, false, 5), steps, batch)) {
            SplittableRandom rng = new SplittableRandom(3);
            Linear fc = new Linear(arena, "fc", hidden, classes, rng);
            FloatMatrix x = FloatMatrix.allocate(arena, steps * batch, in);
            for (int r = 0; r < x.rows(); r++) for (int j = 0; j < in; j++) x.set(r, j, (float) rng.nextGaussian());
            int[] targets = {2, 0};
            try (GradientProbe probe = new GradientProbe(rnn, GradientProbe.crossEntropy(fc, targets, batch), fc, batch, steps)) {
                for (int k : new int[] {0, 2, steps - 1}) {
                    probe.prefix(x, k);
                    FloatMatrix h = FloatMatrix.allocate(arena, layers * batch, hidden);
                    h.copyFrom(probe.hidden());
                    FloatMatrix c = null;
                    if (probe.cell() != null) {
                        c = FloatMatrix.allocate(arena, layers * batch, hidden);
                        c.copyFrom(probe.cell());
                    }
                    FloatMatrix g = FloatMatrix.allocate(arena, layers * batch, hidden);
                    double[] norms = probe.gradientAt(x, steps, k, g);
                    double eps = 1e-2;
                    double sq0 = 0;
                    for (int r = 0; r < h.rows(); r++) {
                        for (int j = 0; j < hidden; j++) {
                            float keep = h.get(r, j);
                            h.set(r, j, keep + (float) eps);
                            double up = probe.lossFrom(x, steps, k, h, c);
                            h.set(r, j, keep - (float) eps);
                            double down = probe.lossFrom(x, steps, k, h, c);
                            h.set(r, j, keep);
                            double fd = (up - down) / (2 * eps);
                            assertEquals(fd, g.get(r, j), 2e-3 + 2e-2 * Math.abs(fd),
                                    cell + " k=" + k + " row " + r + " col " + j);
                            if (r % batch == 0) sq0 += fd * fd;
                        }
                    }
                    assertEquals(Math.sqrt(sq0), norms[0], 5e-3 + 0.03 * Math.sqrt(sq0), "norm of sequence 0");
                    if (k < steps - 1) assertTrue(norms[0] > 0, "a real gradient flows");
                }
            }
        }
    }
}
