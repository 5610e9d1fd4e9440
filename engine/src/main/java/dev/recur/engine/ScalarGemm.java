package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * The scalar twin of {@link Gemm}: {@code C = alpha·op(A)·op(B) + beta·C}, three plain loops.
 * Same contract (shapes, beta = 0 never reads C), no blocking, no SIMD: the reference that tests
 * hold the fast kernel to, and the place to read what GEMM means.
 */
public final class ScalarGemm {
    private ScalarGemm() {}

    public static void sgemm(Transpose ta, Transpose tb, float alpha, FloatMatrix a, FloatMatrix b,
                             float beta, FloatMatrix c) {
        Gemm.checkShapes(ta, tb, a, b, c);
        int m = c.rows(), n = c.cols(), k = ta.cols(a);
        MemorySegment as = a.segment(), bs = b.segment(), cs = c.segment();
        int lda = a.ld(), ldb = b.ld(), ldc = c.ld();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                // acc = Σ_p op(A)[i,p] · op(B)[p,j]
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    float aip = ta == Transpose.N ? as.getAtIndex(FloatMatrix.FLOAT, (long) i * lda + p)
                                                  : as.getAtIndex(FloatMatrix.FLOAT, (long) p * lda + i);
                    float bpj = tb == Transpose.N ? bs.getAtIndex(FloatMatrix.FLOAT, (long) p * ldb + j)
                                                  : bs.getAtIndex(FloatMatrix.FLOAT, (long) j * ldb + p);
                    acc += aip * bpj;
                }
                long ci = (long) i * ldc + j;
                float old = beta == 0f ? 0f : beta * cs.getAtIndex(FloatMatrix.FLOAT, ci);
                cs.setAtIndex(FloatMatrix.FLOAT, ci, alpha * acc + old);
            }
        }
    }
}
