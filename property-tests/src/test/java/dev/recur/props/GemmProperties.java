package dev.recur.props;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.ScalarGemm;
import dev.recur.engine.Transpose;
import java.lang.foreign.Arena;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The packed SIMD GEMM equals its scalar twin for generated shapes (0, 1, odd sizes, sizes across
 * block boundaries), both transposes, any alpha and beta (beta = 0 with C full of NaN), and views
 * whose leading dimension exceeds their width; and splitting over threads changes no bit.
 */
class GemmProperties {

    @Property(tries = 120)
    void simdEqualsScalar(@ForAll Transpose ta, @ForAll Transpose tb,
                          @ForAll @IntRange(min = 0, max = 150) int m,
                          @ForAll @IntRange(min = 0, max = 300) int n,
                          @ForAll @IntRange(min = 0, max = 300) int k,
                          @ForAll @IntRange(min = 0, max = 5) int pad,
                          @ForAll("alphas") float alpha, @ForAll("betas") float beta,
                          @ForAll long seed) {
        try (Arena arena = Arena.ofConfined()) {
            Random rng = new Random(seed);
            FloatMatrix a = operand(arena, ta == Transpose.N ? m : k, ta == Transpose.N ? k : m, pad, rng);
            FloatMatrix b = operand(arena, tb == Transpose.N ? k : n, tb == Transpose.N ? n : k, pad, rng);
            FloatMatrix want = operand(arena, m, n, pad, rng);
            FloatMatrix got = FloatMatrix.allocate(arena, m, n, Math.max(1, n + pad));
            if (beta == 0f) {
                got.fill(Float.NaN);
                want.fill(Float.NaN);
            } else if (m > 0 && n > 0) {
                got.copyFrom(want);
            }
            ScalarGemm.sgemm(ta, tb, alpha, a, b, beta, want);
            Gemm.sgemmSerial(ta, tb, alpha, a, b, beta, got);
            // Each product term is below 1 in size: rounding grows at most linearly with k.
            float tol = 2e-6f * (k + 2) * Math.max(1f, Math.abs(alpha)) + 1e-6f;
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < n; c++) {
                    float w = want.get(r, c), g = got.get(r, c);
                    if (!(Math.abs(w - g) <= tol)) {
                        throw new AssertionError("C(" + r + "," + c + ") = " + g + ", scalar twin gives " + w
                                + " (tolerance " + tol + ")");
                    }
                }
            }
        }
    }

    @Property(tries = 30)
    void threadsChangeNoBit(@ForAll Transpose ta, @ForAll Transpose tb,
                            @ForAll @IntRange(min = 1, max = 200) int m,
                            @ForAll @IntRange(min = 1, max = 400) int n,
                            @ForAll @IntRange(min = 40, max = 300) int k,
                            @ForAll long seed) {
        int old = Engine.threads();
        try (Arena arena = Arena.ofShared()) {
            Random rng = new Random(seed);
            FloatMatrix a = operand(arena, ta == Transpose.N ? m : k, ta == Transpose.N ? k : m, 0, rng);
            FloatMatrix b = operand(arena, tb == Transpose.N ? k : n, tb == Transpose.N ? n : k, 0, rng);
            FloatMatrix one = FloatMatrix.allocate(arena, m, n);
            FloatMatrix many = FloatMatrix.allocate(arena, m, n);
            Gemm.sgemmSerial(ta, tb, 1f, a, b, 0f, one);
            Engine.setThreads(3);
            Gemm.sgemm(ta, tb, 1f, a, b, 0f, many);
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < n; c++) {
                    if (Float.compare(one.get(r, c), many.get(r, c)) != 0) {
                        throw new AssertionError("C(" + r + "," + c + ") on 3 threads " + many.get(r, c)
                                + " differs from 1 thread " + one.get(r, c));
                    }
                }
            }
        } finally {
            Engine.setThreads(old);
        }
    }

    @Property(tries = 40)
    void prepackedBChangesNoBit(@ForAll Transpose ta, @ForAll Transpose tb,
                                @ForAll @IntRange(min = 0, max = 80) int m,
                                @ForAll @IntRange(min = 0, max = 600) int n,
                                @ForAll @IntRange(min = 0, max = 300) int k,
                                @ForAll("betas") float beta, @ForAll long seed) {
        try (Arena arena = Arena.ofConfined()) {
            Random rng = new Random(seed);
            FloatMatrix a = operand(arena, ta == Transpose.N ? m : k, ta == Transpose.N ? k : m, 1, rng);
            FloatMatrix b = operand(arena, tb == Transpose.N ? k : n, tb == Transpose.N ? n : k, 2, rng);
            FloatMatrix plain = operand(arena, m, n, 0, rng);
            FloatMatrix packed = FloatMatrix.allocate(arena, m, n, Math.max(1, n));
            if (m > 0 && n > 0) packed.copyFrom(plain);
            Gemm.sgemmSerial(ta, tb, 1.5f, a, b, beta, plain);
            Gemm.sgemmSerial(ta, m, 1.5f, a.segment(), 0, a.ld(), Gemm.packB(tb, b), beta, packed.segment(), 0, packed.ld());
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < n; c++) {
                    if (Float.compare(plain.get(r, c), packed.get(r, c)) != 0) {
                        throw new AssertionError("C(" + r + "," + c + ") with prepacked B " + packed.get(r, c)
                                + " differs from " + plain.get(r, c));
                    }
                }
            }
        }
    }

    @Provide
    Arbitrary<Float> alphas() {
        return Arbitraries.oneOf(Arbitraries.of(1f, -1f, 0f, 0.5f), Arbitraries.floats().between(-2f, 2f));
    }

    @Provide
    Arbitrary<Float> betas() {
        return Arbitraries.oneOf(Arbitraries.of(0f, 1f, -0.5f), Arbitraries.floats().between(-2f, 2f));
    }

    /** A rows×cols matrix with values in [-1, 1) and a leading dimension of cols + pad. */
    private static FloatMatrix operand(Arena arena, int rows, int cols, int pad, Random rng) {
        FloatMatrix x = FloatMatrix.allocate(arena, rows, cols, Math.max(1, cols + pad));
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) x.set(r, c, rng.nextFloat() * 2 - 1);
        return x;
    }
}
