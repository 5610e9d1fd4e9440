package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.*;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class SimdMathTest {

    @Test
    void flushTinyZeroesSubnormalsAndKeepsEverythingElse() {
        float[] in = {Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL / 2, -1.1e-38f, 1.1754942e-38f,
                Float.MIN_NORMAL, -Float.MIN_NORMAL, 1.2e-38f, 1e-30f, -3f, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -0f, 0f};
        float[] expected = {0f, 0f, 0f, 0f, 0f,
                Float.MIN_NORMAL, -Float.MIN_NORMAL, 1.2e-38f, 1e-30f, -3f, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0f, 0f};
        for (int i = 0; i < 5; i++) assertTrue(Math.abs(in[i]) < Float.MIN_NORMAL && in[i] != 0f, "input " + i + " is subnormal");
        int lanes = Simd.LANES;
        for (int start = 0; start < in.length; start += lanes) {
            float[] chunk = new float[lanes];
            for (int j = 0; j < lanes; j++) chunk[j] = in[(start + j) % in.length];
            float[] out = SimdMath.flushTiny(FloatVector.fromArray(Simd.F, chunk, 0)).toArray();
            for (int j = 0; j < lanes; j++) {
                int i = (start + j) % in.length;
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(out[j]),
                        "flushTiny(" + in[i] + ") = " + out[j]);
            }
        }
    }

    @Test
    void sigmoidAndTanhAgreeWithMathPerVector() {
        float[] x = new float[Simd.LANES];
        for (int i = 0; i < x.length; i++) x[i] = -6f + 12f * i / Math.max(1, x.length - 1);
        float[] s = SimdMath.sigmoid(FloatVector.fromArray(Simd.F, x, 0)).toArray();
        float[] t = SimdMath.tanh(FloatVector.fromArray(Simd.F, x, 0)).toArray();
        float[] e = SimdMath.exp(FloatVector.fromArray(Simd.F, x, 0)).toArray();
        for (int i = 0; i < x.length; i++) {
            assertEquals(1 / (1 + Math.exp(-x[i])), s[i], 2e-7, "σ(" + x[i] + ")");
            assertEquals(Math.tanh(x[i]), t[i], 2e-7, "tanh(" + x[i] + ")");
            assertEquals(Math.exp(x[i]), e[i], 2 * Math.ulp((float) Math.exp(x[i])), "exp(" + x[i] + ")");
        }
    }

    /** e^x over a dense sweep of [−104, 89] plus the special values: ≤ 2 ulp where the result is normal. */
    @Test
    void expIsWithinTwoUlpOfMathExpOverADenseSweep() {
        int n = 1 << 20;
        float[] x = new float[n + 8];
        for (int i = 0; i < n; i++) x[i] = -104f + 193f * i / n;
        float[] special = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 0f, -0f, 88.72283f, 88.7229f, -87.33654f};
        System.arraycopy(special, 0, x, n, special.length);
        float[] chunk = new float[Simd.LANES];
        double worst = 0, sigAbs = 0, sigRel = 0;
        for (int start = 0; start < x.length; start += Simd.LANES) {
            for (int j = 0; j < chunk.length; j++) chunk[j] = x[Math.min(start + j, x.length - 1)];
            float[] e = SimdMath.exp(FloatVector.fromArray(Simd.F, chunk, 0)).toArray();
            float[] s = SimdMath.sigmoid(FloatVector.fromArray(Simd.F, chunk, 0)).toArray();
            for (int j = 0; j < chunk.length; j++) {
                float want = (float) Math.exp(chunk[j]);
                if (Float.isNaN(want) || Float.isInfinite(want) || want == 0f) {
                    assertEquals(want, e[j], "exp(" + chunk[j] + ")");
                } else if (want >= Float.MIN_NORMAL) {
                    double ulps = Math.abs(e[j] - Math.exp(chunk[j])) / Math.ulp(want);
                    worst = Math.max(worst, ulps);
                    assertTrue(ulps <= 2, "exp(" + chunk[j] + ") = " + e[j] + ", want " + want + " (" + ulps + " ulp)");
                } else {
                    assertEquals(want, e[j], 2 * Float.MIN_VALUE, "subnormal exp(" + chunk[j] + ")");
                }
                double sig = 1 / (1 + Math.exp(-(double) chunk[j]));
                if (!Float.isNaN(chunk[j]) && sig > 1e-30) {
                    sigAbs = Math.max(sigAbs, Math.abs(s[j] - sig));
                    sigRel = Math.max(sigRel, Math.abs(s[j] - sig) / sig);
                }
                if (!Float.isNaN(chunk[j])) assertEquals(sig, s[j], Math.max(2e-7 * sig, Float.MIN_NORMAL), "σ(" + chunk[j] + ")");
            }
        }
        System.out.println("SimdMath.exp worst error " + worst + " ulp; sigmoid max abs " + sigAbs + " rel " + sigRel);
    }
}
