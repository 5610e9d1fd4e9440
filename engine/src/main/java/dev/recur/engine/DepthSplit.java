package dev.recur.engine;

import dev.recur.engine.gemm.Blocking;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deep product (depth k much larger than the width n of C: the weight gradients {@code Xᵀ·dG},
 * k = steps × batch) cut along k into a fixed number of chunks, each an independent product, summed
 * in chunk order:
 *
 * <pre>
 * C = alpha·op(A)[:, K₀]·op(B)[K₀, :] + beta·C          chunk 0, into C
 * P_c = alpha·op(A)[:, K_c]·op(B)[K_c, :]               chunks c = 1 … chunks − 1, into partials
 * C = (…((C + P₁) + P₂) + …) + P_last                   element by element, in chunk order
 * </pre>
 *
 * The chunks depend on k and n alone ({@link #chunks}), never on the thread count, so the result is
 * bit for bit the same on any number of threads; threads take whole chunks, and each packs only its
 * own rows of A and B. Splitting C by columns instead makes every thread pack all of A, and by rows
 * all of B. The chunk depth is at least 8·n, so the partials (written once, read once) cost at most
 * a quarter of the traffic of A and B.
 *
 * <p>One instance per calling thread; the partial buffer grows to the largest product seen and is
 * then reused, so a call allocates nothing.
 */
final class DepthSplit implements ParallelTask {
    /** Most chunks: a power of two, so 1, 2, 4 or 8 threads get equal shares. */
    static final int MAX_CHUNKS = 8;

    private static final ThreadLocal<DepthSplit> PER_CALLER = ThreadLocal.withInitial(DepthSplit::new);

    static DepthSplit forThisThread() { return PER_CALLER.get(); }

    private DepthSplit() {}

    /**
     * How many chunks a product of depth k and width n is cut into: 1 (no split) unless k holds at
     * least two chunks of {@code max(8·n, 4·KC)}; then the largest power of two ≤ 8 that fits.
     */
    static int chunks(int k, int n) {
        long minDepth = Math.max(8L * n, 4L * Blocking.KC);
        long fit = k / minDepth;
        if (fit < 2) return 1;
        return (int) Math.min(MAX_CHUNKS, Long.highestOneBit(fit));
    }

    /**
     * Where chunk {@code p} of {@code chunks} starts along k (chunk {@code chunks} "starts" at k): the
     * ⌈k / KC⌉ depth blocks dealt out evenly, so chunk sizes differ by at most one KC block and
     * every chunk starts at a multiple of KC.
     */
    static int chunkStart(int k, int p, int chunks) {
        if (p >= chunks) return k;
        long blocks = (k + Blocking.KC - 1) / Blocking.KC;
        return (int) (blocks * p / chunks * Blocking.KC);
    }

    private final AtomicInteger next = new AtomicInteger();
    private GemmSupport kernel;
    private boolean ta, tb;
    private int m1, m2, n, k, lda1, lda2, ldb, ldc, chunks;
    private float alpha, beta;
    private MemorySegment a1, a2, b, c, partials = MemorySegment.NULL;
    private long a10, a20, b0, c0;

    /**
     * {@code C = alpha·[op(A1); op(A2)]·op(B) + beta·C} cut into {@code chunks} (≥ 2) chunks of
     * depth, on {@code pool} when {@code threads > 1}, else on the caller (A2 absent when m2 = 0).
     */
    void run(GemmSupport kernel, WorkerPool pool, int threads, int chunks, boolean ta, boolean tb,
             int m1, int m2, int n, int k, float alpha,
             MemorySegment a1, long a10, int lda1, MemorySegment a2, long a20, int lda2,
             MemorySegment b, long b0, int ldb, float beta, MemorySegment c, long c0, int ldc) {
        this.kernel = kernel;
        this.ta = ta; this.tb = tb; this.m1 = m1; this.m2 = m2; this.n = n; this.k = k;
        this.alpha = alpha; this.beta = beta;
        this.a1 = a1; this.a10 = a10; this.lda1 = lda1; this.a2 = a2; this.a20 = a20; this.lda2 = lda2;
        this.b = b; this.b0 = b0; this.ldb = ldb; this.c = c; this.c0 = c0; this.ldc = ldc;
        this.chunks = chunks;
        int m = m1 + m2;
        long need = (long) (chunks - 1) * m * n * Float.BYTES;
        if (partials.byteSize() < need) partials = Arena.ofAuto().allocate(need, 64);
        try {
            next.set(0);
            if (threads > 1) pool.run(Math.min(threads, chunks), this);
            else run(0, 1);
            long part = (long) m * n;
            for (int i = 0; i < m; i++) {
                long row = c0 + (long) i * ldc;
                for (int p = 1; p < chunks; p++) {
                    VectorOps.axpy(1f, partials, (p - 1) * part + (long) i * n, c, row, n); // fma(1, P, C) = P + C
                }
            }
        } finally {
            this.a1 = this.a2 = this.b = this.c = null;
            this.kernel = null;
        }
    }

    @Override
    public void run(int piece, int pieces) {
        for (int p; (p = next.getAndIncrement()) < chunks; ) {
            int from = chunkStart(k, p, chunks), kp = chunkStart(k, p + 1, chunks) - from;
            long aStep1 = ta ? (long) from * lda1 : from, aStep2 = ta ? (long) from * lda2 : from;
            long bStep = tb ? from : (long) from * ldb;
            MemorySegment out = p == 0 ? c : partials;
            long out0 = p == 0 ? c0 : (long) (p - 1) * (m1 + m2) * n;
            int ldOut = p == 0 ? ldc : n;
            float betaHere = p == 0 ? beta : 0f;
            kernel.sgemmStacked(ta, tb, m1, m2, n, kp, alpha, a1, a10 + aStep1, lda1, a2, a20 + aStep2, lda2,
                    b, b0 + bStep, ldb, betaHere, out, out0, ldOut);
        }
    }
}
