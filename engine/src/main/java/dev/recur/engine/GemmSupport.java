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

    /**
     * {@code C = alpha·[op(A1); op(A2)]·op(B) + beta·C} on the calling thread: C's first m1 rows
     * from A1, the next m2 from A2, each row with the bits of a plain {@link #sgemm} of its own A.
     * The default makes the two calls; an implementation that packs op(B) packs it once for both.
     */
    default void sgemmStacked(boolean transA, boolean transB, int m1, int m2, int n, int k, float alpha,
                              MemorySegment a1, long a10, int lda1, MemorySegment a2, long a20, int lda2,
                              MemorySegment b, long b0, int ldb, float beta, MemorySegment c, long c0, int ldc) {
        sgemm(transA, transB, m1, n, k, alpha, a1, a10, lda1, b, b0, ldb, beta, c, c0, ldc);
        sgemm(transA, transB, m2, n, k, alpha, a2, a20, lda2, b, b0, ldb, beta, c, c0 + (long) m1 * ldc, ldc);
    }

    /** The same with op(B) prepacked (k×n, see {@link PackedB}). */
    void sgemm(boolean transA, int m, float alpha, MemorySegment a, long a0, int lda, PackedB b,
               float beta, MemorySegment c, long c0, int ldc);

    /**
     * {@code C = alpha·[A1 | A2]·op(B) + beta·C} on the calling thread, op(B) prepacked ((k1 + k2)×n):
     * A1 (m×k1) and A2 (m×(k2)), both stored not transposed, side by side along k, as one product of
     * depth k1 + k2 (a step's input and previous state times the joined weights).
     */
    void sgemmJoined(int m, float alpha, MemorySegment a1, long a10, int lda1, int k1,
                     MemorySegment a2, long a20, int lda2, PackedB b, float beta, MemorySegment c, long c0, int ldc);

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
