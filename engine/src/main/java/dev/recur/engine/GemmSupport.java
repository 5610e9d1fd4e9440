package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * One kernel family: the single-thread SGEMM behind {@link Gemm}, with a Vector API implementation
 * ({@code dev.recur.engine.gemm.SimdGemm}) and a plain-loop scalar twin ({@link ScalarGemm});
 * {@link Kernels} picks one once. Arguments as the raw {@code Gemm.sgemm} (already checked).
 * Public only so the gemm package can implement it; call {@link Gemm}.
 */
public interface GemmSupport {
    /** {@code C = alpha·op(A)·op(B) + beta·C} on the calling thread. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
               float beta, MemorySegment c, long c0, int ldc);

    /** The same with op(B) prepacked (k×n, see {@link PackedB}). */
    void sgemm(boolean transA, int m, float alpha, MemorySegment a, long a0, int lda, PackedB b,
               float beta, MemorySegment c, long c0, int ldc);

    /** Floats a {@link PackedB} of op(B), k×n, holds in this implementation's layout. */
    long packedFloats(int k, int n);

    /**
     * Packs op(B) (k×n; element (r, c) of the stored B at {@code b0 + r·ldb + c}) into {@code dst},
     * {@link #packedFloats} long, for the prepacked {@link #sgemm}.
     */
    void packB(boolean transB, int k, int n, MemorySegment b, long b0, int ldb, float[] dst);

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C} split over the pool's threads by this implementation,
     * when it has a split for a product of {@code m} rows on that many threads: returns true when
     * done, false (C untouched) when the caller should split the work itself.
     */
    boolean sgemmParallel(WorkerPool pool, boolean transA, boolean transB, int m, int n, int k, float alpha,
                          MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                          float beta, MemorySegment c, long c0, int ldc);
}
