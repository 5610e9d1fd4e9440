package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * Element-wise activations over spans of off-heap floats, dispatched once by {@link Kernels}: the
 * Vector API kernels of {@link SimdActivations} when {@link Engine#vectorApiAvailable()}, else
 * their plain-loop twins in {@link ScalarActivations}. This is the one switch the layers use; no
 * layer picks an implementation itself.
 *
 * <pre>
 *   σ(x) = 1 / (1 + e^(−x))      tanh(x) = (e^(2x) − 1) / (e^(2x) + 1)      exp(x) = e^x
 * </pre>
 * Offsets count floats; {@code y} may be {@code x} (in place). Nothing is allocated.
 */
public final class Activations {
    private Activations() {}

    private static final boolean SIMD = Kernels.simd();

    /** y[i] = σ(x[i]) for i in [0, n). */
    public static void sigmoid(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        if (SIMD) SimdActivations.sigmoid(x, xOff, y, yOff, n);
        else ScalarActivations.sigmoid(x, xOff, y, yOff, n);
    }

    /** y[i] = tanh(x[i]) for i in [0, n). */
    public static void tanh(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        if (SIMD) SimdActivations.tanh(x, xOff, y, yOff, n);
        else ScalarActivations.tanh(x, xOff, y, yOff, n);
    }

    /**
     * y[r·ldy + j] = tanh(x[r·ldx + j] + bias[j]) for r &lt; rows, j &lt; cols (one pass: the
     * broadcast add and tanh fused); in place allowed.
     */
    public static void tanhRows(int rows, int cols, MemorySegment x, long xOff, int ldx,
                                MemorySegment bias, long bOff, MemorySegment y, long yOff, int ldy) {
        if (SIMD) {
            SimdActivations.tanhRows(rows, cols, x, xOff, ldx, bias, bOff, y, yOff, ldy);
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float v = x.getAtIndex(FloatMatrix.FLOAT, xOff + (long) r * ldx + j) + bias.getAtIndex(FloatMatrix.FLOAT, bOff + j);
                y.setAtIndex(FloatMatrix.FLOAT, yOff + (long) r * ldy + j, ScalarActivations.tanh(v));
            }
        }
    }

    /** y[i] = e^(x[i]) for i in [0, n). */
    public static void exp(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        if (SIMD) SimdActivations.exp(x, xOff, y, yOff, n);
        else ScalarActivations.exp(x, xOff, y, yOff, n);
    }

    /** Whether the SIMD kernels are the ones running. */
    public static boolean simd() { return SIMD; }
}
