package dev.recur.props;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.ScalarActivations;
import dev.recur.engine.ScalarOptimizerKernels;
import dev.recur.engine.ScalarRowOps;
import dev.recur.engine.ScalarVectorOps;
import dev.recur.engine.SimdActivations;
import dev.recur.engine.SimdOptimizerKernels;
import dev.recur.engine.SimdRowOps;
import dev.recur.engine.SimdVectorOps;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Every SIMD kernel of the engine's activations, vector ops, row ops and optimizer updates equals
 * its scalar twin on generated lengths (0, 1, around and across the lane count), offsets and values:
 * bit for bit where the twin does the same float operations, within the documented error where it
 * computes in double. The optimizer kernels also follow a double-precision transcription of
 * PyTorch's update rules over several steps.
 */
class KernelProperties {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

    @Provide
    Arbitrary<float[]> values() {
        return Arbitraries.floats().between(-30f, 30f).array(float[].class).ofMinSize(0).ofMaxSize(70);
    }

    /** A segment holding {@code off} junk floats, then {@code xs}, then 3 junk floats. */
    private static MemorySegment segment(Arena arena, int off, float[] xs) {
        MemorySegment s = arena.allocate((long) (off + xs.length + 3) * Float.BYTES, 64);
        for (int i = 0; i < off + xs.length + 3; i++) s.setAtIndex(F32, i, -1234.5f + i);
        MemorySegment.copy(xs, 0, s, F32, (long) off * Float.BYTES, xs.length);
        return s;
    }

