package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Activations}, the layers' one switch: each call gives the bits of the implementation the engine chose. */
class ActivationsFacadeTest {

    @Test
    void spansAndFusedRowsAreTheChosenKernels() {
        int rows = 5, cols = 37, ld = 41, n = rows * ld;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(n * 4L, 64), bias = arena.allocate(cols * 4L, 64);
            MemorySegment fused = arena.allocate(n * 4L, 64), sum = arena.allocate(n * 4L, 64), ref = arena.allocate(n * 4L, 64);
            SplittableRandom r = new SplittableRandom(2);
            for (int i = 0; i < n; i++) x.setAtIndex(FloatMatrix.FLOAT, i, (float) (r.nextDouble() * 12 - 6));
            for (int j = 0; j < cols; j++) bias.setAtIndex(FloatMatrix.FLOAT, j, (float) (r.nextDouble() * 2 - 1));
            Activations.tanhRows(rows, cols, x, 3, ld, bias, 0, fused, 3, ld);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    long k = 3 + (long) i * ld + j;
                    sum.setAtIndex(FloatMatrix.FLOAT, k, x.getAtIndex(FloatMatrix.FLOAT, k) + bias.getAtIndex(FloatMatrix.FLOAT, j));
                }
            }
            for (int i = 0; i < rows; i++) {
                long k = 3 + (long) i * ld;
                if (Kernels.simd()) SimdActivations.tanh(sum, k, ref, k, cols);
                else ScalarActivations.tanh(sum, k, ref, k, cols);
                Activations.tanh(sum, k, sum, k, cols);
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    long k = 3 + (long) i * ld + j;
                    float want = ref.getAtIndex(FloatMatrix.FLOAT, k);
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(fused.getAtIndex(FloatMatrix.FLOAT, k)), "fused " + i + "," + j);
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(sum.getAtIndex(FloatMatrix.FLOAT, k)), "span " + i + "," + j);
                }
            }
        }
    }
}
