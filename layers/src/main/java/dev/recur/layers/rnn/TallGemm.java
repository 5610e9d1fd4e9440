package dev.recur.layers.rnn;

import dev.recur.engine.Engine;
import dev.recur.engine.Gemm;
import dev.recur.engine.ParallelTask;
import dev.recur.engine.Transpose;
import dev.recur.engine.WorkerPool;
import dev.recur.engine.gemm.Blocking;
import java.lang.foreign.MemorySegment;

/**
 * The all-steps GEMMs whose output is tall and narrow — the input projection {@code G = X·W_ihᵀ}
 * ({@code (T·B) × gH}) and the input gradient {@code dX = dG·W_ih} ({@code (T·B) × in}) — split
 * over {@link Engine#pool()} by blocks of output rows: each worker packs only its own rows of A and
 * the small B. (Split by columns, every worker would pack all of the T·B-row A.) A row of C is
 * computed by the same operations whatever block it is in, so the split changes no bit. One
 * instance per stack, reused: no allocation per call.
 */
final class TallGemm implements ParallelTask {
    /** Below this many flops (2·m·n·k) the product stays on the calling thread. */
    private static final long MIN_PARALLEL_FLOPS = 1L << 21;

    private Transpose tb;
    private int m, n, k, lda, ldb, ldc;
    private float beta;
    private MemorySegment a, b, c;

    /** {@code C = A·op(B) + beta·C}: A m×k (row-major, ld lda), op(B) k×n, C m×n. */
    void multiply(Transpose tb, int m, int n, int k, MemorySegment a, int lda, MemorySegment b, int ldb,
                  float beta, MemorySegment c, int ldc) {
        WorkerPool pool = Engine.pool();
        int threads = pool.threads();
        Thread worker = pool.anyWorker();
        int tiles = (m + Blocking.MR - 1) / Blocking.MR;
        if (threads == 1 || tiles < 2 || 2L * m * n * k < MIN_PARALLEL_FLOPS || worker == null
                || !a.isAccessibleBy(worker) || pool.isWorker(Thread.currentThread())) {
            Gemm.sgemmSerial(Transpose.N, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
            return;
        }
        this.tb = tb;
        this.m = m;
        this.n = n;
        this.k = k;
        this.a = a;
        this.lda = lda;
        this.b = b;
        this.ldb = ldb;
        this.beta = beta;
        this.c = c;
        this.ldc = ldc;
        try {
            pool.run(Math.min(threads, tiles), this);
        } finally {
            this.a = this.b = this.c = null;
        }
    }

    @Override
    public void run(int piece, int pieces) {
        int tiles = (m + Blocking.MR - 1) / Blocking.MR;
        int from = Math.min(m, (int) ((long) tiles * piece / pieces) * Blocking.MR);
        int to = Math.min(m, (int) ((long) tiles * (piece + 1) / pieces) * Blocking.MR);
        if (to <= from) return;
        Gemm.sgemmSerial(Transpose.N, tb, to - from, n, k, 1f, a, (long) from * lda, lda, b, 0, ldb,
                beta, c, (long) from * ldc, ldc);
    }
}
