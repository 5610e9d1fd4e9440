package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * One kernel family: the element-wise activations behind {@link Activations}, with a Vector API
 * implementation ({@link SimdActivations}) and a plain-loop scalar twin ({@link ScalarActivations});
 * {@link Kernels} picks one once. Offsets count floats; {@code y} may be {@code x} (in place).
 * Arguments are checked by the facade, not here.
 */
interface ActivationsSupport {
    /** y[i] = σ(x[i]) for i in [0, n). */
    void sigmoid(MemorySegment x, long xOff, MemorySegment y, long yOff, int n);

    /** y[i] = tanh(x[i]) for i in [0, n). */
    void tanh(MemorySegment x, long xOff, MemorySegment y, long yOff, int n);

    /** y[i] = e^(x[i]) for i in [0, n). */
    void exp(MemorySegment x, long xOff, MemorySegment y, long yOff, int n);

    /** y[r·ldy + j] = tanh(x[r·ldx + j] + bias[j]) for r &lt; rows, j &lt; cols; bias null means none. */
    void tanhRows(int rows, int cols, MemorySegment x, long xOff, int ldx,
                  MemorySegment bias, long bOff, MemorySegment y, long yOff, int ldy);
}
