package dev.recur.bench;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.forecast.ForecastConfig;
import dev.recur.layers.forecast.SegmentForecaster;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
import java.lang.foreign.Arena;
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
 * The issue-11 speed benchmark: SegRNN with the published settings (hidden d = 512, segment 24,
 * L = 96, H = 96, batch 64 windows of 7 channels, channel independence, RevIN, dropout 0) — one
 * training step (forward, MSE, backward, clip_grad_norm_(1.0), Adam lr 1e-3) and inference
 * (forward only). The same model and work as {@code jmh/pytorch/bench_segrnn.py}. Scores are
 * <b>windows per second</b> ({@code @OperationsPerInvocation(64)}: one invocation is one batch of 64
 * windows, 448 channel sequences).
 *
 * <pre>
 * ./recur bench SegRnnBench                                   (1 and 2 threads, ~2 min)
 * ./recur bench SegRnnBench -f 1 -wi 1 -i 1 -w 1 -r 1 -p threads=1 -p hidden=32   (seconds: a smoke test)
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SegRnnBench {
    static final int BATCH = 64;

    @Param({"512"})
    public int hidden;

    @Param({"24"})
    public int segment;

    @Param({"96"})
    public int lookback;

    @Param({"96"})
    public int horizon;

    @Param({"7"})
    public int channels;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private SegmentForecaster model;
    private Adam adam;
    private FloatMatrix input, target;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.setThreads(threads);
        arena = Arena.ofShared();
        int seq = BATCH * channels;
        model = new SegmentForecaster(ForecastConfig.segment(channels, lookback, horizon, hidden, segment, 0f, ForecastConfig.Norm.REVIN, "mse"), 1, seq);
        adam = new Adam(model.parameters(), 1e-3);
        input = FloatMatrix.allocate(arena, lookback * seq, 1);
        target = FloatMatrix.allocate(arena, horizon * seq, 1);
        SplittableRandom r = new SplittableRandom(0);
        for (int i = 0; i < lookback * seq; i++) input.set(i, 0, (float) r.nextGaussian());
        for (int i = 0; i < horizon * seq; i++) target.set(i, 0, (float) r.nextGaussian());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        adam.close();
        model.close();
        arena.close();
    }

    /** One training step; returns the loss so nothing is optimised away. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float train() {
        model.zeroGrad();
        float loss = model.forward(input, target, BATCH * channels, true);
        model.backward();
        GradientClipping.clipGradNorm(model.parameters(), 1f);
        adam.step();
        return loss;
    }

    /** Forward only (evaluation mode, nothing kept for backward). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float inference() {
        model.forward(input, null, BATCH * channels, false);
        return model.prediction().get(0, 0);
    }
}
