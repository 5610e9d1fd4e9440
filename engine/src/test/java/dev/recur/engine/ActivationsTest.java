package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class ActivationsTest {

    private static final int LANES = Engine.lanes();

    /** Largest |SIMD − double-precision Math| over a dense grid of [−20, 20]. */
    private static double maxAbsError(String which, DoubleUnaryOperator exact) {
        int n = 400_001; // step 1e-4
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate((long) n * Float.BYTES, 64);
            MemorySegment y = arena.allocate((long) n * Float.BYTES, 64);
            for (int i = 0; i < n; i++) x.setAtIndex(FloatMatrix.FLOAT, i, -20f + i * 1e-4f);
            switch (which) {
                case "sigmoid" -> SimdActivations.INSTANCE.sigmoid(x, 0, y, 0, n);
                case "tanh" -> SimdActivations.INSTANCE.tanh(x, 0, y, 0, n);
                default -> throw new IllegalArgumentException(which);
            }
            double worst = 0;
            for (int i = 0; i < n; i++) {
                double xi = x.getAtIndex(FloatMatrix.FLOAT, i);
                worst = Math.max(worst, Math.abs(y.getAtIndex(FloatMatrix.FLOAT, i) - exact.applyAsDouble(xi)));
            }
            return worst;
        }
    }

    @Test
    void sigmoidIsWithinItsDocumentedErrorOfDoublePrecisionOnMinus20To20() {
        double err = maxAbsError("sigmoid", v -> 1 / (1 + Math.exp(-v)));
        assertTrue(err < 1.5e-7, "max |σ error| = " + err + ", documented bound 1.5e-7");
    }

    @Test
    void tanhIsWithinItsDocumentedErrorOfDoublePrecisionOnMinus20To20() {
        double err = maxAbsError("tanh", Math::tanh);
        assertTrue(err < 1e-7, "max |tanh error| = " + err + ", documented bound 1e-7 (8.7e-8 over every float)");
    }

    @Test
    void tanhKeepsItsRelativeAccuracyForTinyInputs() {
        float[] xs = {1e-30f, -1e-20f, 1e-10f, 3e-6f, -1e-3f, 0.05f, Float.MIN_VALUE};
        float[] ys = simd("tanh", xs);
        for (int i = 0; i < xs.length; i++) {
            double exact = Math.tanh(xs[i]);
            assertEquals(exact, ys[i], 2.5e-7 * Math.abs(exact), "tanh(" + xs[i] + ")");
        }
    }

    @Test
    void expHasSmallRelativeErrorAcrossItsRange() {
        int n = 200_001;
        float[] xs = new float[n];
        for (int i = 0; i < n; i++) xs[i] = -87f + i * (175f / (n - 1)); // [-87, 88]
        float[] ys = simd("exp", xs);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double exact = Math.exp(xs[i]);
            worst = Math.max(worst, Math.abs(ys[i] - exact) / exact);
        }
        assertTrue(worst < 4e-7, "max relative exp error = " + worst);
    }

    @Test
    void extremesAndNaNFollowTheDocumentedLimits() {
        float inf = Float.POSITIVE_INFINITY;
        float[] xs = {-inf, -88f, 88f, inf, Float.NaN, 0f, 89f, -104f};
        float[] sig = simd("sigmoid", xs);
        assertEquals(0f, sig[0]);
        assertTrue(sig[1] > 0f && sig[1] < 1e-37f, "σ(−88) = " + sig[1]);
        assertEquals(1f, sig[2]);
        assertEquals(1f, sig[3]);
        assertTrue(Float.isNaN(sig[4]));
        assertEquals(0.5f, sig[5]);
        float[] th = simd("tanh", xs);
        assertEquals(-1f, th[0]);
        assertEquals(-1f, th[1]);
        assertEquals(1f, th[2]);
        assertEquals(1f, th[3]);
        assertTrue(Float.isNaN(th[4]));
        assertEquals(0f, th[5]);
        float[] ex = simd("exp", xs);
        assertEquals(0f, ex[0]);
        assertEquals(1f, ex[5]);
        assertEquals(inf, ex[3]);
        assertEquals(inf, ex[6], "e^89 overflows float");
        assertEquals((float) Math.exp(88), ex[2], Math.ulp((float) Math.exp(88)) * 2);
        assertTrue(Float.isNaN(ex[4]));
        assertTrue(ex[7] >= 0f && ex[7] < 1e-44f, "e^−104 is tiny: " + ex[7]);
    }

    @Test
    void tailLengthsAroundTheLaneCountMatchTheScalarTwinAndLeaveNeighboursAlone() {
        for (int n : new int[] {0, 1, LANES - 1, LANES, LANES + 1, 2 * LANES + 3}) {
            if (n < 0) continue;
            for (String f : new String[] {"sigmoid", "tanh", "exp"}) {
                try (Arena arena = Arena.ofConfined()) {
                    int off = 3;
                    FloatMatrix x = FloatMatrix.allocate(arena, 1, n + off + 2);
                    FloatMatrix y = FloatMatrix.allocate(arena, 1, n + off + 2);
                    for (int i = 0; i < x.cols(); i++) x.set(0, i, (i - 5) * 0.7f);
                    y.fill(-7f);
                    switch (f) {
                        case "sigmoid" -> SimdActivations.INSTANCE.sigmoid(x.segment(), off, y.segment(), off, n);
                        case "tanh" -> SimdActivations.INSTANCE.tanh(x.segment(), off, y.segment(), off, n);
                        default -> SimdActivations.INSTANCE.exp(x.segment(), off, y.segment(), off, n);
                    }
                    for (int i = 0; i < y.cols(); i++) {
                        float xi = x.get(0, i);
                        float expected = i < off || i >= off + n ? -7f : switch (f) {
                            case "sigmoid" -> ScalarActivations.sigmoid(xi);
                            case "tanh" -> ScalarActivations.tanh(xi);
                            default -> ScalarActivations.exp(xi);
                        };
                        assertEquals(expected, y.get(0, i), Math.max(2e-7f, 3 * Math.ulp(expected)), f + " n=" + n + " i=" + i);
                    }
                }
            }
        }
    }

    @Test
    void tanhNearPlusMinusOneIsWithinHalfAnUlpOfOneSoOneMinusTauSquaredStaysAccurate() {
        double worst = 0;
        float[] xs = new float[200_001];
        for (int i = 0; i < xs.length; i++) xs[i] = 2f + i * (9f / (xs.length - 1)); // [2, 11]
        float[] ys = simd("tanh", xs);
        for (int i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(ys[i] - Math.tanh(xs[i])));
        assertTrue(worst < 4e-8, "max |tanh error| on [2, 11] = " + worst + ", documented 3.4e-8");
    }

    @Test
    void simdActivationsAreBitForBitTheirScalarArithmeticPorts() {
        int n = 1 << 20;
        float[] xs = new float[n + 12];
        for (int i = 0; i < n; i++) xs[i] = -12f + 24f * i / n;
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.5f, -0.5f,
                Math.nextDown(0.5f), 10f, 9.01f, Float.MIN_VALUE, -1e-30f};
        System.arraycopy(special, 0, xs, n, special.length);
        float[] es = new float[xs.length];
        for (int i = 0; i < xs.length; i++) es[i] = xs[i] * 8; // exp over [−96, 96]: subnormal results and overflow included
        float[] ys = simd("tanh", xs), sig = simd("sigmoid", xs), ex = simd("exp", es);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Float.floatToRawIntBits(ScalarActivations.tanhArithmetic(xs[i])), Float.floatToRawIntBits(ys[i]),
                    "tanh(" + xs[i] + "): scalar " + ScalarActivations.tanhArithmetic(xs[i]) + ", SIMD " + ys[i]);
            assertEquals(Float.floatToRawIntBits(ScalarActivations.sigmoidArithmetic(xs[i])), Float.floatToRawIntBits(sig[i]),
                    "sigmoid(" + xs[i] + ")");
            assertEquals(Float.floatToRawIntBits(ScalarActivations.expArithmetic(es[i])), Float.floatToRawIntBits(ex[i]),
                    "exp(" + es[i] + ")");
        }
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(ys[n + 1]), "tanh(−0) = −0");
    }

    private static float[] simd(String which, float[] xs) {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.of(arena, 1, xs.length, xs);
            FloatMatrix y = FloatMatrix.allocate(arena, 1, xs.length);
            switch (which) {
                case "sigmoid" -> SimdActivations.INSTANCE.sigmoid(x.segment(), 0, y.segment(), 0, xs.length);
                case "tanh" -> SimdActivations.INSTANCE.tanh(x.segment(), 0, y.segment(), 0, xs.length);
                default -> SimdActivations.INSTANCE.exp(x.segment(), 0, y.segment(), 0, xs.length);
            }
            return y.toArray();
        }
    }
}