    private static float[] all(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    private static MemorySegment copy(Arena arena, MemorySegment s) {
        MemorySegment c = arena.allocate(s.byteSize(), 64);
        c.copyFrom(s);
        return c;
    }

    private static void assertBits(String what, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", scalar twin gives " + want[i]);
            }
        }
    }

    // ---- activations ----

    @Property(tries = 200)
    void activationsEqualTheScalarTwin(@ForAll("values") float[] xs, @ForAll @IntRange(min = 0, max = 7) int off,
                                       @ForAll @IntRange(min = 0, max = 2) int which) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = segment(arena, off, xs), simd = copy(arena, x), scalar = copy(arena, x);
            String name = switch (which) {
                case 0 -> { SimdActivations.INSTANCE.sigmoid(x, off, simd, off, xs.length); ScalarActivations.INSTANCE.sigmoid(x, off, scalar, off, xs.length); yield "sigmoid"; }
                case 1 -> { SimdActivations.INSTANCE.tanh(x, off, simd, off, xs.length); ScalarActivations.INSTANCE.tanh(x, off, scalar, off, xs.length); yield "tanh"; }
                default -> { SimdActivations.INSTANCE.exp(x, off, simd, off, xs.length); ScalarActivations.INSTANCE.exp(x, off, scalar, off, xs.length); yield "exp"; }
            };
            float[] want = all(scalar), got = all(simd);
            for (int i = 0; i < want.length; i++) {
                boolean inside = i >= off && i < off + xs.length;
                // documented bounds: σ 1e-7 and tanh 4e-7 absolute; exp 1 ulp (+1 for the twin's rounding)
                float tol = !inside ? 0f : which == 2 ? 2 * Math.ulp(want[i]) : which == 1 ? 4e-7f : 1.5e-7f;
                if (!(Math.abs(want[i] - got[i]) <= tol)) {
                    throw new AssertionError(name + "(" + (inside ? xs[i - off] : "outside") + ") at " + i + " = " + got[i]
                            + ", scalar twin gives " + want[i] + " (tolerance " + tol + ")");
                }
            }
        }
    }

    // ---- vector ops ----

    @Property(tries = 200)
    void elementwiseOpsEqualTheScalarTwinBitForBit(@ForAll("values") float[] xs,
                                                   @ForAll @IntRange(min = 0, max = 7) int xOff,
                                                   @ForAll @IntRange(min = 0, max = 7) int yOff,
                                                   @ForAll @FloatRange(min = -3f, max = 3f) float a,
                                                   @ForAll long seed) {
        int n = xs.length;
        float[] ys = new float[n];
        Random rnd = new Random(seed);
        for (int i = 0; i < n; i++) ys[i] = (float) rnd.nextGaussian() * 10f;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = segment(arena, xOff, xs), y = segment(arena, yOff, ys);
            MemorySegment s1 = copy(arena, y), s2 = copy(arena, y);
            SimdVectorOps.INSTANCE.axpy(a, x, xOff, s1, yOff, n);
            ScalarVectorOps.INSTANCE.axpy(a, x, xOff, s2, yOff, n);
            assertBits("axpy", all(s2), all(s1));

            s1 = copy(arena, x); s2 = copy(arena, x);
            SimdVectorOps.INSTANCE.scale(a, s1, xOff, n);
            ScalarVectorOps.INSTANCE.scale(a, s2, xOff, n);
            assertBits("scale", all(s2), all(s1));

            s1 = copy(arena, x); s2 = copy(arena, x);
            float lo = -Math.abs(a) * 5, hi = Math.abs(a) * 3;
            SimdVectorOps.INSTANCE.clamp(lo, hi, s1, xOff, n);
            ScalarVectorOps.INSTANCE.clamp(lo, hi, s2, xOff, n);
            assertBits("clamp", all(s2), all(s1));

            s1 = copy(arena, y); s2 = copy(arena, y);
            SimdVectorOps.INSTANCE.mul(x, xOff, y, yOff, s1, yOff, n);
            ScalarVectorOps.INSTANCE.mul(x, xOff, y, yOff, s2, yOff, n);
            assertBits("mul", all(s2), all(s1));

            s1 = copy(arena, x); s2 = copy(arena, x);
            SimdVectorOps.INSTANCE.fill(a, s1, xOff, n);
            ScalarVectorOps.INSTANCE.fill(a, s2, xOff, n);
            assertBits("fill", all(s2), all(s1));

            s1 = copy(arena, x);
            for (int i = xOff; i < xOff + n; i += 3) s1.setAtIndex(F32, i, s1.getAtIndex(F32, i) * 1e-39f); // subnormal or 0
            s2 = copy(arena, s1);
            SimdVectorOps.INSTANCE.flushSubnormals(s1, xOff, n);
            ScalarVectorOps.INSTANCE.flushSubnormals(s2, xOff, n);
            assertBits("flushSubnormals", all(s2), all(s1));

            float want = ScalarVectorOps.INSTANCE.maxAbs(x, xOff, n), got = SimdVectorOps.INSTANCE.maxAbs(x, xOff, n);
            if (want != got) throw new AssertionError("maxAbs " + got + ", scalar twin gives " + want);
        }
    }

    @Property(tries = 150)
    void sumOfSquaresEqualsTheScalarTwinWithinItsRelativeError(@ForAll @IntRange(min = 0, max = 3000) int n,
                                                               @ForAll @IntRange(min = 0, max = 7) int off,
                                                               @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] xs = new float[n];
        for (int i = 0; i < n; i++) xs[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = segment(arena, off, xs);
            double want = ScalarVectorOps.INSTANCE.sumOfSquares(x, off, n), got = SimdVectorOps.INSTANCE.sumOfSquares(x, off, n);
            if (!(Math.abs(want - got) <= 1e-6 * want)) {
                throw new AssertionError("sumOfSquares of " + n + " values = " + got + ", scalar twin gives " + want);
            }
        }
    }

    // ---- row ops ----

    @Property(tries = 150)
    void rowOpsEqualTheScalarTwin(@ForAll @IntRange(min = 0, max = 9) int rows,
                                  @ForAll @IntRange(min = 0, max = 70) int cols,
                                  @ForAll @IntRange(min = 0, max = 5) int pad,
                                  @ForAll @IntRange(min = 0, max = 5) int off,
                                  @ForAll long seed) {
        Random rnd = new Random(seed);
        int ld = cols + pad;
        float[] ms = new float[rows * Math.max(ld, 1)], vs = new float[cols];
        for (int i = 0; i < ms.length; i++) ms[i] = (float) rnd.nextGaussian() * 8f;
        for (int i = 0; i < cols; i++) vs[i] = (float) rnd.nextGaussian();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = segment(arena, off, ms), v = segment(arena, off, vs);
            MemorySegment m1 = copy(arena, m), m2 = copy(arena, m), a1 = copy(arena, v), a2 = copy(arena, v);
            SimdRowOps.INSTANCE.addColumnSums(m, off, rows, cols, ld, a1, off);
            ScalarRowOps.INSTANCE.addColumnSums(m, off, rows, cols, ld, a2, off);
            assertBits("addColumnSums", all(a2), all(a1));
            SimdRowOps.INSTANCE.addRowVector(m1, off, rows, cols, ld, v, off);
            ScalarRowOps.INSTANCE.addRowVector(m2, off, rows, cols, ld, v, off);
            assertBits("addRowVector", all(m2), all(m1));
            if (cols == 0) return;
            for (boolean log : new boolean[] {false, true}) {
                m1 = copy(arena, m);
                m2 = copy(arena, m);
                if (log) {
                    SimdRowOps.INSTANCE.logSoftmaxRows(m, off, ld, rows, cols, m1, off, ld);
                    ScalarRowOps.INSTANCE.logSoftmaxRows(m, off, ld, rows, cols, m2, off, ld);
                } else {
                    SimdRowOps.INSTANCE.softmaxRows(m, off, ld, rows, cols, m1, off, ld);
                    ScalarRowOps.INSTANCE.softmaxRows(m, off, ld, rows, cols, m2, off, ld);
                }
                float[] want = all(m2), got = all(m1);
                for (int i = 0; i < want.length; i++) {
                    float tol = log ? 2e-6f * Math.max(1f, Math.abs(want[i])) : 1e-6f;
                    if (!(Math.abs(want[i] - got[i]) <= tol)) {
                        throw new AssertionError((log ? "logSoftmax" : "softmax") + " element " + i + " = " + got[i]
                                + ", scalar twin gives " + want[i]);
                    }
                }
            }
        }
    }

    // ---- optimizers ----

    enum Rule { SGD, SGD_NESTEROV, ADAM, ADAMW }

    @Property(tries = 120)
    void optimizerKernelsEqualTheScalarTwinAndPyTorchsRules(@ForAll Rule rule,
                                                            @ForAll @IntRange(min = 0, max = 60) int n,
                                                            @ForAll @IntRange(min = 0, max = 5) int off,
                                                            @ForAll @IntRange(min = 1, max = 5) int steps,
                                                            @ForAll("learningRates") double lr,
                                                            @ForAll("decays") double wd,
                                                            @ForAll long seed) {
        Random rnd = new Random(seed);
        double momentum = 0.9, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        float[] p0 = new float[n];
        for (int i = 0; i < n; i++) p0[i] = (float) rnd.nextGaussian();
        double[] p = new double[n], s1 = new double[n], s2 = new double[n];
        for (int i = 0; i < n; i++) p[i] = p0[i];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] simd = {segment(arena, off, p0), segment(arena, off, new float[n]), segment(arena, off, new float[n]),
                    segment(arena, off, new float[n])};
            MemorySegment[] twin = Arrays.stream(simd).map(s -> copy(arena, s)).toArray(MemorySegment[]::new);
            for (int t = 1; t <= steps; t++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) g[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(5) - 3));
                MemorySegment gs = segment(arena, off, g);
                switch (rule) {
                    case SGD, SGD_NESTEROV -> {
                        boolean nesterov = rule == Rule.SGD_NESTEROV;
                        SimdOptimizerKernels.INSTANCE.sgd(simd[0], off, gs, off, simd[1], off, n, lr, momentum, wd, nesterov);
                        ScalarOptimizerKernels.INSTANCE.sgd(twin[0], off, gs, off, twin[1], off, n, lr, momentum, wd, nesterov);
                        for (int i = 0; i < n; i++) {   // torch.optim.SGD, dampening 0
                            double d = g[i] + wd * p[i];
                            s1[i] = t == 1 ? d : momentum * s1[i] + d;
                            d = nesterov ? d + momentum * s1[i] : s1[i];
                            p[i] -= lr * d;
                        }
                    }
                    case ADAM, ADAMW -> {
                        boolean decoupled = rule == Rule.ADAMW;
                        if (decoupled) {
                            SimdOptimizerKernels.INSTANCE.adamW(simd[0], off, gs, off, simd[1], off, simd[2], off, n, lr, beta1, beta2, eps, wd, t);
                            ScalarOptimizerKernels.INSTANCE.adamW(twin[0], off, gs, off, twin[1], off, twin[2], off, n, lr, beta1, beta2, eps, wd, t);
                        } else {
                            SimdOptimizerKernels.INSTANCE.adam(simd[0], off, gs, off, simd[1], off, simd[2], off, n, lr, beta1, beta2, eps, wd, t);
                            ScalarOptimizerKernels.INSTANCE.adam(twin[0], off, gs, off, twin[1], off, twin[2], off, n, lr, beta1, beta2, eps, wd, t);
                        }
                        for (int i = 0; i < n; i++) {   // torch.optim.Adam / AdamW
                            double gi = g[i];
                            if (decoupled) p[i] *= 1 - lr * wd;
                            else gi += wd * p[i];
                            s1[i] = beta1 * s1[i] + (1 - beta1) * gi;
                            s2[i] = beta2 * s2[i] + (1 - beta2) * gi * gi;
                            double denom = Math.sqrt(s2[i]) / Math.sqrt(1 - Math.pow(beta2, t)) + eps;
                            p[i] -= lr / (1 - Math.pow(beta1, t)) * s1[i] / denom;
                        }
                    }
                }
                for (int k = 0; k < 3; k++) assertBits(rule + " buffer " + k + " step " + t, all(twin[k]), all(simd[k]));
                for (int i = 0; i < n; i++) {
                    float got = simd[0].getAtIndex(F32, off + i);
                    double tol = 1e-6 * (1 + Math.abs(p[i])) + 4e-6 * lr * t;
                    if (!(Math.abs(got - p[i]) <= tol)) {
                        throw new AssertionError(rule + " step " + t + " element " + i + ": p = " + got
                                + ", PyTorch's rule in double gives " + p[i] + " (tolerance " + tol + ")");
                    }
                }
            }
        }
    }

    @Provide
    Arbitrary<Double> learningRates() {
        return Arbitraries.of(1e-3, 1e-2, 0.1, 0.5);
    }

    @Provide
    Arbitrary<Double> decays() {
        return Arbitraries.of(0.0, 1e-4, 1e-2, 0.1);
    }
}
