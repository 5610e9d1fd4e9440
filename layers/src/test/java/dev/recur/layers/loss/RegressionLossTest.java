package dev.recur.layers.loss;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RegressionLossTest {
    // prediction − target = [1, −2, −4, 0]
    private static final float[] PREDICTION = {1f, 2f, -3f, 0.5f};
    private static final float[] TARGET = {0f, 4f, 1f, 0.5f};

    private static float[] run(RegressionLoss loss, float[] expectGradient, double expectLoss) {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.of(a, 2, 2, PREDICTION);
            FloatMatrix y = FloatMatrix.of(a, 2, 2, TARGET);
            FloatMatrix g = FloatMatrix.allocate(a, 2, 2);
            g.fill(99f);
            assertEquals(expectLoss, loss.forward(x, y, g), 1e-6, loss.toString());
            assertArrayEquals(expectGradient, g.toArray(), 1e-7f, loss + " gradient");
            assertEquals(expectLoss, loss.forward(x, y, null), 1e-6, loss + " without gradient");
            return g.toArray();
        }
    }

    @Test
    void mseMatchesHandComputedValues() {
        // (1 + 4 + 16 + 0) / 4; gradient 2d/4
        run(new MseLoss(), new float[] {0.5f, -1f, -2f, 0f}, 5.25);
    }

    @Test
    void l1MatchesHandComputedValuesWithZeroGradientAtZero() {
        // (1 + 2 + 4 + 0) / 4; gradient sign(d)/4, sign(0) = 0
        run(new L1Loss(), new float[] {0.25f, -0.25f, -0.25f, 0f}, 1.75);
    }

    @Test
    void huberMatchesHandComputedValuesForTwoDeltas() {
        // δ = 1: |d| = 1 is already linear: 1·(1 − ½) = 0.5, 1.5, 3.5, 0 → 5.5/4
        run(new HuberLoss(), new float[] {0.25f, -0.25f, -0.25f, 0f}, 1.375);
        // δ = 2.5: ½·1, ½·4, 2.5·(4 − 1.25) = 6.875, 0 → 9.375/4; gradient d/4 inside, ±δ/4 outside
        run(new HuberLoss(2.5f), new float[] {0.25f, -0.5f, -0.625f, 0f}, 2.34375);
    }

    @Test
    void huberIsHalfMseForLargeDeltaAndDeltaTimesL1ForSmallDelta() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.of(a, 1, 4, PREDICTION);
            FloatMatrix y = FloatMatrix.of(a, 1, 4, TARGET);
            assertEquals(new MseLoss().forward(x, y, null) / 2, new HuberLoss(100f).forward(x, y, null), 1e-6f);
            float delta = 1e-3f;
            assertEquals(delta * new L1Loss().forward(x, y, null), new HuberLoss(delta).forward(x, y, null), 1e-6f);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(7);
        for (RegressionLoss loss : List.of(new MseLoss(), new L1Loss(), new HuberLoss(0.7f))) {
            try (Arena a = Arena.ofConfined()) {
                FloatMatrix x = FloatMatrix.allocate(a, 3, 5);
                FloatMatrix y = FloatMatrix.allocate(a, 3, 5);
                for (int r = 0; r < 3; r++) for (int c = 0; c < 5; c++) {
                    y.set(r, c, (float) rng.nextDouble(-2, 2));
                    // keep |x − y| away from the kinks at 0 and ±δ, where finite differences straddle
                    float size = (float) (rng.nextBoolean() ? rng.nextDouble(0.1, 0.5) : rng.nextDouble(1.0, 1.6));
                    float d = rng.nextBoolean() ? size : -size;
                    x.set(r, c, y.get(r, c) + d);
                }
                FloatMatrix g = FloatMatrix.allocate(a, 3, 5);
                loss.forward(x, y, g);
                float h = 1e-2f;
                for (int r = 0; r < 3; r++) for (int c = 0; c < 5; c++) {
                    float old = x.get(r, c);
                    x.set(r, c, old + h);
                    double up = loss.forward(x, y, null);
                    x.set(r, c, old - h);
                    double down = loss.forward(x, y, null);
                    x.set(r, c, old);
                    assertEquals((up - down) / (2 * h), g.get(r, c), 2e-4, loss + " at " + r + "," + c);
                }
            }
        }
    }

    @Test
    void rejectsMismatchedShapesAndBadDelta() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.allocate(a, 2, 3);
            FloatMatrix y = FloatMatrix.allocate(a, 3, 2);
            assertThrows(IllegalArgumentException.class, () -> new MseLoss().forward(x, y, null));
            assertThrows(IllegalArgumentException.class, () -> new L1Loss().forward(x, x, y));
        }
        assertThrows(IllegalArgumentException.class, () -> new HuberLoss(0f));
        assertThrows(IllegalArgumentException.class, () -> new HuberLoss(Float.NaN));
        assertEquals(List.of("mse", "mae", "huber"), List.of(new MseLoss().name(), new L1Loss().name(), new HuberLoss().name()));
    }
}
