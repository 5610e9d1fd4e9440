package dev.recur.layers;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Attention} against a double-precision reference written here from the equations: the
 * float forward equals the reference's, and the analytic gradient of every parameter, of the
 * queries and of the keys equals centred finite differences (ε = 1e-6, in double) of the
 * reference's loss {@code L = Σ context ⊙ R}. Ragged lengths include a length-1 source and padding
 * positions, which must get weight 0 and gradient 0.
 */
class AttentionTest {
    static final int T = 4, B = 3, S = 3, HE = 5, A = 4;
    static final int[] LENGTHS = {4, 1, 2};
    static final double EPS = 1e-6;

    final Arena arena = Arena.ofShared();
    final SplittableRandom rng = new SplittableRandom(11);

    @AfterEach
    void close() { arena.close(); }

    int queryDim(AttentionScore score) { return score == AttentionScore.DOT ? HE : 3; }

    Attention build(AttentionScore score, int maxT, int maxS, int maxB) {
        return switch (score) {
            case DOT -> Attention.dot(arena, HE, maxT, maxS, maxB);
            case GENERAL -> Attention.general(arena, "attention", queryDim(score), HE, maxT, maxS, maxB, new SplittableRandom(3));
            case ADDITIVE -> Attention.additive(arena, "attention", queryDim(score), HE, A, maxT, maxS, maxB, new SplittableRandom(3));
        };
    }

    FloatMatrix random(int r, int c) {
        FloatMatrix m = FloatMatrix.allocate(arena, r, c);
        Init.uniform(m, 1f, rng);
        return m;
    }

    static double[] toDouble(FloatMatrix m) {
        double[] d = new double[m.rows() * m.cols()];
        for (int i = 0; i < m.rows(); i++) for (int j = 0; j < m.cols(); j++) d[i * m.cols() + j] = m.get(i, j);
        return d;
    }

    /** The reference: the equations of {@link Attention}'s Javadoc, in double, one score at a time. */
    record Reference(AttentionScore score, int hd, double[] keys, double[] queries, double[] keyW, double[] keyB,
                     double[] queryW, double[] v, double[] r) {
        double score(int s, int b, int t) {
            int q = (s * B + b) * hd, k = (t * B + b) * HE;
            switch (score) {
                case DOT -> {
                    double e = 0;
                    for (int i = 0; i < hd; i++) e += queries[q + i] * keys[k + i];
                    return e;
                }
                case GENERAL -> {
                    double e = 0;
                    for (int i = 0; i < hd; i++) {
                        double wk = 0;
                        for (int j = 0; j < HE; j++) wk += keyW[i * HE + j] * keys[k + j];
                        e += queries[q + i] * wk;
                    }
                    return e;
                }
                default -> {
                    double e = 0;
                    for (int a = 0; a < A; a++) {
                        double z = keyB[a];
                        for (int i = 0; i < hd; i++) z += queryW[a * hd + i] * queries[q + i];
                        for (int j = 0; j < HE; j++) z += keyW[a * HE + j] * keys[k + j];
                        e += v[a] * Math.tanh(z);
                    }
                    return e;
                }
            }
        }

        double[] weights(int s, int b) {
            int len = LENGTHS[b];
            double[] e = new double[T];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < len; t++) max = Math.max(max, e[t] = score(s, b, t));
            double sum = 0;
            for (int t = 0; t < len; t++) sum += e[t] = Math.exp(e[t] - max);
            for (int t = 0; t < len; t++) e[t] /= sum;
            return e; // zeros past len
        }

        double[] context() {
            double[] c = new double[S * B * HE];
            for (int s = 0; s < S; s++) for (int b = 0; b < B; b++) {
                double[] w = weights(s, b);
                for (int t = 0; t < T; t++) for (int j = 0; j < HE; j++) c[(s * B + b) * HE + j] += w[t] * keys[(t * B + b) * HE + j];
            }
            return c;
        }

