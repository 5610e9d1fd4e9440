package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class SimdActivationsTest {

    /** e^x over a dense sweep of [−104, 89] plus the special values: ≤ 2 ulp where the result is normal. */
    @Test
    void expIsWithinTwoUlpOfMathExpOverADenseSweep() {
        int n = 1 << 20;
        float[] x = new float[n + 8];
        for (int i = 0; i < n; i++) x[i] = -104f + 193f * i / n;
        float[] special = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 0f, -0f, 88.72283f, 88.7229f, -87.33654f};
        System.arraycopy(special, 0, x, n, special.length);
        double worst = 0, sigAbs = 0, sigRel = 0;
        float[] chunk = x, e = run(true, x), s = run(false, x);
        {
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
        System.out.println("SimdActivations.exp worst error " + worst + " ulp; sigmoid max abs " + sigAbs + " rel " + sigRel);
    }

    private static float[] run(boolean exp, float[] xs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(xs.length * 4L, 64), y = arena.allocate(xs.length * 4L, 64);
            MemorySegment.copy(xs, 0, x, FloatMatrix.FLOAT, 0, xs.length);
            if (exp) SimdActivations.INSTANCE.exp(x, 0, y, 0, xs.length);
            else SimdActivations.INSTANCE.sigmoid(x, 0, y, 0, xs.length);
            return y.toArray(FloatMatrix.FLOAT);
        }
    }
}
