package dev.recur.layers;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class RevInTest {
    private static final int L = 5, H = 3, B = 2, C = 3;

    private static FloatMatrix random(Arena a, int rows, int cols, SplittableRandom rng, double lo, double hi) {
        FloatMatrix m = FloatMatrix.allocate(a, rows, cols);
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m.set(r, c, (float) rng.nextDouble(lo, hi));
        return m;
    }

    private static double dot(FloatMatrix r, FloatMatrix m) {
        double s = 0;
        for (int i = 0; i < m.rows(); i++) for (int j = 0; j < m.cols(); j++) s += (double) r.get(i, j) * m.get(i, j);
        return s;
    }

    @Test
    void statisticsArePerWindowAndChannelWithPopulationVarianceAndEps() {
        try (Arena a = Arena.ofConfined()) {
            RevIn revin = new RevIn(a, "revin", 1, true);
            // time-major, 2 windows: window 0 = 1, 2, 3, 4; window 1 = 10, 10, 10, 10
            FloatMatrix x = FloatMatrix.of(a, 8, 1, 1, 10, 2, 10, 3, 10, 4, 10);
            revin.statistics(x, 2);
            assertEquals(2.5f, revin.mean(0, 0), 1e-6f);
            assertEquals((float) Math.sqrt(1.25 + 1e-5), revin.std(0, 0), 1e-7f);
            assertEquals(10f, revin.mean(1, 0), 1e-6f);
            assertEquals((float) Math.sqrt(1e-5), revin.std(1, 0), 1e-9f, "a flat window divides by √ε, not by zero");
            FloatMatrix y = FloatMatrix.allocate(a, 8, 1);
            revin.normalise(x, y);
            assertEquals((1 - 2.5) / Math.sqrt(1.25 + 1e-5), y.get(0, 0), 1e-6);
            assertEquals(0f, y.get(1, 0), 0f, "a flat window normalises to zeros");
        }
    }

    @Test
    void denormaliseInvertsNormaliseAndNormalisedWindowsHaveTheAffineMoments() {
        SplittableRandom rng = new SplittableRandom(11);
        try (Arena a = Arena.ofConfined()) {
            RevIn revin = new RevIn(a, "revin", C, true);
            revin.weight().value().copyFrom(new float[] {0.5f, 2f, -1.5f});
            revin.bias().value().copyFrom(new float[] {0.1f, -3f, 4f});
            FloatMatrix x = random(a, L * B, C, rng, 20, 60);
            revin.statistics(x, B);
            FloatMatrix y = FloatMatrix.allocate(a, L * B, C);
            revin.normalise(x, y);
            for (int b = 0; b < B; b++) for (int c = 0; c < C; c++) {
                double sum = 0, sq = 0;
                for (int t = 0; t < L; t++) sum += y.get(t * B + b, c);
                double m = sum / L;
                for (int t = 0; t < L; t++) sq += Math.pow(y.get(t * B + b, c) - m, 2);
                assertEquals(revin.bias().value().get(0, c), m, 1e-5, "window mean is the bias");
                assertEquals(Math.abs(revin.weight().value().get(0, c)), Math.sqrt(sq / L), 1e-3, "window std is |w|");
            }
            FloatMatrix back = FloatMatrix.allocate(a, L * B, C);
            revin.denormalise(y, back);
            assertArrayEquals(x.toArray(), back.toArray(), 1e-4f, "round trip");
            revin.normalise(x, x);
            assertArrayEquals(y.toArray(), x.toArray(), 0f, "in place gives the same");
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesWithTheStatisticsHeldConstant() {
        for (boolean affine : new boolean[] {true, false}) {
            SplittableRandom rng = new SplittableRandom(5);
            try (Arena a = Arena.ofConfined()) {
                RevIn revin = new RevIn(a, "revin", C, affine);
                revin.weight().value().copyFrom(new float[] {0.8f, 1.7f, -1.2f});
                revin.bias().value().copyFrom(new float[] {0.3f, -0.4f, 1.1f});
                FloatMatrix x = random(a, L * B, C, rng, -3, 3);
                revin.statistics(x, B);
                FloatMatrix yIn = random(a, H * B, C, rng, -2, 2);
                FloatMatrix rNorm = random(a, L * B, C, rng, -1, 1);
                FloatMatrix rDenorm = random(a, H * B, C, rng, -1, 1);
                FloatMatrix y = FloatMatrix.allocate(a, L * B, C);
                FloatMatrix out = FloatMatrix.allocate(a, H * B, C);
                // L(x, yIn, w, b) = Σ rNorm ⊙ normalise(x) + Σ rDenorm ⊙ denormalise(yIn)
                DoubleSupplier loss = () -> {
                    revin.normalise(x, y);
                    revin.denormalise(yIn, out);
                    return dot(rNorm, y) + dot(rDenorm, out);
                };
                revin.zeroGrad();
                revin.weight().zeroGrad();
                revin.bias().zeroGrad();
                FloatMatrix dx = FloatMatrix.allocate(a, L * B, C);
                FloatMatrix dyIn = FloatMatrix.allocate(a, H * B, C);
                revin.normaliseBackward(x, rNorm, dx);
                revin.denormaliseBackward(yIn, rDenorm, dyIn);
                check(loss, x, dx, "dx");
                check(loss, yIn, dyIn, "dy");
                if (affine) {
                    check(loss, revin.weight().value(), revin.weight().grad(), "d affine_weight");
                    check(loss, revin.bias().value(), revin.bias().grad(), "d affine_bias");
                } else {
                    assertEquals(0, revin.parameters().size());
                    assertArrayEquals(new float[C], revin.weight().grad().toArray(), "no affine: no parameter gradient");
                }
            }
        }
    }

    private static void check(DoubleSupplier loss, FloatMatrix value, FloatMatrix grad, String what) {
        float h = 1e-2f;
        for (int r = 0; r < value.rows(); r++) for (int c = 0; c < value.cols(); c++) {
            float old = value.get(r, c);
            value.set(r, c, old + h);
            double up = loss.getAsDouble();
            value.set(r, c, old - h);
            double down = loss.getAsDouble();
            value.set(r, c, old);
            double fd = (up - down) / (2 * h);
            assertEquals(fd, grad.get(r, c), 2e-3 * Math.max(1, Math.abs(fd)), what + " at " + r + "," + c);
        }
    }

    @Test
    void parametersHaveReferenceNamesAndInitialValues() {
        try (Arena a = Arena.ofConfined()) {
            RevIn revin = new RevIn(a, "revin_layer", 4, true);
            assertEquals("revin_layer.affine_weight", revin.parameters().get(0).name());
            assertEquals("revin_layer.affine_bias", revin.parameters().get(1).name());
            assertArrayEquals(new float[] {1, 1, 1, 1}, revin.weight().value().toArray());
            assertArrayEquals(new float[4], revin.bias().value().toArray());
            FloatMatrix x = FloatMatrix.allocate(a, 6, 4);
            assertThrows(IllegalStateException.class, () -> revin.normalise(x, x), "statistics first");
            assertThrows(IllegalArgumentException.class, () -> revin.statistics(x, 4), "6 rows are not T·4");
            assertThrows(IllegalArgumentException.class, () -> revin.statistics(FloatMatrix.allocate(a, 6, 3), 2));
        }
    }
}
