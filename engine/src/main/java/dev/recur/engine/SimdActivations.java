package dev.recur.engine;

import static dev.recur.engine.Simd.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The SIMD twin of {@link ScalarActivations}: σ, tanh and exp over blocks of rows, each element
 * {@code y[r][j] = f(x[r][j] + bias[j])}, as self-contained loops.
 *
 * <p><b>Same bits in every JIT tier.</b> The maths is built only from IEEE-exact vector operations
 * (add, sub, mul, div, fma, min/max, integer shifts, bit reinterpretation), never from the JDK's
 * lane-wise EXP/TANH: those are SVML intrinsics in C2 code but per-lane {@code Math.exp/tanh} in the
 * interpreter and C1, and the two differ in the last bit for some inputs.
 *
 * <p><b>No boxing by construction.</b> Each loop is one method whose body calls only the Vector API
 * (whose methods are all force-inlined intrinsics): no vector value is passed to or returned from a
 * method of ours, so no compilation order (a helper compiled on its own first and then too big to
 * inline) can make C2 box one. No masks either (masked operations made the bodies too big for C1,
 * which then never handed them to C2): columns past the last whole vector go through the scalar
 * ports ({@link ScalarActivations#sigmoidArithmetic}, {@code tanhArithmetic}, {@code expArithmetic}),
 * the same operations lane for lane, so every element gets the same bits wherever it sits. The
 * other kernels (the cells, softmax) call these loops with segments and offsets, never with vectors.
 *
 * <p>Errors against double-precision {@code Math} (measured, {@code docs/kernels.md}): σ ≤ 2e-7
 * relative; tanh ≤ 1.2e-7 absolute (≤ 3.6e-8 for |x| ≥ 2, so 1 − tanh² stays accurate near ±1), ≤ 3
 * ulp relative; exp ≤ 1.03 ulp.
 */
public final class SimdActivations implements ActivationsSupport {
    /** The one instance ({@link Kernels} hands it out to {@link Activations}; the cell and row kernels call it directly). */
    public static final SimdActivations INSTANCE = new SimdActivations();

    private SimdActivations() {}

    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final int L = F.length();

    // The constants are ScalarActivations' (shared with the scalar port of tanh); each loop
    // broadcasts the ones it needs into local vectors before it starts (no vector lives in a field).
    private static final float EXP_LO = ScalarActivations.EXP_LO, EXP_HI = ScalarActivations.EXP_HI;
    private static final float LOG2E = ScalarActivations.LOG2E, ROUND = ScalarActivations.ROUND;
    private static final float MINUS_LN2_HI = ScalarActivations.MINUS_LN2_HI, MINUS_LN2_LO = ScalarActivations.MINUS_LN2_LO;
    private static final float E7 = ScalarActivations.E7, E6 = ScalarActivations.E6, E5 = ScalarActivations.E5,
            E4 = ScalarActivations.E4, E3 = ScalarActivations.E3, E2 = ScalarActivations.E2;
    private static final int ROUND_BITS = ScalarActivations.ROUND_BITS, EXP_BIAS = 127, SIGN = 0x8000_0000;
    private static final float TANH_CLAMP = ScalarActivations.TANH_CLAMP;

    /** −0 floats standing in for an absent bias: x + (−0) = x for every x, −0 included. */
    private static volatile MemorySegment minusZeros = MemorySegment.NULL;

    /** At least n floats of −0 (shared, read only; grown on demand). */
    static MemorySegment minusZeros(int n) {
        MemorySegment z = minusZeros;
        if (z.byteSize() < (long) n * 4) {
            synchronized (SimdActivations.class) {
                z = minusZeros;
                if (z.byteSize() < (long) n * 4) {
                    long floats = Math.max(1024, Long.highestOneBit(Math.max(1, n)) * 2);
                    MemorySegment s = java.lang.foreign.Arena.global().allocate(floats * 4, 64);
                    for (long i = 0; i < floats; i++) s.setAtIndex(FloatMatrix.FLOAT, i, -0f);
                    minusZeros = z = s;
                }
            }
        }
        return z;
    }

    // ------------------------------------------------------------------ spans

    /** y[i] = σ(x[i]) for i in [0, n). */
    @Override
    public void sigmoid(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        sigmoidRows(n == 0 ? 0 : 1, n, x, xOff, n, null, 0, y, yOff, n);
    }

    /** y[i] = tanh(x[i]) for i in [0, n). */
    @Override
    public void tanh(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        tanhRows(n == 0 ? 0 : 1, n, x, xOff, n, null, 0, y, yOff, n);
    }

    /** y[i] = e^(x[i]) for i in [0, n). */
    @Override
    public void exp(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        expRows(n == 0 ? 0 : 1, n, x, xOff, n, y, yOff, n);
    }

    // ------------------------------------------------------------------ blocks of rows

    /**
     * y[r·ldy + j] = σ(x[r·ldx + j] + bias[j]) for r &lt; rows, j &lt; cols; bias null means none.
     * σ(x) = 1 / (1 + e^(−x)) on the arithmetic exp (2^n applied in two halves so results down to
     * subnormals round once). In place allowed (y = x with the same leading dimension).
     */
    public void sigmoidRows(int rows, int cols, MemorySegment x, long xOff, int ldx,
                                   MemorySegment bias, long bOff, MemorySegment y, long yOff, int ldy) {
        MemorySegment b = bias != null ? bias : minusZeros(cols);
        long b0 = bias != null ? bOff : 0;
        int upper = F.loopBound(cols);
        FloatVector one = FloatVector.broadcast(F, 1f), lo = FloatVector.broadcast(F, EXP_LO);
        FloatVector hi = FloatVector.broadcast(F, EXP_HI), log2e = FloatVector.broadcast(F, LOG2E);
        FloatVector round = FloatVector.broadcast(F, ROUND), ln2Hi = FloatVector.broadcast(F, MINUS_LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(F, MINUS_LN2_LO), e7 = FloatVector.broadcast(F, E7);
        FloatVector e6 = FloatVector.broadcast(F, E6), e5 = FloatVector.broadcast(F, E5);
        FloatVector e4 = FloatVector.broadcast(F, E4), e3 = FloatVector.broadcast(F, E3), e2 = FloatVector.broadcast(F, E2);
        IntVector roundBits = IntVector.broadcast(Simd.I, ROUND_BITS), bias127 = IntVector.broadcast(Simd.I, EXP_BIAS);
        for (int r = 0; r < rows; r++) {
            long xr = (xOff + (long) r * ldx) * 4, yr = (yOff + (long) r * ldy) * 4;
            for (int j = 0; j < upper; j += L) {
                FloatVector v = FloatVector.fromMemorySegment(F, x, xr + j * 4L, NO)
                        .add(FloatVector.fromMemorySegment(F, b, (b0 + j) * 4, NO));
                // e^(−v)
                FloatVector c = v.neg().max(lo).min(hi);
                FloatVector t = c.fma(log2e, round);
                FloatVector n = t.sub(round);
                FloatVector rr = n.fma(ln2Lo, n.fma(ln2Hi, c));
                FloatVector p = rr.fma(e7, e6).fma(rr, e5).fma(rr, e4).fma(rr, e3).fma(rr, e2);
                FloatVector er = p.fma(rr.mul(rr), rr).add(one);
                IntVector ni = t.reinterpretAsInts().sub(roundBits);
                IntVector a = ni.lanewise(VectorOperators.ASHR, 1);
                FloatVector sa = a.add(bias127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector sb = ni.sub(a).add(bias127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector e = er.mul(sa).mul(sb);
                one.div(e.add(one)).intoMemorySegment(y, yr + j * 4L, NO);
            }
            for (int j = upper; j < cols; j++) {
                y.setAtIndex(FloatMatrix.FLOAT, yOff + (long) r * ldy + j, ScalarActivations.sigmoidArithmetic(
                        x.getAtIndex(FloatMatrix.FLOAT, xOff + (long) r * ldx + j) + b.getAtIndex(FloatMatrix.FLOAT, b0 + j)));
            }
        }
    }

    /**
     * y[r·ldy + j] = tanh(x[r·ldx + j] + bias[j]) for r &lt; rows, j &lt; cols; bias null means none.
     * With a = min(|x|, 10) and E = e^{2a} − 1 (an arithmetic expm1, accurate also for tiny a):
     * tanh(a) = E / (E + 2) for a &lt; ½ (no cancellation near 0) and 1 − 2/(E + 2) for a ≥ ½
     * (error ≈ half an ulp of 1 near ±1); the sign of x is copied back (tanh(−0) = −0, NaN → NaN).
     * Lane for lane the bits of {@link ScalarActivations#tanhArithmetic}. In place allowed.
     */
    @Override
    public void tanhRows(int rows, int cols, MemorySegment x, long xOff, int ldx,
                                MemorySegment bias, long bOff, MemorySegment y, long yOff, int ldy) {
        MemorySegment b = bias != null ? bias : minusZeros(cols);
        long b0 = bias != null ? bOff : 0;
        int upper = F.loopBound(cols);
        FloatVector one = FloatVector.broadcast(F, 1f), two = FloatVector.broadcast(F, 2f);
        FloatVector minusTwo = FloatVector.broadcast(F, -2f), half = FloatVector.broadcast(F, 0.5f);
        FloatVector clamp = FloatVector.broadcast(F, TANH_CLAMP), log2e = FloatVector.broadcast(F, LOG2E);
        FloatVector round = FloatVector.broadcast(F, ROUND), ln2Hi = FloatVector.broadcast(F, MINUS_LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(F, MINUS_LN2_LO), e7 = FloatVector.broadcast(F, E7);
        FloatVector e6 = FloatVector.broadcast(F, E6), e5 = FloatVector.broadcast(F, E5);
        FloatVector e4 = FloatVector.broadcast(F, E4), e3 = FloatVector.broadcast(F, E3), e2 = FloatVector.broadcast(F, E2);
        IntVector roundBits = IntVector.broadcast(Simd.I, ROUND_BITS), bias127 = IntVector.broadcast(Simd.I, EXP_BIAS);
        IntVector sign = IntVector.broadcast(Simd.I, SIGN);
        for (int r = 0; r < rows; r++) {
            long xr = (xOff + (long) r * ldx) * 4, yr = (yOff + (long) r * ldy) * 4;
            for (int j = 0; j < upper; j += L) {
                FloatVector v = FloatVector.fromMemorySegment(F, x, xr + j * 4L, NO)
                        .add(FloatVector.fromMemorySegment(F, b, (b0 + j) * 4, NO));
                FloatVector a = v.abs().min(clamp);
                FloatVector y2 = a.add(a);
                // E = e^{y2} − 1 = 2^n·(e^r − 1) + (2^n − 1), n in [0, 29], one rounding in the fma
                FloatVector t = y2.fma(log2e, round);
                FloatVector n = t.sub(round);
                FloatVector rr = n.fma(ln2Lo, n.fma(ln2Hi, y2));
                FloatVector p = rr.fma(e7, e6).fma(rr, e5).fma(rr, e4).fma(rr, e3).fma(rr, e2);
                FloatVector q = p.fma(rr.mul(rr), rr);
                FloatVector s = t.reinterpretAsInts().sub(roundBits).add(bias127)
                        .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector em1 = s.fma(q, s.sub(one));
                FloatVector rcp = one.div(em1.add(two));
                FloatVector th = rcp.fma(minusTwo, one).blend(em1.mul(rcp), a.compare(VectorOperators.LT, half));
                th.reinterpretAsInts().or(v.reinterpretAsInts().and(sign)).reinterpretAsFloats()
                        .intoMemorySegment(y, yr + j * 4L, NO);
            }
            for (int j = upper; j < cols; j++) {
                y.setAtIndex(FloatMatrix.FLOAT, yOff + (long) r * ldy + j, ScalarActivations.tanhArithmetic(
                        x.getAtIndex(FloatMatrix.FLOAT, xOff + (long) r * ldx + j) + b.getAtIndex(FloatMatrix.FLOAT, b0 + j)));
            }
        }
    }

    /**
     * y[r·ldy + j] = e^(x[r·ldx + j]) for r &lt; rows, j &lt; cols: x clamped to [−104, 89], 2^n in
     * two halves (a = n >> 1) so subnormal results and overflow to +∞ come out with one final
     * rounding; −∞ → 0, +∞ → +∞, NaN → NaN. In place allowed.
     */
    public void expRows(int rows, int cols, MemorySegment x, long xOff, int ldx,
                               MemorySegment y, long yOff, int ldy) {
        int upper = F.loopBound(cols);
        FloatVector one = FloatVector.broadcast(F, 1f), lo = FloatVector.broadcast(F, EXP_LO);
        FloatVector hi = FloatVector.broadcast(F, EXP_HI), log2e = FloatVector.broadcast(F, LOG2E);
        FloatVector round = FloatVector.broadcast(F, ROUND), ln2Hi = FloatVector.broadcast(F, MINUS_LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(F, MINUS_LN2_LO), e7 = FloatVector.broadcast(F, E7);
        FloatVector e6 = FloatVector.broadcast(F, E6), e5 = FloatVector.broadcast(F, E5);
        FloatVector e4 = FloatVector.broadcast(F, E4), e3 = FloatVector.broadcast(F, E3), e2 = FloatVector.broadcast(F, E2);
        IntVector roundBits = IntVector.broadcast(Simd.I, ROUND_BITS), bias127 = IntVector.broadcast(Simd.I, EXP_BIAS);
        for (int r = 0; r < rows; r++) {
            long xr = (xOff + (long) r * ldx) * 4, yr = (yOff + (long) r * ldy) * 4;
            for (int j = 0; j < upper; j += L) {
                FloatVector c = FloatVector.fromMemorySegment(F, x, xr + j * 4L, NO).max(lo).min(hi);
                FloatVector t = c.fma(log2e, round);
                FloatVector n = t.sub(round);
                FloatVector rr = n.fma(ln2Lo, n.fma(ln2Hi, c));
                FloatVector p = rr.fma(e7, e6).fma(rr, e5).fma(rr, e4).fma(rr, e3).fma(rr, e2);
                FloatVector er = p.fma(rr.mul(rr), rr).add(one);
                IntVector ni = t.reinterpretAsInts().sub(roundBits);
                IntVector a = ni.lanewise(VectorOperators.ASHR, 1);
                FloatVector sa = a.add(bias127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector sb = ni.sub(a).add(bias127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                er.mul(sa).mul(sb).intoMemorySegment(y, yr + j * 4L, NO);
            }
            for (int j = upper; j < cols; j++) {
                y.setAtIndex(FloatMatrix.FLOAT, yOff + (long) r * ldy + j,
                        ScalarActivations.expArithmetic(x.getAtIndex(FloatMatrix.FLOAT, xOff + (long) r * ldx + j)));
            }
        }
    }
}
