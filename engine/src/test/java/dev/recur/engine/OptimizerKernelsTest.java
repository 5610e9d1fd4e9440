package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OptimizerKernelsTest {

    private static final int LANES = Engine.lanes();

    @Test
    void adamFirstStepMovesEachParameterByLrTimesTheSignOfItsGradient() {
        // Step 1: m̂ = g, v̂ = g², so p −= lr·g/(|g| + ε) ≈ lr·sign(g).
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix p = FloatMatrix.of(arena, 1, 3, 1, 2, 3);
            FloatMatrix g = FloatMatrix.of(arena, 1, 3, 0.5f, -4f, 0f);
            FloatMatrix m = FloatMatrix.allocate(arena, 1, 3), v = FloatMatrix.allocate(arena, 1, 3);
            OptimizerKernels.adam(p, g, m, v, 0.1f, 0.9, 0.999, 1e-8, 0f, 1);
            assertArrayEquals(new float[] {0.9f, 2.1f, 3f}, p.toArray(), 1e-6f);
            assertArrayEquals(new float[] {0.05f, -0.4f, 0f}, m.toArray(), 1e-7f);
            assertArrayEquals(new float[] {0.00025f, 0.016f, 0f}, v.toArray(), 1e-9f);
        }
    }

    @Test
    void adamWDecaysTheParameterBeforeTheStepAndAdamAddsL2ToTheGradient() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix p = FloatMatrix.of(arena, 1, 1, 2f), g = FloatMatrix.of(arena, 1, 1, 0f);
            FloatMatrix m = FloatMatrix.allocate(arena, 1, 1), v = FloatMatrix.allocate(arena, 1, 1);
            OptimizerKernels.adamW(p, g, m, v, 0.1f, 0.9, 0.999, 1e-8, 0.5f, 1);
            assertEquals(2f * (1 - 0.1f * 0.5f), p.get(0, 0), 1e-6f, "zero gradient: only the decoupled decay acts");
            assertEquals(0f, m.get(0, 0));
            FloatMatrix p2 = FloatMatrix.of(arena, 1, 1, 2f), m2 = FloatMatrix.allocate(arena, 1, 1), v2 = FloatMatrix.allocate(arena, 1, 1);
            OptimizerKernels.adam(p2, g, m2, v2, 0.1f, 0.9, 0.999, 1e-8, 0.5f, 1);
            assertEquals(0.1f * 1f, m2.get(0, 0), 1e-7f, "L2: g' = g + wd·p = 1");
            assertEquals(1.9f, p2.get(0, 0), 1e-6f);
        }
    }

    @Test
    void sgdMomentumAndNesterovOverTwoSteps() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix p = FloatMatrix.of(arena, 1, 1, 1f), g = FloatMatrix.of(arena, 1, 1, 1f);
            FloatMatrix b = FloatMatrix.allocate(arena, 1, 1);
            OptimizerKernels.sgd(p, g, b, 0.1f, 0.9f, 0f, false); // b = 1, p = 0.9
            OptimizerKernels.sgd(p, g, b, 0.1f, 0.9f, 0f, false); // b = 1.9, p = 0.71
            assertEquals(1.9f, b.get(0, 0), 1e-6f);
            assertEquals(0.71f, p.get(0, 0), 1e-6f);
            FloatMatrix q = FloatMatrix.of(arena, 1, 1, 1f), c = FloatMatrix.allocate(arena, 1, 1);
            OptimizerKernels.sgd(q, g, c, 0.1f, 0.9f, 0f, true); // b = 1, d = 1 + 0.9 = 1.9, q = 0.81
            assertEquals(0.81f, q.get(0, 0), 1e-6f);
            FloatMatrix r = FloatMatrix.of(arena, 1, 1, 2f);
            OptimizerKernels.sgd(r, g, null, 0.1f, 0f, 0.5f, false); // d = 1 + 0.5·2 = 2, r = 1.8
            assertEquals(1.8f, r.get(0, 0), 1e-6f);
        }
    }

    @Test
    void simdKernelsEqualTheScalarTwinsBitForBitOverSeveralSteps() {
        for (int n : new int[] {0, 1, LANES - 1, LANES, LANES + 1, 5 * LANES + 3}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment[] a = state(arena, n, 4), s = state(arena, n, 4);
                Random rnd = new Random(n);
                for (int step = 1; step <= 4; step++) {
                    for (int i = 0; i < n; i++) {
                        float gi = (float) rnd.nextGaussian();
                        a[1].setAtIndex(FloatMatrix.FLOAT, i, gi);
                        s[1].setAtIndex(FloatMatrix.FLOAT, i, gi);
                    }
                    SimdOptimizerKernels.INSTANCE.adam(a[0], 0, a[1], 0, a[2], 0, a[3], 0, n, 1e-2f, 0.9f, 0.99f, 1e-8f, 0.01f, step);
                    ScalarOptimizerKernels.INSTANCE.adam(s[0], 0, s[1], 0, s[2], 0, s[3], 0, n, 1e-2f, 0.9f, 0.99f, 1e-8f, 0.01f, step);
                    SimdOptimizerKernels.INSTANCE.adamW(a[0], 0, a[1], 0, a[2], 0, a[3], 0, n, 1e-2f, 0.8f, 0.95f, 1e-6f, 0.1f, step);
                    ScalarOptimizerKernels.INSTANCE.adamW(s[0], 0, s[1], 0, s[2], 0, s[3], 0, n, 1e-2f, 0.8f, 0.95f, 1e-6f, 0.1f, step);
                    SimdOptimizerKernels.INSTANCE.sgd(a[0], 0, a[1], 0, a[2], 0, n, 0.05f, 0.9f, 1e-3f, step % 2 == 0);
                    ScalarOptimizerKernels.INSTANCE.sgd(s[0], 0, s[1], 0, s[2], 0, n, 0.05f, 0.9f, 1e-3f, step % 2 == 0);
                }
                for (int k = 0; k < 4; k++) {
                    for (int i = 0; i < n; i++) {
                        assertEquals(s[k].getAtIndex(FloatMatrix.FLOAT, i), a[k].getAtIndex(FloatMatrix.FLOAT, i),
                                "buffer " + k + " element " + i + " of " + n);
                    }
                }
            }
        }
    }

    private static MemorySegment[] state(Arena arena, int n, int count) {
        MemorySegment[] out = new MemorySegment[count];
        Random rnd = new Random(7);
        for (int k = 0; k < count; k++) {
            out[k] = arena.allocate(Math.max(1, n) * (long) Float.BYTES, 64);
            if (k == 0) for (int i = 0; i < n; i++) out[k].setAtIndex(FloatMatrix.FLOAT, i, (float) rnd.nextGaussian());
        }
        return out;
    }

    @Test
    void viewsAreUpdatedRowByRowAndNothingElseIsTouched() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix big = FloatMatrix.allocate(arena, 2, 5);
            big.fill(1f);
            FloatMatrix p = big.view(0, 1, 2, 3);
            FloatMatrix g = FloatMatrix.allocate(arena, 2, 3);
            g.fill(1f);
            FloatMatrix m = FloatMatrix.allocate(arena, 2, 3), v = FloatMatrix.allocate(arena, 2, 3);
            OptimizerKernels.adam(p, g, m, v, 0.5f, 0.9, 0.999, 1e-8, 0f, 1);
            assertArrayEquals(new float[] {1, 0.5f, 0.5f, 0.5f, 1, 1, 0.5f, 0.5f, 0.5f, 1}, big.toArray(), 1e-6f);
        }
    }

    @Test
    void badHyperparametersAreNamed() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix p = FloatMatrix.allocate(arena, 1, 2);
            var step = assertThrows(IllegalArgumentException.class,
                    () -> OptimizerKernels.adam(p, p, p, p, 0.1f, 0.9, 0.999, 1e-8, 0f, 0));
            assertTrue(step.getMessage().contains("step count must be ≥ 1"), step.getMessage());
            var beta = assertThrows(IllegalArgumentException.class,
                    () -> OptimizerKernels.adamW(p, p, p, p, 0.1f, 1f, 0.999f, 1e-8f, 0f, 1));
            assertTrue(beta.getMessage().contains("beta1"), beta.getMessage());
            var nesterov = assertThrows(IllegalArgumentException.class,
                    () -> OptimizerKernels.sgd(p, p, p, 0.1f, 0f, 0f, true));
            assertTrue(nesterov.getMessage().contains("Nesterov"), nesterov.getMessage());
            var buffer = assertThrows(IllegalArgumentException.class,
                    () -> OptimizerKernels.sgd(p, p, null, 0.1f, 0.9f, 0f, false));
            assertTrue(buffer.getMessage().contains("momentum buffer"), buffer.getMessage());
            var lr = assertThrows(IllegalArgumentException.class,
                    () -> OptimizerKernels.sgd(p, p, null, Float.NaN, 0f, 0f, false));
            assertTrue(lr.getMessage().contains("learning rate"), lr.getMessage());
        }
    }
}
