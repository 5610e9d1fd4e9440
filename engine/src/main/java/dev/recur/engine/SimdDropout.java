package dev.recur.engine;

import static dev.recur.engine.FloatMatrix.FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD twin of {@link ScalarDropout}: the SplitMix64 hash of {@link DropoutMask} on
 * {@link Simd#L} long lanes (64-bit multiplies, shifts, xors: exact integer operations), the
 * resulting masks on {@link Simd#F_HALF} float lanes (as many as the long lanes), then a scalar
 * tail with the twin's expression.
 *
 * <p>The twin tests {@code u < p} with u = (h >>> 11)·2⁻⁵³ in double; here the same test is done on
 * the integer k = h >>> 11 ∈ [0, 2⁵³): k·2⁻⁵³ &lt; p ⟺ k &lt; ⌈p·2⁵³⌉ (p·2⁵³ is exact in double, p
 * being a float), so the masks are bit for bit the twin's. Lane l of the vector at element i holds
 * the counter γ·(first + i + l + 1) + key, advanced by γ·lanes per vector (integer addition wraps
 * the same in any order).
 */
public final class SimdDropout implements DropoutSupport {
    /** The one instance ({@link Kernels} hands it out; tests hold the twins to each other through it). */
    public static final SimdDropout INSTANCE = new SimdDropout();

    private SimdDropout() {}

    private static final VectorSpecies<Long> LS = Simd.L;
    private static final VectorSpecies<Float> FS = Simd.F_HALF;
    private static final int LANES = LS.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    private static final long M1 = 0xBF58476D1CE4E5B9L, M2 = 0x94D049BB133111EBL;

    /** ⌈p·2⁵³⌉: k &lt; this exactly when k·2⁻⁵³ &lt; p. */
    static long threshold(float p) {
        return (long) Math.ceil(p * 0x1.0p53);
    }

    @Override
    public void draw(long callKey, long first, float p, float keep, MemorySegment mask, long maskOff, long n) {
        LongVector thr = LongVector.broadcast(LS, threshold(p));
        FloatVector keepV = FloatVector.broadcast(FS, keep), zero = FloatVector.zero(FS);
        LongVector step = LongVector.broadcast(LS, GAMMA * LANES);
        LongVector z = LongVector.zero(LS).addIndex(1).mul(GAMMA).add(callKey + GAMMA * (first + 1));
        long i = 0;
        for (long end = n - n % LANES; i < end; i += LANES) {
            LongVector h = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(M1);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 27)).mul(M2);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 31));
            VectorMask<Long> drop = h.lanewise(VectorOperators.LSHR, 11).compare(VectorOperators.LT, thr);
            keepV.blend(zero, drop.cast(FS)).intoMemorySegment(mask, (maskOff + i) * 4L, NATIVE);
            z = z.add(step);
        }
        for (; i < n; i++) {
            mask.setAtIndex(FLOAT, maskOff + i, DropoutMask.uniform(callKey, first + i) < p ? 0f : keep);
        }
    }

    @Override
    public void apply(long callKey, long first, float p, float keep, MemorySegment x, long xOff,
                      MemorySegment mask, long maskOff, MemorySegment y, long yOff, long n) {
        LongVector thr = LongVector.broadcast(LS, threshold(p));
        FloatVector keepV = FloatVector.broadcast(FS, keep), zero = FloatVector.zero(FS);
        LongVector step = LongVector.broadcast(LS, GAMMA * LANES);
        LongVector z = LongVector.zero(LS).addIndex(1).mul(GAMMA).add(callKey + GAMMA * (first + 1));
        long i = 0;
        for (long end = n - n % LANES; i < end; i += LANES) {
            LongVector h = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(M1);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 27)).mul(M2);
            h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 31));
            VectorMask<Long> drop = h.lanewise(VectorOperators.LSHR, 11).compare(VectorOperators.LT, thr);
            FloatVector m = keepV.blend(zero, drop.cast(FS));
            m.intoMemorySegment(mask, (maskOff + i) * 4L, NATIVE);
            FloatVector.fromMemorySegment(FS, x, (xOff + i) * 4L, NATIVE).mul(m).intoMemorySegment(y, (yOff + i) * 4L, NATIVE);
            z = z.add(step);
        }
        for (; i < n; i++) {
            float v = DropoutMask.uniform(callKey, first + i) < p ? 0f : keep;
            mask.setAtIndex(FLOAT, maskOff + i, v);
            y.setAtIndex(FLOAT, yOff + i, x.getAtIndex(FLOAT, xOff + i) * v);
        }
    }
}
