package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * The scalar twin of {@link Gemm}: {@code C = alpha·op(A)·op(B) + beta·C}, three plain loops.
 * Same contract (shapes, beta = 0 never reads C), no blocking, no SIMD: the reference that tests
 * hold the fast kernel to, the path used when the Vector API is absent, and the place to read what
 * GEMM means.
 */
public final class ScalarGemm implements GemmSupport {
    /** The one instance ({@link Kernels} hands it out). */
    public static final ScalarGemm INSTANCE = new ScalarGemm();

    private ScalarGemm() {}

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                      float beta, MemorySegment c, long c0, int ldc) {
        sgemm(transA ? Transpose.T : Transpose.N, transB ? Transpose.T : Transpose.N, m, n, k, alpha,
                a, a0, lda, b, b0, ldb, beta, c, c0, ldc);
    }

    /** With a "prepacked" B: without the Vector API, {@link PackedB} holds op(B) as a plain k×n copy. */
    @Override
    public void sgemm(boolean transA, int m, float alpha, MemorySegment a, long a0, int lda, PackedB b,
                      float beta, MemorySegment c, long c0, int ldc) {
        sgemm(transA ? Transpose.T : Transpose.N, Transpose.N, m, b.cols(), b.rows(), alpha,
                a, a0, lda, b.plain(), 0, b.cols(), beta, c, c0, ldc);
    }

    @Override
    public void sgemmJoined(int m, float alpha, MemorySegment a1, long a10, int lda1, int k1,
                            MemorySegment a2, long a20, int lda2, PackedB b, float beta, MemorySegment c, long c0, int ldc) {
        int n = b.cols(), k2 = b.rows() - k1;
        MemorySegment pb = b.plain();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                // acc = Σ_p A1[i,p]·B[p,j] + Σ_p A2[i,p]·B[k1+p,j]
                float acc = 0f;
                for (int p = 0; p < k1; p++) {
                    acc += a1.getAtIndex(FloatMatrix.FLOAT, a10 + (long) i * lda1 + p) * pb.getAtIndex(FloatMatrix.FLOAT, (long) p * n + j);
                }
                for (int p = 0; p < k2; p++) {
                    acc += a2.getAtIndex(FloatMatrix.FLOAT, a20 + (long) i * lda2 + p)
                            * pb.getAtIndex(FloatMatrix.FLOAT, (long) (k1 + p) * n + j);
                }
                long ci = c0 + (long) i * ldc + j;
                float old = beta == 0f ? 0f : beta * c.getAtIndex(FloatMatrix.FLOAT, ci);
                c.setAtIndex(FloatMatrix.FLOAT, ci, alpha * acc + old);
            }
        }
    }

    /** op(B) as a plain row-major k×n copy. */
    @Override
    public long packedFloats(int k, int n) { return (long) k * n; }

    @Override
    public void packB(boolean transB, int k, int n, MemorySegment b, long b0, int ldb, float[] dst) {
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                dst[p * n + j] = b.getAtIndex(FloatMatrix.FLOAT, b0 + (transB ? (long) j * ldb + p : (long) p * ldb + j));
            }
        }
    }

    /** No split of its own: {@link Gemm} splits by column or row slabs. */
    @Override
    public boolean sgemmParallel(WorkerPool pool, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                                 float beta, MemorySegment c, long c0, int ldc) {
        return false;
    }

    /** {@code C = alpha·op(A)·op(B) + beta·C} on matrices; see {@link Gemm#sgemm(Transpose, Transpose, float, FloatMatrix, FloatMatrix, float, FloatMatrix)}. */
    public static void sgemm(Transpose ta, Transpose tb, float alpha, FloatMatrix a, FloatMatrix b,
                             float beta, FloatMatrix c) {
        Gemm.checkShapes(ta, tb, a, b, c);
        sgemm(ta, tb, c.rows(), c.cols(), ta.cols(a), alpha, a.segment(), 0, a.ld(),
                b.segment(), 0, b.ld(), beta, c.segment(), 0, c.ld());
    }

    /**
     * The raw form, same arguments as {@link Gemm#sgemm(Transpose, Transpose, int, int, int, float,
     * MemorySegment, long, int, MemorySegment, long, int, float, MemorySegment, long, int)}
     * (offsets and leading dimensions in floats, row-major storage). No argument checks.
     */
    public static void sgemm(Transpose ta, Transpose tb, int m, int n, int k, float alpha,
                             MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                             float beta, MemorySegment c, long cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                // acc = Σ_p op(A)[i,p] · op(B)[p,j]
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    float aip = a.getAtIndex(FloatMatrix.FLOAT,
                            aOffset + (ta == Transpose.N ? (long) i * lda + p : (long) p * lda + i));
                    float bpj = b.getAtIndex(FloatMatrix.FLOAT,
                            bOffset + (tb == Transpose.N ? (long) p * ldb + j : (long) j * ldb + p));
                    acc += aip * bpj;
                }
                long ci = cOffset + (long) i * ldc + j;
                float old = beta == 0f ? 0f : beta * c.getAtIndex(FloatMatrix.FLOAT, ci);
                c.setAtIndex(FloatMatrix.FLOAT, ci, alpha * acc + old);
            }
        }
    }
}
