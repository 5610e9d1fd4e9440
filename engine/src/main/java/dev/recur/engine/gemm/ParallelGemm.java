package dev.recur.engine.gemm;

import dev.recur.engine.ParallelTask;
import dev.recur.engine.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link SimdGemm#sgemm} on the threads of a {@link WorkerPool} in one pool call, with work taken
 * dynamically and no barrier between depth blocks.
 *
 * <p>The serial (jc, pc) loop is cut into <em>phases</em>, one per (jc, pc) block in the serial
 * order. Each phase is a run of tasks: first {@link #packTasks} tasks that pack groups of
 * {@link #PANELS_PER_PACK} B micro-panels of the block into a shared buffer, then one task per
 * {@link #MC_TASK}-row block of C (pack that A block, multiply it by the packed B block). All the
 * tasks of all phases are numbered in that order and taken one at a time from one shared counter,
 * so a thread that is late (descheduled, a slower core) simply takes fewer. A task waits only for
 * what it reads or overwrites, all of it in earlier tasks:
 * <ul>
 *   <li>a row task waits until its phase's B block is packed, and (for pc &gt; 0) until its own
 *       row block finished the previous depth block: every C element still gets its KC blocks in
 *       the serial order;</li>
 *   <li>phases alternate between two B buffers, so the next block is packed while the last rows
 *       of the current one are multiplied; a pack task waits until every row task that read its
 *       buffer two phases earlier is done.</li>
 * </ul>
 * Tasks are taken in increasing order and each waits only on lower-numbered ones, so the lowest
 * unfinished task can always proceed: no deadlock, also when the pool runs the pieces one after the
 * other on the caller. A tile computes each element as the same sum whatever its height or position,
 * so the result is bit for bit the serial one for any thread count.
 *
 * <p>One instance per calling thread (not thread-safe); reused, so a call allocates nothing once
 * the bookkeeping arrays have grown to the largest problem seen.
 */
public final class ParallelGemm implements ParallelTask {
    /** Rows of C per row task (strips of 8, or 12+12+12+12+8+8 with the 12-row tile). */
    public static final int MC_TASK = 64;
    /** B micro-panels packed per pack task. */
    static final int PANELS_PER_PACK = 4;

    private static final int KC = Blocking.KC, NC = Blocking.NC, NR = MicroKernel.NR;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    static {
        if (MC_TASK % Blocking.MR != 0 || NC % NR != 0) throw new AssertionError("blocks must align to the tile");
    }

    private static final ThreadLocal<ParallelGemm> PER_CALLER = ThreadLocal.withInitial(ParallelGemm::new);

    /** The calling thread's instance. */
    public static ParallelGemm forThisThread() { return PER_CALLER.get(); }

    private ParallelGemm() {}

    private final AtomicLong next = new AtomicLong();
    private volatile boolean failed;
    private boolean ta, tb;
    private int m, n, k, lda, ldb, ldc;
    private float alpha, beta;
    private MemorySegment a, b, c;
    private long a0, b0, c0;
    /** The two B buffers: even phases pack into the caller's workspace, odd ones into {@link #pbOdd}. */
    private float[] pbEven, pbOdd;
    private int depthBlocks, phases, packTasks, rowTasks, perPhase;
    private long total;
    /**
     * Per phase: pack tasks done, row tasks done. Per row block: one more than the largest phase it
     * has finished. A row task of depth block pc &gt; 0 at phase f waits for that to reach f: only
     * (f − 1, t) or a later phase of a later column block can raise it there, and such a later
     * phase's B block is packed only after all rows of an earlier phase of this column block
     * are done, which are done only after (f − 1, t).
     */
    private int[] packsDone = new int[0], rowsDone = new int[0], rowPhase = new int[0];

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
        this.ta = transA; this.tb = transB; this.m = m; this.n = n; this.k = k;
        this.alpha = alpha; this.beta = beta;
        this.a = a; this.a0 = a0; this.lda = lda; this.b = b; this.b0 = b0; this.ldb = ldb;
        this.c = c; this.c0 = c0; this.ldc = ldc;
        pbEven = Workspace.get().packedB; // the caller's, shared with the workers for this call
        if (pbOdd == null) pbOdd = new float[pbEven.length];
        depthBlocks = (k + KC - 1) / KC;
        phases = (n + NC - 1) / NC * depthBlocks;
        int widestPanels = (Math.min(NC, n) + NR - 1) / NR;
        packTasks = (widestPanels + PANELS_PER_PACK - 1) / PANELS_PER_PACK;
        rowTasks = (m + MC_TASK - 1) / MC_TASK;
        perPhase = packTasks + rowTasks;
        total = (long) phases * perPhase;
        if (packsDone.length < phases) {
            packsDone = new int[phases];
            rowsDone = new int[phases];
        } else {
            Arrays.fill(packsDone, 0, phases, 0);
            Arrays.fill(rowsDone, 0, phases, 0);
        }
        if (rowPhase.length < rowTasks) rowPhase = new int[rowTasks];
        else Arrays.fill(rowPhase, 0, rowTasks, 0);
        failed = false;
        next.set(0);
        try {
            pool.run(pool.threads(), this);
        } finally {
            this.a = this.b = this.c = null;
            pbEven = null;
        }
    }

    @Override
    public void run(int piece, int pieces) {
        Workspace ws = Workspace.get();
        float[] pa = ws.packedA, tile = ws.tile;
        try {
            for (long g; (g = next.getAndIncrement()) < total; ) {
                int f = (int) (g / perPhase), local = (int) (g - (long) f * perPhase);
                int jcIdx = f / depthBlocks, pcIdx = f - jcIdx * depthBlocks;
                int jc = jcIdx * NC, nc = Math.min(NC, n - jc);
                int pc = pcIdx * KC, kc = Math.min(KC, k - pc);
                float[] pb = (f & 1) == 0 ? pbEven : pbOdd;
                if (local < packTasks) {
                    if (f >= 2) await(rowsDone, f - 2, rowTasks);
                    int from = local * PANELS_PER_PACK * NR;
                    int to = Math.min(nc, from + PANELS_PER_PACK * NR);
                    if (to > from) Packing.packB(tb, b, b0, ldb, pc, kc, jc + from, to - from, pb, from * kc);
                    INTS.getAndAdd(packsDone, f, 1);
                } else {
                    int t = local - packTasks;
                    await(packsDone, f, packTasks);
                    if (pcIdx > 0) await(rowPhase, t, f);
                    int ic = t * MC_TASK, mc = Math.min(MC_TASK, m - ic);
                    Packing.packA(ta, a, a0, lda, ic, mc, pc, kc, pa);
                    SimdGemm.macroKernel(ta, mc, nc, kc, alpha, pcIdx == 0 ? beta : 1f, pa, 0, pb, 0, tile,
                            c, c0 + (long) ic * ldc + jc, ldc);
                    // the largest phase done: at a jc boundary the next column block's first
                    // phase (which waits for nothing here) may finish before this row's last one
                    for (int cur; (cur = (int) INTS.getVolatile(rowPhase, t)) < f + 1
                            && !INTS.compareAndSet(rowPhase, t, cur, f + 1); ) {
                        Thread.onSpinWait();
                    }
                    INTS.getAndAdd(rowsDone, f, 1);
                }
            }
        } catch (Throwable e) {
            failed = true; // the others stop waiting for tasks that will never finish
            throw e;
        }
    }

    /** Spins (then yields) until {@code counts[i] ≥ target}. */
    private void await(int[] counts, int i, int target) {
        for (int spins = 0; (int) INTS.getAcquire(counts, i) < target; spins++) {
            if (failed) throw new IllegalStateException("another GEMM task failed");
            if (spins < 256) Thread.onSpinWait();
            else Thread.yield();
        }
    }
}
