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
}
