package dev.recur.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Per-vector maths for SIMD kernels: call these inline on a {@link FloatVector} of species
 * {@link Simd#F} (nothing is boxed once C2 inlines them). Only load this class after
 * {@link Engine#vectorApiAvailable()} said yes.
 *
 * <p>exp, σ and tanh are built only from IEEE-exact vector operations (add, mul, div, fma, min/max,
 * integer shifts and bit reinterpretation), never from the JDK's lane-wise EXP/TANH: those are
 * SVML intrinsics in C2 code but per-lane {@code Math.exp/tanh} in the interpreter and C1, and the
 * two differ in the last bit for some inputs, so results would depend on JIT timing. Ours give the
 * same bits in every tier. The JMH numbers and the tested error bounds are in {@code docs/kernels.md}.
 *
 * <p>Call these from a kernel method that C2 compiles as its own root; a long chain of inlined
 * vector calls can run out of C2's inlining depth and fall back to boxed vectors.
 */
public final class SimdMath {
    private SimdMath() {}

    private static final FloatVector ONE = FloatVector.broadcast(Simd.F, 1f);

    // exp: x = n·ln2 + r with n = round(x·log2 e) (by the 1.5·2^23 trick: adding it leaves n in
    // the low mantissa bits), r = x − n·ln2 in two fma steps (Cody–Waite: ln2 = LN2_HI + LN2_LO,
    // LN2_HI with few bits so n·LN2_HI is exact), e^r by its Taylor series to r^7 (|r| ≤ 0.347:
    // truncation < 6e-9 relative), and 2^n = 2^a·2^(n−a) with a = n >> 1, each factor built from its
    // exponent bits, so n from −150 (x = −104) to 128 (x = 89) scales with one final rounding,
    // subnormal results and overflow to ∞ included.
    // Constants are ready vectors: the scalar-operand forms (v.add(1f), k(c)) each inline a
    // broadcast, and with ~20 operations that ran C2 past its node budget, which boxed vectors.
    private static final FloatVector LO = k(-104f), HI = k(89f);
    private static final FloatVector LOG2E = k(1.44269504f);
    private static final FloatVector ROUND = k(12582912f); // 1.5·2^23
    private static final FloatVector MINUS_LN2_HI = k(-0.693359375f), MINUS_LN2_LO = k(2.12194440e-4f);
    private static final FloatVector E7 = k(1f / 5040), E6 = k(1f / 720), E5 = k(1f / 120), E4 = k(1f / 24),
            E3 = k(1f / 6), E2 = k(0.5f);
    private static final IntVector ROUND_BITS = ROUND.reinterpretAsInts();
    private static final IntVector BIAS = k(Float.intBitsToFloat(127)).reinterpretAsInts();

    /**
     * e^x per lane, arithmetic only (same bits in every JIT tier). Error ≤ 1.03 ulp of the float
     * result against double {@code Math.exp} where the result is normal (measured on a 1 M-point
     * sweep of [−104, 89]; {@code SimdMathTest} pins ≤ 2 ulp); subnormal results and overflow to +∞
     * as {@code Math.exp}; −∞ → 0, +∞ → +∞, NaN → NaN.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(LO).min(HI);
        FloatVector t = c.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(MINUS_LN2_LO, n.fma(MINUS_LN2_HI, c));
        return scaleByTwoToN(expPoly(r), t);
    }

    /** e^r for |r| ≤ 0.35: 1 + r + r²·(1/2 + r/6 + … + r⁵/5040), Horner with fma. */
    private static FloatVector expPoly(FloatVector r) {
        FloatVector p = r.fma(E7, E6).fma(r, E5).fma(r, E4).fma(r, E3).fma(r, E2);
        return p.fma(r.mul(r), r).add(ONE);
    }

    /** p · 2^n, n in the low mantissa bits of t = n + 1.5·2^23, as (p · 2^a) · 2^(n−a), a = n >> 1. */
    private static FloatVector scaleByTwoToN(FloatVector p, FloatVector t) {
        IntVector n = t.reinterpretAsInts().sub(ROUND_BITS);
        IntVector a = n.lanewise(VectorOperators.ASHR, 1);
        FloatVector sa = a.add(BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector sb = n.sub(a).add(BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(sa).mul(sb);
    }

    /**
     * tanh(x) per lane, the JDK's lane-wise operator. Kept only as a benchmark baseline: no kernel
     * calls it, because its bits differ between C2 (SVML) and the interpreter/C1 (Math.tanh).
     */
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
        FloatVector c = x.max(TANH_LO).min(TANH_HI);
        FloatVector s = c.mul(c);
        FloatVector p = s.fma(P4, P3).fma(s, P2).fma(s, P1).fma(s, P0);
        FloatVector q = s.fma(Q4, Q3).fma(s, Q2).fma(s, Q1).fma(s, ONE);
        return c.mul(p).div(q).max(MINUS_ONE).min(ONE);
    }

    private static final FloatVector TANH_LO = k(-TANH_CLAMP), TANH_HI = k(TANH_CLAMP), MINUS_ONE = k(-1f);
    private static final FloatVector P4 = k(1.3183977465303087e-08f), P3 = k(2.0471643438213505e-05f),
            P2 = k(0.00348657020367682f), P1 = k(0.133731871843338f), P0 = k(0.9999998807907104f);
    private static final FloatVector Q4 = k(7.702560083089338e-07f), Q3 = k(0.00032713665859773755f),
            Q2 = k(0.025841934606432915f), Q1 = k(0.46706485748291016f);

    private static FloatVector k(float v) { return FloatVector.broadcast(Simd.F, v); }

    /**
     * σ(x) = 1 / (1 + e^(−x)) per lane on {@link #exp}, arithmetic only: exact limits 0 and 1,
     * relative accuracy kept for x ≪ 0.
     */
    public static FloatVector sigmoid(FloatVector x) {
        return ONE.div(exp(x.neg()).add(ONE));
    }

    /**
     * Flush to zero: lanes with |x| &lt; {@link Float#MIN_NORMAL} (subnormals, ±0) become +0, all
     * others (normals, ±∞, NaN) are unchanged. One compare and one blend.
     */
    public static FloatVector flushTiny(FloatVector x) {
        return x.blend(0f, x.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
    }
}
