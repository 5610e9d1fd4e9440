package dev.recur.layers.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.OptimizerKernels;
import dev.recur.engine.RowOps;
import dev.recur.engine.Transpose;
import dev.recur.engine.VectorOps;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Zero allocation in steady state, checked where it can fail: in several fresh JVMs, each started
 * the way an application starts, each training every cell type (RNN tanh and relu, LSTM, GRU, a
 * bidirectional LSTM, a 2-layer LSTM with inter-layer dropout) forward and backward, plus the
 * kernels around a training step (a head GEMM, log-softmax, clipping norms, Adam). Boxing used to
 * depend on C2's compile order and showed up in about one fresh JVM in three, so one JVM proves
 * little: {@value #JVMS} JVMs make a one-in-three event fail the build with probability ≥ 0.96.
 */
class FreshJvmAllocationTest {

    static final int JVMS = 8;
    /** Two children at a time: the machine's cores, not more. */
    static final int PARALLEL = 2;

    /** One steady-state workload: a name and one training step. */
    private record Work(String name, Runnable step) {}

    /** Runs in the child JVM: for each workload, warms up until a round allocates nothing (or time runs out), prints its bytes. */
    public static void main(String[] args) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<AutoCloseable> open = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            List<Work> work = workloads(arena, open);
            // the warm-up budget is CPU time of this process (the JIT's threads included), not wall
            // time: on a loaded machine the compile queue advances only as fast as the JVM gets CPU
            long budget = Long.parseLong(args.length > 0 ? args[0] : "20") * 1_000_000_000L;
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            for (Work w : work) {
                if (args.length > 1 && !w.name.equals(args[1])) continue;
                long bytes = -1;
                int rounds = 0;
                long cpuEnd = os.getProcessCpuTime() + budget;
                while (bytes != 0 && (rounds < 3 || os.getProcessCpuTime() < cpuEnd)) {
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 100; i++) w.step.run();
                    bytes = mx.getCurrentThreadAllocatedBytes() - before;
                    rounds++;
                }
                System.out.println("alloc " + w.name + " " + bytes + " after " + rounds + " rounds");
            }
        } finally {
            for (AutoCloseable c : open) {
                try { c.close(); } catch (Exception ignored) { /* child exits next */ }
            }
        }
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

    private static Process start(int seconds) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Drecur.threads=1", "-cp", cp, FreshJvmAllocationTest.class.getName(), Integer.toString(seconds)))
                .redirectErrorStream(true).start();
    }

    @Test
    void steadyStateTrainingOfEveryCellTypeAllocatesNothingInEveryFreshJvm() throws Exception {
        List<String> failures = new ArrayList<>();
        int lines = 0;
        for (int first = 0; first < JVMS; first += PARALLEL) {
            List<Process> batch = new ArrayList<>();
            for (int j = first; j < Math.min(JVMS, first + PARALLEL); j++) batch.add(start(20));
            for (int j = 0; j < batch.size(); j++) {
                Process p = batch.get(j);
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
                assertEquals(0, p.exitValue(), out);
                for (String line : out.lines().filter(l -> l.startsWith("alloc ")).toList()) {
                    lines++;
                    String[] f = line.split(" ");
                    if (!f[2].equals("0")) failures.add("JVM " + (first + j) + ": " + line);
                }
            }
        }
        assertEquals(JVMS * 7, lines, "every child reports every workload");
        assertTrue(failures.isEmpty(), "steady-state steps allocated (boxed vectors?):\n" + String.join("\n", failures));
    }
}
