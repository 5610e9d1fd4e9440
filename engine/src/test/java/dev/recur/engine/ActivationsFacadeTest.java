package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                if (Kernels.simd()) SimdActivations.INSTANCE.tanh(sum, k, ref, k, cols);
                else ScalarActivations.INSTANCE.tanh(sum, k, ref, k, cols);
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

    /** The tanhRows twins: the scalar one is tanh(x + b) per element in double; SIMD within the arithmetic tanh's error. */
    @Test
    void tanhRowsTwinsAgree() {
        int rows = 4, cols = 53, ld = 60, n = rows * ld + 5;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(n * 4L, 64), bias = arena.allocate(cols * 4L, 64);
            MemorySegment simd = arena.allocate(n * 4L, 64), scalar = arena.allocate(n * 4L, 64);
            SplittableRandom r = new SplittableRandom(5);
            for (int i = 0; i < n; i++) x.setAtIndex(FloatMatrix.FLOAT, i, (float) (r.nextDouble() * 12 - 6));
            for (int j = 0; j < cols; j++) bias.setAtIndex(FloatMatrix.FLOAT, j, (float) (r.nextDouble() * 2 - 1));
            for (MemorySegment b : new MemorySegment[] {bias, null}) {
                ScalarActivations.INSTANCE.tanhRows(rows, cols, x, 2, ld, b, 0, scalar, 2, ld);
                if (Kernels.simd()) SimdActivations.INSTANCE.tanhRows(rows, cols, x, 2, ld, b, 0, simd, 2, ld);
                else ScalarActivations.INSTANCE.tanhRows(rows, cols, x, 2, ld, b, 0, simd, 2, ld);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        long k = 2 + (long) i * ld + j;
                        float v = x.getAtIndex(FloatMatrix.FLOAT, k) + (b == null ? 0f : b.getAtIndex(FloatMatrix.FLOAT, j));
                        float twin = scalar.getAtIndex(FloatMatrix.FLOAT, k);
                        assertEquals(Float.floatToRawIntBits((float) Math.tanh(v)), Float.floatToRawIntBits(twin), "twin " + i + "," + j);
                        assertEquals(twin, simd.getAtIndex(FloatMatrix.FLOAT, k), 1e-7f, "simd " + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void spansOutsideTheirSegmentAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(40 * 4L, 64);
            var e = assertThrows(IndexOutOfBoundsException.class, () -> Activations.tanh(x, 10, x, 0, 31));
            assertTrue(e.getMessage().startsWith("tanh: x span [10, 41)"), e.getMessage());
            var rowsError = assertThrows(IndexOutOfBoundsException.class,
                    () -> Activations.tanhRows(3, 10, x, 0, 16, null, 0, x, 0, 16));
            assertTrue(rowsError.getMessage().startsWith("tanhRows: x span"), rowsError.getMessage());
            var ld = assertThrows(IllegalArgumentException.class, () -> Activations.tanhRows(2, 10, x, 0, 8, null, 0, x, 0, 10));
            assertTrue(ld.getMessage().contains("ldx = 8"), ld.getMessage());
        }
    }
}
