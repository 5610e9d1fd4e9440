package dev.recur.engine;

import static dev.recur.engine.FloatMatrix.FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * The scalar twin of {@link SimdActivations}: one element at a time, computed in double precision with
 * {@link Math} and rounded to float once. Same contract as the SIMD kernels (in place allowed:
 * {@code x} and {@code y} may be the same span); the reference the tests hold them to.
 */
public final class ScalarActivations implements ActivationsSupport {
    /** The one instance ({@link Kernels} hands it out to {@link Activations} without the Vector API). */
    public static final ScalarActivations INSTANCE = new ScalarActivations();

    private ScalarActivations() {}

    /** σ(x) = 1 / (1 + e^(−x)). */
    public static float sigmoid(float x) { return (float) (1.0 / (1.0 + Math.exp(-x))); }

    /** tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)). */
    public static float tanh(float x) { return (float) Math.tanh(x); }

    /** e^x. */
    public static float exp(float x) { return (float) Math.exp(x); }

    // The arithmetic exp/tanh constants (also read by SimdActivations). exp: x = n·ln2 + r with
    // n = round(x·log2 e) (adding 1.5·2^23 leaves n in the low mantissa bits), r = x − n·ln2 in two
    // fma steps (Cody–Waite: ln2 = 0.693359375 − 2.12194440e-4, the first part with few bits so
    // n·LN2_HI is exact), e^r − 1 = r + r²·(1/2 + r/6 + … + r⁵/5040) (|r| ≤ 0.347: truncation
    // < 6e-9 relative), 2^n from exponent bits.
    static final float EXP_LO = -104f, EXP_HI = 89f, LOG2E = 1.44269504f, ROUND = 12582912f; // 1.5·2^23
    static final float MINUS_LN2_HI = -0.693359375f, MINUS_LN2_LO = 2.12194440e-4f;
    static final float E7 = 1f / 5040, E6 = 1f / 720, E5 = 1f / 120, E4 = 1f / 24, E3 = 1f / 6, E2 = 0.5f;
    static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    /** tanh(x) rounds to ±1 in float for |x| > 9.01: inputs are clamped to ±10. */
    static final float TANH_CLAMP = 10f;

    /**
     * e^x from IEEE-exact float operations only, the scalar form of {@link SimdActivations#expRows}
     * (same operations, same bits; used for the columns past the last whole vector): x clamped to
     * [−104, 89], 2^n applied as 2^a·2^(n−a), a = n >> 1, so subnormal results round once.
     */
    public static float expArithmetic(float x) {
        float c = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(c, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, MINUS_LN2_LO, Math.fma(n, MINUS_LN2_HI, c));
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, E7, E6), r, E5), r, E4), r, E3), r, E2);
        float er = Math.fma(p, r * r, r) + 1f;
        int ni = Float.floatToRawIntBits(t) - ROUND_BITS, a = ni >> 1;
        return er * Float.intBitsToFloat((a + 127) << 23) * Float.intBitsToFloat((ni - a + 127) << 23);
    }

    /** σ(x) = 1 / (e^(−x) + 1) on {@link #expArithmetic}: the scalar form of {@link SimdActivations#sigmoidRows}. */
    public static float sigmoidArithmetic(float x) {
        return 1f / (expArithmetic(-x) + 1f);
    }

    /**
     * tanh(x) from IEEE-exact float operations only, the scalar form of the SIMD kernel
     * ({@link SimdActivations#tanhRows}, same operations, same bits): with a = min(|x|, 10) and
     * E = e^{2a} − 1, tanh = E/(E + 2) for a &lt; ½ and 1 − 2/(E + 2) otherwise, sign of x copied
     * back. Max error against {@code Math.tanh} over every float: 8.7e-8 absolute (3.4e-8 for
     * |x| ≥ 2), 2.2e-7 relative. The cell kernels' twins use it, so both give the same τ and the
     * twins' agreement tests what they should (the update maths), not a 1-ulp tanh difference
     * amplified by cancellation in dc.
     */
    public static float tanhArithmetic(float x) {
        float a = Math.min(Math.abs(x), TANH_CLAMP);
        float y2 = a + a;
        float t = Math.fma(y2, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, MINUS_LN2_LO, Math.fma(n, MINUS_LN2_HI, y2));
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, E7, E6), r, E5), r, E4), r, E3), r, E2);
        float q = Math.fma(p, r * r, r);                                      // e^r − 1
        float s = Float.intBitsToFloat((Float.floatToRawIntBits(t) - ROUND_BITS + 127) << 23); // 2^n
        float em1 = Math.fma(s, q, s - 1f);                                   // e^{2a} − 1
        float rcp = 1f / (em1 + 2f);
        float th = a < 0.5f ? em1 * rcp : Math.fma(rcp, -2f, 1f);
        return Float.intBitsToFloat(Float.floatToRawIntBits(th) | (Float.floatToRawIntBits(x) & 0x8000_0000));
    }

    /** y[i] = σ(x[i]) for i in [0, n). */
    @Override
    public void sigmoid(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int i = 0; i < n; i++) y.setAtIndex(FLOAT, yOff + i, sigmoid(x.getAtIndex(FLOAT, xOff + i)));
    }

    /** y[i] = tanh(x[i]) for i in [0, n). */
    @Override
    public void tanh(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int i = 0; i < n; i++) y.setAtIndex(FLOAT, yOff + i, tanh(x.getAtIndex(FLOAT, xOff + i)));
    }

    /** y[i] = e^(x[i]) for i in [0, n). */
    @Override
    public void exp(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int i = 0; i < n; i++) y.setAtIndex(FLOAT, yOff + i, exp(x.getAtIndex(FLOAT, xOff + i)));
    }

    /** y[r·ldy + j] = tanh(x[r·ldx + j] + bias[j]) for r &lt; rows, j &lt; cols; bias null means none. */
    @Override
    public void tanhRows(int rows, int cols, MemorySegment x, long xOff, int ldx,
                         MemorySegment bias, long bOff, MemorySegment y, long yOff, int ldy) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float v = x.getAtIndex(FLOAT, xOff + (long) r * ldx + j);
                if (bias != null) v += bias.getAtIndex(FLOAT, bOff + j);
                y.setAtIndex(FLOAT, yOff + (long) r * ldy + j, tanh(v));
            }
        }
    }
}
