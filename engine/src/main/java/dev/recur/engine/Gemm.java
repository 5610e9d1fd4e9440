package dev.recur.engine;

/**
 * Single-precision matrix multiply, {@code C = alpha·op(A)·op(B) + beta·C}, with
 * {@code op(X)} = X or Xᵀ. {@code op(A)} is M×K, {@code op(B)} is K×N and C is M×N; any of M, N, K
 * may be 0. When {@code beta == 0} C is never read (it may hold NaN).
 *
 * <p>TODO(issue 2): the packed, cache-blocked Vector API implementation. Until then this delegates
 * to the scalar twin so that the layers above can be built against the final API.
 */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(Transpose ta, Transpose tb, float alpha, FloatMatrix a, FloatMatrix b,
                             float beta, FloatMatrix c) {
        ScalarGemm.sgemm(ta, tb, alpha, a, b, beta, c);
    }

    /** Throws a clear error, naming every shape, unless op(A)·op(B) fits C. */
    static void checkShapes(Transpose ta, Transpose tb, FloatMatrix a, FloatMatrix b, FloatMatrix c) {
        int m = ta.rows(a), k = ta.cols(a), kb = tb.rows(b), n = tb.cols(b);
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("sgemm shape mismatch: op" + ta + "(A) is " + m + "×" + k
                    + " (A " + a.rows() + "×" + a.cols() + "), op" + tb + "(B) is " + kb + "×" + n
                    + " (B " + b.rows() + "×" + b.cols() + "), C is " + c.rows() + "×" + c.cols()
                    + "; need op(A) M×K, op(B) K×N, C M×N");
        }
    }
}
