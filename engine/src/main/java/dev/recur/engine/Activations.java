package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * Element-wise activations over spans of off-heap floats: the facade of the {@link ActivationsSupport}
 * family, whose implementation {@link Kernels} chose once (the Vector API kernels of
 * {@link SimdActivations} when {@link Engine#vectorApiAvailable()}, else their plain-loop twins in
 * {@link ScalarActivations}). The layers call only this class.
 *
 * <pre>
 *   σ(x) = 1 / (1 + e^(−x))      tanh(x) = (e^(2x) − 1) / (e^(2x) + 1)      exp(x) = e^x
 * </pre>
 * Offsets count floats; {@code y} may be {@code x} (in place). Arguments are checked once per call
 * (every span inside its segment); nothing is allocated.
 */
public final class Activations {
    private Activations() {}

    private static final ActivationsSupport K = Kernels.activations();

    /** y[i] = σ(x[i]) for i in [0, n). */
    public static void sigmoid(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        Spans.check("sigmoid", "x", x, xOff, n);
        Spans.check("sigmoid", "y", y, yOff, n);
        K.sigmoid(x, xOff, y, yOff, n);
    }

    /** y[i] = tanh(x[i]) for i in [0, n). */
    public static void tanh(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        Spans.check("tanh", "x", x, xOff, n);
        Spans.check("tanh", "y", y, yOff, n);
        K.tanh(x, xOff, y, yOff, n);
    }

    /**
     * y[r·ldy + j] = tanh(x[r·ldx + j] + bias[j]) for r &lt; rows, j &lt; cols (one pass: the
     * broadcast add and tanh fused); {@code bias} null means none; in place allowed.
     */
    public static void tanhRows(int rows, int cols, MemorySegment x, long xOff, int ldx,
                                MemorySegment bias, long bOff, MemorySegment y, long yOff, int ldy) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("tanhRows: rows and cols must be ≥ 0, got " + rows + "×" + cols);
        }
        if (ldx < cols || ldy < cols) {
            throw new IllegalArgumentException("tanhRows: leading dimensions must be ≥ cols = " + cols
                    + ", got ldx = " + ldx + ", ldy = " + ldy);
        }
        if (rows > 0 && cols > 0) {
            Spans.check("tanhRows", "x", x, xOff, (long) (rows - 1) * ldx + cols);
            Spans.check("tanhRows", "y", y, yOff, (long) (rows - 1) * ldy + cols);
            if (bias != null) Spans.check("tanhRows", "bias", bias, bOff, cols);
        }
        K.tanhRows(rows, cols, x, xOff, ldx, bias, bOff, y, yOff, ldy);
    }

    /** y[i] = e^(x[i]) for i in [0, n). */
    public static void exp(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        Spans.check("exp", "x", x, xOff, n);
        Spans.check("exp", "y", y, yOff, n);
        K.exp(x, xOff, y, yOff, n);
    }
}
