package dev.recur.layers.rnn;

import com.sun.management.ThreadMXBean;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.OptimizerKernels;
import dev.recur.engine.RowOps;
import dev.recur.engine.Transpose;
import dev.recur.engine.VectorOps;
import dev.recur.engine.WorkerPool;
import dev.recur.engine.cell.CellKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The recurrent layer's steady-state workloads for the fresh-JVM allocation check
 * ({@code model/ModelAllocationTest}, whose children run these before the whole models): every cell
 * type (RNN tanh and relu, LSTM, GRU, a bidirectional LSTM, a 2-layer LSTM with inter-layer
 * dropout) forward and backward, plus the kernels around a training step (a head GEMM,
 * log-softmax, clipping norms, Adam). Boxing used to depend on C2's compile order and showed up in
 * about one fresh JVM in three, which is why they run in several fresh JVMs.
 */
public final class CellWorkloads {
    private CellWorkloads() {}

    /** How many workloads {@link #run} reports. */
    public static final int COUNT = 7;

    /** One steady-state workload: a name and one training step. */
    private record Work(String name, Runnable step) {}

    /**
     * Warms each workload up until a round of 100 steps allocates nothing (or {@code cpuBudgetNanos}
     * of this process's CPU time, the JIT's threads included, is spent on it) and returns one line
     * each: {@code alloc <name> <bytes of the last round> after <rounds> rounds}.
     */
    public static List<String> run(long cpuBudgetNanos) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<String> lines = new ArrayList<>();
        List<AutoCloseable> open = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            for (Work w : workloads(arena, open)) {
                long bytes = -1;
                int rounds = 0;
                // CPU time, not wall time: on a loaded machine the compile queue advances only as
                // fast as the JVM gets CPU
                long cpuEnd = os.getProcessCpuTime() + cpuBudgetNanos;
                while (bytes != 0 && (rounds < 3 || os.getProcessCpuTime() < cpuEnd)) {
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 100; i++) w.step.run();
                    bytes = mx.getCurrentThreadAllocatedBytes() - before;
                    rounds++;
                }
                lines.add("alloc " + w.name + " " + bytes + " after " + rounds + " rounds");
            }
        } finally {
            for (AutoCloseable c : open) {
                try { c.close(); } catch (Exception ignored) { /* the child exits soon after */ }
            }
        }
        return lines;
    }

    /**
     * Makes the compiled kernels fail {@code times} times each way, as a caller's bug would: the
     * LSTM and GRU cell kernels and two vector passes reading a closed segment on the calling
     * thread, and an LSTM cell kernel reading memory confined to the caller on a worker of a
     * 2-thread pool (WrongThreadException, rethrown by the pool). Each failure is thrown from inside
     * a vector loop, so C2 deoptimizes the kernel and compiles it again with the exception path
     * taken; the steady-state checks that follow ({@code ModelAllocationTest}) then hold the
     * recompiled kernels to zero allocation too. Returns how many calls failed (all of them).
     */
    public static int provokeFailures(int times) {
        CellKernels k = CellKernels.get();
        int h = 20, failed = 0;
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared(); Arena mine = Arena.ofConfined()) {
            MemorySegment ok = arena.allocate(4L * 8 * 4 * h * 4), confined = mine.allocate(4L * 8 * 4 * h * 4);
            for (int i = 0; i < times; i++) {
                Arena gone = Arena.ofShared();
                MemorySegment bad = gone.allocate(4L * 8 * 4 * h * 4);
                gone.close();
                try { k.lstmForward(8, h, bad, 0, ok, 0, ok, 0, ok, 0, ok, 0); } catch (IllegalStateException e) { failed++; }
                try { k.gruForward(8, h, bad, 0, ok, 0, ok, 0, ok, 0, ok, 0, ok, 0); } catch (IllegalStateException e) { failed++; }
                try { VectorOps.axpy(1f, bad, 0, ok, 0, 64); } catch (IllegalStateException e) { failed++; }
                try { VectorOps.sumOfSquares(bad, 0, 64); } catch (IllegalStateException e) { failed++; }
                try {
                    pool.run(2, (p, n) -> {
                        if (p == 1) k.lstmForward(8, h, confined, 0, ok, 0, ok, 0, ok, 0, ok, 0);
                    });
                } catch (WrongThreadException e) {
                    failed++;
                }
            }
        } finally {
            pool.shutdown();
        }
        return failed;
    }

    private static List<Work> workloads(Arena arena, List<AutoCloseable> open) {
        List<Work> work = new ArrayList<>();
        int t = 10, b = 8, in = 8, h = 20; // H not a multiple of the lane count: the masked tails run too
        int[] lengths = {10, 9, 9, 7, 5, 5, 2, 1};
        Random rnd = new Random(1);
        FloatMatrix x = GradientCheckTest.random(arena, t * b, in, rnd);
        RecurrentConfig[] cfgs = {
                RecurrentConfig.of(CellType.RNN_TANH, in, h), RecurrentConfig.of(CellType.RNN_RELU, in, h),
                RecurrentConfig.of(CellType.LSTM, in, h), RecurrentConfig.of(CellType.GRU, in, h),
                RecurrentConfig.of(CellType.LSTM, in, h).withBidirectional(DirectionMerge.CONCAT),
                RecurrentConfig.of(CellType.LSTM, in, h).withLayers(2).withDropout(0.3f).withSeed(3)};
        for (RecurrentConfig cfg : cfgs) {
            RecurrentLayer l = new RecurrentLayer("r.", cfg, t, b);
            open.add(l);
            FloatMatrix dOut = GradientCheckTest.random(arena, t * b, cfg.outputSize(), rnd);
            String name = cfg.cell() + (cfg.bidirectional() ? "-bidirectional" : "") + (cfg.numLayers() > 1 ? "-2layers-dropout" : "");
            work.add(new Work(name, () -> {
                l.forward(x, b, lengths, null, null, true);
                l.backward(dOut, null, null);
            }));
        }
        // the kernels around the recurrent layer in a training step: head, loss, clipping, optimizer
        FloatMatrix feat = GradientCheckTest.random(arena, b, 2 * h, rnd), w = GradientCheckTest.random(arena, 5, 2 * h, rnd);
        FloatMatrix logits = FloatMatrix.allocate(arena, b, 5), logp = FloatMatrix.allocate(arena, b, 5);
        FloatMatrix gw = FloatMatrix.allocate(arena, 5, 2 * h), m = FloatMatrix.allocate(arena, 5, 2 * h);
        FloatMatrix v = FloatMatrix.allocate(arena, 5, 2 * h), bias = FloatMatrix.allocate(arena, 1, 5);
        long[] step = {0};
        work.add(new Work("head+loss+clip+adam", () -> {
            Gemm.sgemm(Transpose.N, Transpose.T, 1f, feat, w, 0f, logits);
            RowOps.addRowVector(logits, bias);
            RowOps.logSoftmaxRows(logits, logp);
            RowOps.softmaxRows(logits, logits);
            Gemm.sgemm(Transpose.T, Transpose.N, 1f, logits, feat, 0f, gw);
            RowOps.addColumnSums(logits, bias);
            double norm = Math.sqrt(VectorOps.sumOfSquares(gw));
            if (!Float.isFinite(VectorOps.maxAbs(gw))) throw new AssertionError("non-finite gradient");
            VectorOps.scale((float) (1 / Math.max(1, norm)), gw);
            OptimizerKernels.adam(w, gw, m, v, 1e-3, 0.9, 0.999, 1e-8, 0, ++step[0]);
        }));
        return work;
    }
}
