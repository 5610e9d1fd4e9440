package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * Inverted-dropout masks drawn from a counter-based hash, so a mask is a pure function of
 * (seed, call number, element index): it does not depend on threads, on how the work is split, or on
 * any hidden generator position, and resuming a stream exactly needs only its call counter.
 *
 * <p>Element {@code i} of call {@code c} of a stream with seed {@code s} draws
 * <pre>
 *   key = mix(s + γ·c),   u = (mix(key + γ·(i + 1)) >>> 11) · 2⁻⁵³   ∈ [0, 1)
 *   mask[i] = u &lt; p ? 0 : 1/(1 − p)      (1/(1 − p) rounded to float once)
 * </pre>
 * where γ is SplitMix64's golden-ratio increment and {@code mix} its finaliser. Integer arithmetic
 * only (plus one exact double compare): the same bits in every JIT tier and on every machine.
 *
 * <p>{@link #draw} and {@link #apply} run the kernel family {@link DropoutSupport} chosen by
 * {@link Kernels}: {@link SimdDropout} (the hash on 64-bit vector lanes) or its twin
 * {@link ScalarDropout}, which give the same bits.
 */
public final class DropoutMask {
    private static final DropoutSupport IMPL = Kernels.dropout();

    /** SplitMix64's increment, ⌊2⁶⁴/φ⌋ (odd). */
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private DropoutMask() {}

    /** The key of call number {@code call} of the stream with this seed (computed once per call). */
    public static long callKey(long seed, long call) {
        return mix(seed + GAMMA * call);
    }

    /** A uniform number in [0, 1) for element {@code index} of the call with this key. */
    public static double uniform(long callKey, long index) {
        return (mix(callKey + GAMMA * (index + 1)) >>> 11) * 0x1.0p-53;
    }

    /** The kept elements' scale, {@code 1/(1 − p)} in float. */
    public static float keepScale(float p) {
        return 1f / (1f - p);
    }

    /**
     * mask[i] = (uniform(callKey, first + i) &lt; p ? 0 : 1/(1 − p)) for i in [0, n): the mask of
     * elements first … first + n − 1 of this call. {@code p} in [0, 1).
     */
    public static void draw(long callKey, long first, float p, MemorySegment mask, long maskOff, long n) {
        checkP(p);
        Spans.check("DropoutMask.draw", "mask", mask, maskOff, n);
        IMPL.draw(callKey, first, p, keepScale(p), mask, maskOff, n);
    }

    /**
     * Draws the mask as {@link #draw} and applies it in the same pass: {@code y[i] = x[i]·mask[i]}
     * for i in [0, n). y may be x; mask must overlap neither.
     */
    public static void apply(long callKey, long first, float p, MemorySegment x, long xOff,
                             MemorySegment mask, long maskOff, MemorySegment y, long yOff, long n) {
        checkP(p);
        Spans.check("DropoutMask.apply", "x", x, xOff, n);
        Spans.check("DropoutMask.apply", "mask", mask, maskOff, n);
        Spans.check("DropoutMask.apply", "y", y, yOff, n);
        IMPL.apply(callKey, first, p, keepScale(p), x, xOff, mask, maskOff, y, yOff, n);
    }

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void checkP(float p) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
    }
}
