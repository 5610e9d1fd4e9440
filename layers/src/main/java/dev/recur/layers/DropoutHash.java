package dev.recur.layers;

/**
 * The counter-based random numbers behind every dropout mask in Recur ({@link Dropout} and the
 * inter-layer dropout of {@link dev.recur.layers.rnn.RecurrentLayer}).
 *
 * <p>Element {@code i} of call {@code c} of a stream with seed {@code s} draws
 * <pre>
 *   key = mix(s + γ·c),   u = (mix(key + γ·(i + 1)) >>> 11) · 2⁻⁵³   ∈ [0, 1)
 * </pre>
 * where γ is the golden-ratio increment and {@code mix} SplitMix64's finaliser. A mask is thus a pure
 * function of (seed, call number, element index): it does not depend on threads or on any hidden
 * generator position, and resuming a stream exactly needs only its call counter.
 */
public final class DropoutHash {
    /** SplitMix64's increment, ⌊2⁶⁴/φ⌋ (odd). */
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private DropoutHash() {}

    /** The key of call number {@code call} of the stream with this seed (computed once per call). */
    public static long callKey(long seed, long call) {
        return mix(seed + GAMMA * call);
    }

    /** A uniform number in [0, 1) for element {@code index} of the call with this key. */
    public static double uniform(long callKey, long index) {
        return (mix(callKey + GAMMA * (index + 1)) >>> 11) * 0x1.0p-53;
    }

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