        double loss() {
            double[] c = context();
            double l = 0;
            for (int i = 0; i < c.length; i++) l += c[i] * r[i];
            return l;
        }
    }

    static double[] finiteDifferences(DoubleSupplier loss, double[] theta) {
        double[] g = new double[theta.length];
        for (int i = 0; i < theta.length; i++) {
            double keep = theta[i];
            theta[i] = keep + EPS;
            double up = loss.getAsDouble();
            theta[i] = keep - EPS;
            double down = loss.getAsDouble();
            theta[i] = keep;
            g[i] = (up - down) / (2 * EPS);
        }
        return g;
    }

    static void assertClose(double[] expected, FloatMatrix actual, double tol, String what) {
        double[] a = toDouble(actual);
        assertEquals(expected.length, a.length, what);
        for (int i = 0; i < a.length; i++) {
            assertEquals(expected[i], a[i], tol * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    static double[] paramOrEmpty(Attention at, String name) {
        for (Parameter p : at.parameters()) if (p.name().equals(name)) return toDouble(p.value());
        return new double[0];
    }

    static FloatMatrix grad(Attention at, String name) {
        for (Parameter p : at.parameters()) if (p.name().equals(name)) return p.grad();
        throw new AssertionError("no parameter " + name);
    }

    void gradientsMatch(AttentionScore score, boolean stepByStep) {
        int hd = queryDim(score);
        Attention at = build(score, T + 2, S + 1, B + 1); // built larger than used: views must respect the current shape
        FloatMatrix keys = random(T * B, HE), queries = random(S * B, hd), r = random(S * B, HE);
        for (int t = 0; t < T; t++) for (int b = 0; b < B; b++) {
            if (t >= LENGTHS[b]) for (int j = 0; j < HE; j++) keys.set(t * B + b, j, 0f); // padding rows are 0, as the stack writes
        }
        FloatMatrix context = FloatMatrix.allocate(arena, S * B, HE), dQ = FloatMatrix.allocate(arena, S * B, hd);
        FloatMatrix dK = FloatMatrix.allocate(arena, T * B, HE);
        dK.fill(0f);
        at.zeroGrad();
        at.setKeys(keys, LENGTHS, T, B, true);
        if (stepByStep) {
            for (int s = 0; s < S; s++) at.forward(queries.rowRange(s * B, B), s, context.rowRange(s * B, B));
            for (int s = S - 1; s >= 0; s--) {
                at.backward(queries.rowRange(s * B, B), r.rowRange(s * B, B), s, dQ.rowRange(s * B, B));
            }
        } else {
            at.forward(queries, 0, context);
            at.backward(queries, r, 0, dQ);
        }
        at.backwardKeys(dK);

        Reference ref = new Reference(score, hd, toDouble(keys), toDouble(queries), paramOrEmpty(at, "attention.key.weight"),
                paramOrEmpty(at, "attention.key.bias"), paramOrEmpty(at, "attention.query.weight"),
                paramOrEmpty(at, "attention.v.weight"), toDouble(r));
        String what = score + (stepByStep ? " step by step " : " one block ");
        assertClose(ref.context(), context, 1e-5, what + "context");
        for (int s = 0; s < S; s++) for (int b = 0; b < B; b++) {
            double[] w = ref.weights(s, b);
            for (int t = 0; t < T; t++) {
                if (t >= LENGTHS[b]) assertEquals(0f, at.weight(s, b, t), what + "padding weight");
                else assertEquals(w[t], at.weight(s, b, t), 1e-6, what + "weight");
            }
        }
        assertClose(finiteDifferences(ref::loss, ref.queries()), dQ, 1e-4, what + "dQueries");
        assertClose(finiteDifferences(ref::loss, ref.keys()), dK, 1e-4, what + "dKeys");
        if (score == AttentionScore.GENERAL || score == AttentionScore.ADDITIVE) {
            assertClose(finiteDifferences(ref::loss, ref.keyW()), grad(at, "attention.key.weight"), 1e-4, what + "key.weight");
        }
        if (score == AttentionScore.ADDITIVE) {
            assertClose(finiteDifferences(ref::loss, ref.keyB()), grad(at, "attention.key.bias"), 1e-4, what + "key.bias");
            assertClose(finiteDifferences(ref::loss, ref.queryW()), grad(at, "attention.query.weight"), 1e-4, what + "query.weight");
            assertClose(finiteDifferences(ref::loss, ref.v()), grad(at, "attention.v.weight"), 1e-4, what + "v.weight");
        }
        // padding positions: no gradient at all; a length-1 source: weight exactly 1, no query gradient
        for (int t = 0; t < T; t++) for (int b = 0; b < B; b++) {
            if (t >= LENGTHS[b]) for (int j = 0; j < HE; j++) assertEquals(0f, dK.get(t * B + b, j), what + "padding key gradient");
        }
        for (int s = 0; s < S; s++) {
            assertEquals(1f, at.weight(s, 1, 0), what + "length-1 weight");
            for (int j = 0; j < hd; j++) assertEquals(0f, dQ.get(s * B + 1, j), what + "length-1 query gradient");
        }
    }

    @ParameterizedTest
    @EnumSource(AttentionScore.class)
    void gradientsMatchFiniteDifferencesStepByStep(AttentionScore score) { gradientsMatch(score, true); }

    @ParameterizedTest
    @EnumSource(AttentionScore.class)
    void gradientsMatchFiniteDifferencesInOneBlock(AttentionScore score) { gradientsMatch(score, false); }

    @ParameterizedTest
    @EnumSource(AttentionScore.class)
    void paddingContentChangesNothing(AttentionScore score) {
        int hd = queryDim(score);
        Attention at = build(score, T, S, B);
        FloatMatrix keys = random(T * B, HE), queries = random(B, hd);
        FloatMatrix c1 = FloatMatrix.allocate(arena, B, HE), c2 = FloatMatrix.allocate(arena, B, HE);
        at.setKeys(keys, LENGTHS, T, B, false);
        at.forward(queries, 0, c1);
        for (int j = 0; j < HE; j++) keys.set(3 * B + 2, j, 1e3f); // sentence 2 has length 2: step 3 is padding
        at.setKeys(keys, LENGTHS, T, B, false);
        at.forward(queries, 0, c2);
        assertArrayEquals(c1.toArray(), c2.toArray());
    }

    @Test
    void parametersHavePyTorchNamesAndShapes() {
        assertEquals(0, Attention.dot(arena, 4, 2, 2, 2).parameters().size());
        Attention g = Attention.general(arena, "attn", 3, 5, 2, 2, 2, rng);
        assertEquals("attn.key.weight 3×5", g.parameters().get(0).toString());
        Attention a = Attention.additive(arena, "attn", 3, 5, 7, 2, 2, 2, rng);
        assertEquals("[attn.query.weight 7×3, attn.key.weight 7×5, attn.key.bias 1×7, attn.v.weight 1×7]", a.parameters().toString());
        assertArrayEquals(new long[] {7}, a.parameters().get(2).shape());
        assertArrayEquals(new long[] {1, 7}, a.parameters().get(3).shape());
        float bound = (float) (1 / Math.sqrt(5));
        for (float w : a.parameters().get(1).value().toArray()) assertTrue(Math.abs(w) <= bound);
    }

    @Test
    void badCallsGetClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attention.dot(arena, 0, 2, 2, 2));
        assertTrue(e.getMessage().contains("≥ 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Attention.additive(arena, "a", 3, 5, 0, 2, 2, 2, rng));
        Attention at = Attention.general(arena, "attention", 3, HE, T, S, B, rng);
        FloatMatrix q = random(B, 3), c = FloatMatrix.allocate(arena, B, HE);
        assertThrows(IllegalStateException.class, () -> at.forward(q, 0, c), "setKeys first");
        FloatMatrix keys = random(T * B, HE);
        e = assertThrows(IllegalArgumentException.class, () -> at.setKeys(keys, new int[] {4, 0, 2}, T, B, true));
        assertTrue(e.getMessage().contains("outside [1, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> at.setKeys(keys, LENGTHS, T + 1, B, true));
        at.setKeys(keys, LENGTHS, T, B, true);
        assertThrows(IllegalArgumentException.class, () -> at.forward(q, S, c), "past the decoder steps it was built for");
        assertThrows(IllegalArgumentException.class, () -> at.forward(random(B + 1, 3), 0, FloatMatrix.allocate(arena, B + 1, HE)));
        assertThrows(IllegalStateException.class, () -> at.backward(q, c, 1, FloatMatrix.allocate(arena, B, 3)), "not forwarded");
    }
}
