package dev.recur.bench;

import dev.recur.engine.Engine;
import dev.recur.layers.Pooling;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.rnn.CellType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The issue-3 benchmark: one training step — forward, BCE loss, backward, clip_grad_norm_(1.0),
 * Adam(lr 1e-3) — of Embedding(20000, 128) → {LSTM, GRU, RNN}(H) → last step → Linear(1) → BCE
 * with logits, batch 64, T = 200 (every sequence full length, random tokens), and inference
 * (forward only, evaluation mode). The same model and work as {@code jmh/pytorch/bench_pytorch.py}.
 * Scores are <b>sequences per second</b> ({@code @OperationsPerInvocation(64)}: one invocation is
 * one batch of 64).
 *
 * <pre>
 * ./recur bench TrainStepBench                                   (the full table: 12 configurations × 2, ~12 min)
 * ./recur bench TrainStepBench -f 1 -wi 2 -i 3 -w 1 -r 1 -p cell=LSTM -p hidden=128 -p threads=1
 * ./recur bench TrainStepBench -prof gc                          (allocation per sequence)
 * </pre>
 * One step takes a large fraction of a second, so warm-up is given in seconds (3 × 5 s): shorter
 * smoke runs measure partly interpreted or C1-compiled code (boxed vectors, high allocation).
 *
 * <p>On a loaded machine (more runnable threads than cores) the wall-clock score mostly measures
 * the scheduler. With {@code -p cpuClock=true} each iteration also prints a {@code cpu:} line, the
 * score in sequences per second of the benchmark thread's own CPU time
 * ({@link ThreadMXBean#getCurrentThreadCpuTime()}; meaningful for {@code threads=1} only): still
 * disturbed by what shares the caches, but not by the waiting.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainStepBench {
    static final int BATCH = 64;

    @Param({"LSTM", "GRU", "RNN_TANH"})
    public String cell;

    @Param({"128", "256"})
    public int hidden;

    @Param({"1", "2"})
    public int threads;

    @Param({"200"})
    public int steps;

    @Param({"20000"})
    public int vocab;

    @Param({"128"})
    public int embed;

    @Param({"false"})
    public boolean cpuClock;

    private SequenceClassifier model;
    private Adam adam;
    private Batch batch;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.setThreads(threads);
        ModelConfig cfg = ModelConfig.defaults(CellType.valueOf(cell), vocab)
                .withEmbedDim(embed).withHidden(hidden).withPool(Pooling.LAST).withPaddingIdx(-1);
        model = new SequenceClassifier(cfg, 1, steps, BATCH);
        adam = new Adam(model.parameters(), 1e-3);
        batch = new Batch(steps, BATCH).reset(steps, BATCH);
        SplittableRandom r = new SplittableRandom(0);
        for (int i = 0; i < steps * BATCH; i++) batch.tokens()[i] = r.nextInt(vocab);
        for (int b = 0; b < BATCH; b++) batch.labels()[b] = r.nextInt(2);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        adam.close();
        model.close();
    }

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private long cpuStart;
    private int invocations;

    @Setup(Level.Iteration)
    public void startClock() {
        invocations = 0;
        cpuStart = MX.getCurrentThreadCpuTime();
    }

    /** Fixtures run on the benchmark thread, so this is the CPU time of the iteration's invocations (and their loop). */
    @TearDown(Level.Iteration)
    public void stopClock() {
        long ns = MX.getCurrentThreadCpuTime() - cpuStart;
        if (cpuClock && invocations > 0 && ns > 0) {
            System.out.printf("cpu: %.1f seq/s of thread CPU time (%d invocations)%n",
                    invocations * (double) BATCH * 1e9 / ns, invocations);
        }
    }

    /** One training step; returns the loss so nothing is optimised away. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float train() {
        invocations++;
        model.zeroGrad();
        float loss = model.forward(batch, true);
        model.backward();
        GradientClipping.clipGradNorm(model.parameters(), 1f);
        adam.step();
        return loss;
    }

    /** Forward only, evaluation mode (no dropout, nothing kept for backward). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float inference() {
        invocations++;
        return model.logits(batch).get(0, 0);
    }
}
