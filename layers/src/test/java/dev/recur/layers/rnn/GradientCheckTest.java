package dev.recur.layers.rnn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Analytic gradients of {@link RecurrentLayer} against centred finite differences of a random
 * linear loss {@code L = Σ out⊙R + Σ h_n⊙S (+ Σ c_n⊙U)}, for every cell type, stacked and
 * bidirectional, with ragged lengths (including a length-0 sequence) and non-zero initial states.
 * A small float version; the thorough double-precision check lives in property-tests.
 */
class GradientCheckTest {

    @ParameterizedTest
    @EnumSource(CellType.class)
    void singleLayerGradientsMatchFiniteDifferences(CellType cell) {
        check(RecurrentConfig.of(cell, 3, 5).withSeed(7), new int[] {4, 3, 1, 0});
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void stackedBidirectionalGradientsMatchFiniteDifferences(CellType cell) {
        check(RecurrentConfig.of(cell, 3, 4).withLayers(2).withBidirectional(DirectionMerge.CONCAT).withSeed(11),
                new int[] {5, 4, 2});
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void sumMergeGradientsMatchFiniteDifferences(CellType cell) {
        check(RecurrentConfig.of(cell, 2, 3).withBidirectional(DirectionMerge.SUM).withSeed(3), new int[] {3, 3, 1});
    }

    static void check(RecurrentConfig cfg, int[] lengths) {
        int batch = lengths.length, steps = lengths[0] + 1;
        int stateRows = cfg.numLayers() * cfg.directions() * batch;
        boolean lstm = cfg.cell().hasCellState();
        boolean relu = cfg.cell() == CellType.RNN_RELU;
        Random rnd = new Random(42);
        try (Arena arena = Arena.ofShared();
             RecurrentLayer layer = new RecurrentLayer("rnn.", cfg, steps, batch)) {
            FloatMatrix x = random(arena, steps * batch, cfg.inputSize(), rnd);
            FloatMatrix h0 = random(arena, stateRows, cfg.hiddenSize(), rnd);
            FloatMatrix c0 = lstm ? random(arena, stateRows, cfg.hiddenSize(), rnd) : null;
            FloatMatrix r = random(arena, steps * batch, layer.outputSize(), rnd);
            FloatMatrix s = random(arena, stateRows, cfg.hiddenSize(), rnd);
            FloatMatrix u = lstm ? random(arena, stateRows, cfg.hiddenSize(), rnd) : null;
            layer.zeroGrad();
            layer.forward(x, batch, lengths, h0, c0, true);
            FloatMatrix dx = layer.backward(r, s, u);
            float[] dxA = dx.toArray();
            float[] dh0A = layer.gradInitialHidden().toArray();
            float[] dc0A = lstm ? layer.gradInitialCell().toArray() : null;

            java.util.function.DoubleSupplier loss = () -> {
                FloatMatrix out = layer.forward(x, batch, lengths, h0, c0, false);
                double l = dot(out, r) + dot(layer.finalHidden(), s);
                if (lstm) l += dot(layer.finalCell(), u);
                return l;
            };
            for (Parameter p : layer.parameters()) {
                compare(p.name(), p.value(), p.grad().toArray(), loss, relu);
            }
            compare("input", x, dxA, loss, relu);
            compare("h0", h0, dh0A, loss, relu);
            if (lstm) compare("c0", c0, dc0A, loss, relu);
        }
    }

    private static void compare(String what, FloatMatrix m, float[] analytic, java.util.function.DoubleSupplier loss,
                                boolean relu) {
        float eps = relu ? 1e-3f : 1e-2f;
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) {
                float orig = m.get(i, j);
                double mid = loss.getAsDouble();
                m.set(i, j, orig + eps);
                double up = loss.getAsDouble();
                m.set(i, j, orig - eps);
                double down = loss.getAsDouble();
                m.set(i, j, orig);
                double numeric = (up - down) / (2 * eps);
                double a = analytic[i * m.cols() + j];
                double tol = 2e-3 + 2e-2 * Math.abs(numeric);
                if (relu) {
                    // a relu kink inside [−eps, eps] makes the centred quotient meaningless; there the
                    // analytic gradient must equal one of the one-sided slopes
                    double right = (up - mid) / eps, left = (mid - down) / eps;
                    if (Math.abs(right - left) > 1e-2 * (1 + Math.abs(right))) {
                        double tr = 2e-3 + 2e-2 * Math.abs(right), tl = 2e-3 + 2e-2 * Math.abs(left);
                        int fi = i, fj = j;
                        assertTrue(Math.abs(a - right) <= tr || Math.abs(a - left) <= tl, () -> what + "[" + fi
                                + "," + fj + "] at a relu kink: analytic " + a + " is neither slope " + left + " nor " + right);
                        continue;
                    }
                }
                int fi = i, fj = j;
                assertTrue(Math.abs(a - numeric) <= tol, () -> what + "[" + fi + "," + fj + "]: analytic " + a
                        + " vs finite difference " + numeric);
            }
        }
    }

    static double dot(FloatMatrix a, FloatMatrix b) {
        double s = 0;
        for (int i = 0; i < a.rows(); i++) for (int j = 0; j < a.cols(); j++) s += (double) a.get(i, j) * b.get(i, j);
        return s;
    }

    static FloatMatrix random(Arena arena, int rows, int cols, Random rnd) {
        FloatMatrix m = FloatMatrix.allocate(arena, rows, cols);
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m.set(i, j, (float) rnd.nextGaussian() * 0.8f);
        return m;
    }
}
