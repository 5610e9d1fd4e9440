package dev.recur.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Per-vector maths for SIMD kernels: call these inline on a {@link FloatVector} of species
 * {@link Simd#F} (nothing is boxed once C2 inlines them). Only load this class after
 * {@link Engine#vectorApiAvailable()} said yes.
 *
 * <p>exp and σ use the JDK's lane-wise EXP (an SVML routine on x86, ≤ 1 ulp); tanh is our own
 * rational approximation, faster here than the lane-wise TANH and than tanh through EXP. The JMH
 * numbers and the tested error bounds are in {@code docs/kernels.md}.
 *
 * <p>Call these from a kernel method that C2 compiles as its own root; a long chain of inlined
 * vector calls can run out of C2's inlining depth and fall back to boxed vectors.
 */
public final class SimdMath {
    private SimdMath() {}

    private static final FloatVector ONE = FloatVector.broadcast(Simd.F, 1f);

    /** e^x per lane. */
    public static FloatVector exp(FloatVector x) {
        return x.lanewise(VectorOperators.EXP);
    }

    /** tanh(x) per lane, the JDK's lane-wise operator (kept for comparison: slower than {@link #tanh}). */
    public static FloatVector tanhLanewise(FloatVector x) {
        return x.lanewise(VectorOperators.TANH);
    }

    /** Where tanh rounds to ±1 in float (tanh(9) = 1 − 3e-8): inputs are clamped to ±9. */
    private static final float TANH_CLAMP = 9f;

    /**
     * tanh(x) ≈ x·P(x²)/Q(x²), P and Q of degree 4 in x², a minimax fit of our own on [0, 9]
     * ({@code docs/kernels.md} has the script). Absolute error ≤ 4e-7 everywhere (relative ≤ 4e-7
     * near 0, so tiny x stays exact to float precision), result clamped to [−1, 1]; ±∞ → ±1, NaN → NaN.
     */
    public static FloatVector tanh(FloatVector x) {
        FloatVector c = x.max(-TANH_CLAMP).min(TANH_CLAMP);
        FloatVector s = c.mul(c);
        FloatVector p = s.fma(1.3183977465303087e-08f, 2.0471643438213505e-05f);
        p = p.fma(s, k(0.00348657020367682f));
        p = p.fma(s, k(0.133731871843338f));
        p = p.fma(s, k(0.9999998807907104f));
        FloatVector q = s.fma(7.702560083089338e-07f, 0.00032713665859773755f);
        q = q.fma(s, k(0.025841934606432915f));
        q = q.fma(s, k(0.46706485748291016f));
        q = q.fma(s, k(1f));
        return c.mul(p).div(q).max(-1f).min(1f);
    }

    private static FloatVector k(float v) { return FloatVector.broadcast(Simd.F, v); }

    /** σ(x) = 1 / (1 + e^(−x)) per lane: exact limits 0 and 1, relative accuracy kept for x ≪ 0. */
    public static FloatVector sigmoid(FloatVector x) {
        return ONE.div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    /**
     * Flush to zero: lanes with |x| < {@link Float#MIN_NORMAL} (subnormals, ±0) become +0, all
     * others (normals, ±∞, NaN) are unchanged. One compare and one blend.
     */
    public static FloatVector flushTiny(FloatVector x) {
        return x.blend(0f, x.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
    }
}
