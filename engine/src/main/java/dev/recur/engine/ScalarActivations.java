package dev.recur.engine;

import static dev.recur.engine.FloatMatrix.FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * The scalar twin of {@link Activations}: one element at a time, computed in double precision with
 * {@link Math} and rounded to float once. Same contract as the SIMD kernels (in place allowed:
 * {@code x} and {@code y} may be the same span); the reference the tests hold them to.
 */
public final class ScalarActivations {
    private ScalarActivations() {}

    /** σ(x) = 1 / (1 + e^(−x)). */
    public static float sigmoid(float x) { return (float) (1.0 / (1.0 + Math.exp(-x))); }

    /** tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)). */
    public static float tanh(float x) { return (float) Math.tanh(x); }

    /** e^x. */
    public static float exp(float x) { return (float) Math.exp(x); }

    /** y[i] = σ(x[i]) for i in [0, n). */
    public static void sigmoid(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int i = 0; i < n; i++) y.setAtIndex(FLOAT, yOff + i, sigmoid(x.getAtIndex(FLOAT, xOff + i)));
    }

    /** y[i] = tanh(x[i]) for i in [0, n). */
    public static void tanh(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int i = 0; i < n; i++) y.setAtIndex(FLOAT, yOff + i, tanh(x.getAtIndex(FLOAT, xOff + i)));
    }

    /** y[i] = e^(x[i]) for i in [0, n). */
    public static void exp(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int i = 0; i < n; i++) y.setAtIndex(FLOAT, yOff + i, exp(x.getAtIndex(FLOAT, xOff + i)));
    }
}
