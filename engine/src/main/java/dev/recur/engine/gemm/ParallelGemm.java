package dev.recur.engine.gemm;

import dev.recur.engine.ParallelTask;
import dev.recur.engine.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link SimdGemm#sgemm} on the threads of a {@link WorkerPool}, with work taken dynamically so
 * no thread waits for a late one at a fixed split. The (jc, pc) loops run on the caller in the
 * serial order; for each (jc, pc) the pool first packs the B block (each thread a range of NR-wide
 * micro-panels, into one shared buffer), then computes it: the {@link #MC_TASK}-row blocks of C are
 * taken one at a time from a shared counter, each packed and multiplied by whichever thread takes
 * it. Every C element still gets its depth blocks (the same KC blocks) in order, and a tile computes
 * each of its elements as the same sum whatever its height or position, so the result is bit for
 * bit the serial one for any thread count.
 *
 * <p>One instance per calling thread (not thread-safe); reused, so a call allocates nothing.
 */
public final class ParallelGemm implements ParallelTask {
    /** Rows of C per task (strips 12+12+12+12+8+8 or 8 × 8); 16 tasks per depth block of a 1024-row product. */
    public static final int MC_TASK = 64;

    private static final int KC = Blocking.KC, NC = Blocking.NC, NR = MicroKernel.NR;

    static {
        if (MC_TASK % Blocking.MR != 0 || NC % NR != 0) throw new AssertionError("blocks must align to the tile");
    }

    private static final ThreadLocal<ParallelGemm> PER_CALLER = ThreadLocal.withInitial(ParallelGemm::new);

    /** The calling thread's instance. */
    public static ParallelGemm forThisThread() { return PER_CALLER.get(); }

    private ParallelGemm() {}

    private final AtomicInteger next = new AtomicInteger();
    private boolean ta, tb, packing;
    private int m, lda, ldb, ldc, jc, nc, pc, kc;
    private float alpha, betaHere;
    private MemorySegment a, b, c;
    private long a0, b0, c0;
    private float[] pb;

    /** Whether a product of m rows is worth splitting this way on {@code threads} threads. */
    public static boolean suits(int m, int threads) {
        return m >= 2L * threads * MC_TASK;
    }

    /** {@code C = alpha·op(A)·op(B) + beta·C} on the pool's threads; arguments as in {@link SimdGemm#sgemm}. */
    public void sgemm(WorkerPool pool, boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                      float beta, MemorySegment c, long c0, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            SimdGemm.scale(m, n, beta, c, c0, ldc);
            return;
        }
        this.ta = transA; this.tb = transB; this.m = m; this.alpha = alpha;
        this.a = a; this.a0 = a0; this.lda = lda; this.b = b; this.b0 = b0; this.ldb = ldb;
        this.c = c; this.c0 = c0; this.ldc = ldc;
        this.pb = Workspace.get().packedB; // the caller's, shared with the workers for this call
        int threads = pool.threads();
        try {
            for (jc = 0; jc < n; jc += NC) {
                nc = Math.min(NC, n - jc);
                for (pc = 0; pc < k; pc += KC) {
                    kc = Math.min(KC, k - pc);
                    betaHere = pc == 0 ? beta : 1f;
                    packing = true;
                    pool.run(threads, this);
                    packing = false;
                    next.set(0);
                    pool.run(threads, this);
                }
            }
        } finally {
            this.a = this.b = this.c = null;
            this.pb = null;
        }
    }

    @Override
    public void run(int piece, int pieces) {
        if (packing) {
            int panels = (nc + NR - 1) / NR;
            int from = (int) ((long) panels * piece / pieces) * NR;
            int to = Math.min(nc, (int) ((long) panels * (piece + 1) / pieces) * NR);
            if (to > from) Packing.packB(tb, b, b0, ldb, pc, kc, jc + from, to - from, pb, from * kc);
            return;
        }
        Workspace ws = Workspace.get();
        float[] pa = ws.packedA, tile = ws.tile;
        int blocks = (m + MC_TASK - 1) / MC_TASK;
        for (int t; (t = next.getAndIncrement()) < blocks; ) {
            int ic = t * MC_TASK, mc = Math.min(MC_TASK, m - ic);
            Packing.packA(ta, a, a0, lda, ic, mc, pc, kc, pa);
            SimdGemm.macroKernel(ta, mc, nc, kc, alpha, betaHere, pa, pb, 0, tile, c, c0 + (long) ic * ldc + jc, ldc);
        }
    }
}
