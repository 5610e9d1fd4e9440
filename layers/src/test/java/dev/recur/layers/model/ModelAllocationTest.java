package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.CellWorkloads;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Zero allocation in steady state, checked where it can fail: in {@value #JVMS} fresh JVMs, each
 * started the way an application starts. Each child first runs the recurrent layer's workloads
 * ({@link CellWorkloads}: every cell type forward and backward, and the kernels around a step),
 * then the whole training step of every model kind — forward (sorting, embedding, dropout, recurrent
 * stack, head, loss), backward, clipping, the optimizer, zeroGrad — allocates nothing once the JIT
 * has compiled it and the batch shape repeats. Boxing used to depend on C2's compile order and
 * showed up in about one fresh JVM in three, before the kernels became loops in which no vector
 * crosses a call; it has not been seen since. {@value #JVMS} JVMs would make such a one-in-three
 * event fail the build with probability 0.80 (six did with 0.91 and cost a minute more of the
 * test run's critical path; the other allocation classes, listed in the layers pom, each run in a
 * fresh JVM of their own as well). The children run two at a time, the next started as soon as one
 * has finished. One child for both halves shares their JVM start and the JIT's
 * work on the kernels they have in common (here 15 CPU-seconds a child, against 22 for the halves in two).
 *
 * <p>After the cells, each child makes the kernels fail 5,000 times ({@link CellWorkloads#provokeFailures}:
 * closed memory on the caller, caller-confined memory on a pool worker), so that the models below
 * run on kernels C2 compiled again after taking their exception paths: a failure once boxed a
 * JVM's kernels for good in an intermediate build (seen once, not reproduced since).
 *
 * <p>Then each child trains a bidirectional LSTM classifier with dropout, a GRU tagger with three
 * features, then a stateful LSTM language model, in that order and in one JVM: the later models
 * reach kernels and checks that C2 first compiled from the earlier ones' call sites, which is how
 * an allocation on one path shows up (the language model's 160 B per window — two error messages
 * built on every call before the shape check — appeared only after the other two, in every such
 * JVM, never alone). A model passes when, after warming up ({@link #WARM_ROUNDS}), the next {@value #STEADY_ROUNDS} rounds allocate nothing either, but for at most {@value #TRANSIENT_ROUNDS} of them: an
 * allocation on a branch some steps take (clipping took such a branch on about one round in seven)
 * fails it too.
 */
class ModelAllocationTest {

    static final int JVMS = 4;
    /** Two children at a time: the machine's cores, not more. */
    static final int PARALLEL = 2;
    /**
     * Warm once at least {@value #MIN_WARM_ROUNDS} rounds ran and the last {@value #WARM_ROUNDS}
     * allocated nothing: C2's last compilations and recompilations, while which a method runs
     * interpreted for a moment and allocates a few dozen bytes, were over by round 250 in every
     * JVM looked at (JFR and a per-round log).
     */
    static final int WARM_ROUNDS = 10, MIN_WARM_ROUNDS = 400;
    static final int STEADY_ROUNDS = 30;
    /**
     * Steady rounds allowed to allocate: under a load of 40 on 2 cores one JVM in six still had a
     * last recompilation after the warm-up (752 B once). An allocation on every step fails all 30
     * rounds; one on a branch taken in one round of seven passes with probability 0.18 per JVM, so
     * all six JVMs miss it with probability 3·10⁻⁵.
     */
    static final int TRANSIENT_ROUNDS = 2;
    private static final List<String> MODELS = List.of("classifier", "tagger", "lm");
    /** Failing calls of each kind between the cell workloads and the models ({@link CellWorkloads#provokeFailures}). */
    static final int FAILURES = 1000;

    /**
     * Runs in the child JVM: the cell workloads ({@link CellWorkloads#run}, a line each), then every
     * model in turn, one line {@code alloc <model> <warm-up rounds> <steady rounds that allocated> <their bytes>}.
     */
    public static void main(String[] args) {
        CellWorkloads.run(Long.parseLong(args[1]) * 1_000_000_000L).forEach(System.out::println);
        System.out.println("failures " + CellWorkloads.provokeFailures(FAILURES));
        long budget = Long.parseLong(args[0]) * 1_000_000_000L;
        ModelConfig cc = SequenceModelTest.config(CellType.LSTM).withBidirectional(true).withDropout(0.2f).withEmbeddingDropout(0.1f);
        try (SequenceClassifier m = new SequenceClassifier(cc, 1, SequenceModelTest.T, SequenceModelTest.B)) {
            System.out.println("alloc classifier " + steadyState(m, SequenceModelTest.batch(3), budget));
        }
        TaggerConfig tc = CompositionTest.tagger(CellType.GRU);
        tc = new TaggerConfig(tc.features(), tc.cell(), tc.hidden(), tc.layers(), true, 0.2f, 0f, 0.1f, tc.outputs(), "gru");
        try (SequenceTagger m = new SequenceTagger(tc, 1, CompositionTest.T, CompositionTest.B)) {
            System.out.println("alloc tagger " + steadyState(m, CompositionTest.taggerBatch(4), budget));
        }
        try (CharLanguageModel m = new CharLanguageModel(CompositionTest.lm(CellType.LSTM), 1, CompositionTest.T, CompositionTest.B)) {
            System.out.println("alloc lm " + steadyState(m, CompositionTest.stream(0, CompositionTest.T), budget));
        }
    }

    /** Warms up (or spends the CPU budget), then measures {@value #STEADY_ROUNDS} more rounds. */
    private static String steadyState(SequenceModel m, Batch b, long cpuBudget) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        // CPU time of this process (the JIT's threads included), not wall time: on a loaded machine
        // the compile queue advances only as fast as the JVM gets CPU
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Adam opt = new Adam(m.parameters(), 0.01)) {
            m.train(true);
            long cpuEnd = os.getProcessCpuTime() + cpuBudget;
            int rounds = 0, zeros = 0;
            while ((zeros < WARM_ROUNDS || rounds < MIN_WARM_ROUNDS) && os.getProcessCpuTime() < cpuEnd) {
                zeros = round(m, b, opt, mx) == 0 ? zeros + 1 : 0;
                rounds++;
            }
            long steady = 0;
            int allocating = 0;
            for (int r = 0; r < STEADY_ROUNDS; r++) {
                long bytes = round(m, b, opt, mx);
                steady += bytes;
                if (bytes != 0) allocating++;
            }
            return rounds + " " + allocating + " " + steady;
        }
    }

    /** Bytes this thread allocated in 100 training steps. */
    private static long round(SequenceModel m, Batch b, Adam opt, ThreadMXBean mx) {
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100; i++) {
            m.zeroGrad();
            m.forward(b);
            m.backward();
            GradientClipping.clipGradNorm(m.parameters(), 1f);
            opt.step();
        }
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    /** A child with {@code seconds} of CPU time to warm up each model and {@code cellSeconds} each cell workload. */
    private static Process start(int seconds, int cellSeconds) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Drecur.threads=1", "-cp", cp, ModelAllocationTest.class.getName(), Integer.toString(seconds),
                Integer.toString(cellSeconds)))
                .redirectErrorStream(true).start();
    }

    @Test
    void steadyStateTrainingOfEveryCellTypeAndEveryModelKindAllocatesNothingInEveryFreshJvm() throws Exception {
        List<String> failures = new ArrayList<>();
        int lines = 0, cells = 0;
        // PARALLEL children at a time, the next started as soon as one has finished
        List<Process> running = new ArrayList<>();
        int started = 0;
        for (int j = 0; j < JVMS; j++) {
            while (started < JVMS && started - j < PARALLEL) {
                running.add(start(40, 20));
                started++;
            }
            Process p = running.get(j);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM did not finish");
            assertEquals(0, p.exitValue(), out);
            List<String> reported = out.lines().filter(l -> l.startsWith("alloc ")).toList();
            assertTrue(out.lines().anyMatch(l -> l.equals("failures " + 5 * FAILURES)), "every provoked failure was thrown: " + out);
            for (String line : reported.subList(0, Math.min(CellWorkloads.COUNT, reported.size()))) {
                cells++;
                if (!line.split(" ")[2].equals("0")) failures.add("JVM " + j + ": " + line + " (boxed vectors?)");
            }
            for (String line : reported.subList(Math.min(CellWorkloads.COUNT, reported.size()), reported.size())) {
                String[] f = line.split(" ");
                assertEquals(MODELS.get(lines % MODELS.size()), f[1], "models in order: " + out);
                lines++;
                if (Integer.parseInt(f[3]) > TRANSIENT_ROUNDS) {
                    failures.add("JVM " + j + ": " + f[1] + " allocated " + f[4] + " B in " + f[3] + " of "
                            + STEADY_ROUNDS + " rounds of 100 steps after " + f[2] + " warm-up rounds");
                }
            }
        }
        assertEquals(JVMS * CellWorkloads.COUNT, cells, "every child reports every cell workload");
        assertEquals(JVMS * MODELS.size(), lines, "every child reports every model");
        assertTrue(failures.isEmpty(), "steady-state training steps allocated:\n" + String.join("\n", failures));
    }
}
