package dev.recur.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Per-vector maths for SIMD kernels: call these inline on a {@link FloatVector} of species
 * {@link Simd#F} (nothing is boxed once C2 inlines them). Only load this class after
 * {@link Engine#vectorApiAvailable()} said yes.
 *
 * <p>exp and tanh are the JDK's lane-wise operators (on x86 they compile to Intel SVML routines);
 * they measured faster than hand-written rational approximations here and are accurate to a few
 * ulp: see {@code docs/kernels.md} for the numbers and the tested error bounds.
 */
public final class SimdMath {
    private SimdMath() {}

    private static final FloatVector ONE = FloatVector.broadcast(Simd.F, 1f);

    /** e^x per lane. */
    public static FloatVector exp(FloatVector x) {
        return x.lanewise(VectorOperators.EXP);
    }

    /** tanh(x) per lane. */
    public static FloatVector tanh(FloatVector x) {
        return x.lanewise(VectorOperators.TANH);
    }

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
