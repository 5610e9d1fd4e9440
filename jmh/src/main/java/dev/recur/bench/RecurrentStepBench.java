package dev.recur.bench;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One recurrent layer alone (no embedding, head or optimizer): forward, and forward + backward, of
 * a batch of 64 sequences of 200 steps with 128 input features. Scores are batches per second;
 * multiply by {@code batch} (64) for sequences per second.
 *
 * <pre>
 * ./recur bench RecurrentStepBench -f 1 -wi 2 -i 3 -w 1 -r 1 -p cell=LSTM -p hidden=128 -p threads=1
 * ./recur bench RecurrentStepBench -prof gc       (allocation per operation: expect ≈ 0)
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RecurrentStepBench {

    @Param({"LSTM", "GRU", "RNN_TANH"})
    public String cell;

    @Param({"128", "256"})
    public int hidden;

    @Param({"1", "2"})
    public int threads;

    @Param({"64"})
    public int batch;

    @Param({"200"})
    public int steps;

    @Param({"128"})
    public int input;

    private Arena arena;
    private RecurrentLayer layer;
    private FloatMatrix x, dOut;
    private int[] lengths;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.setThreads(threads);
        arena = Arena.ofShared();
        layer = new RecurrentLayer("rnn.", RecurrentConfig.of(CellType.valueOf(cell), input, hidden).withSeed(1),
                steps, batch);
        Random rnd = new Random(1);
        x = FloatMatrix.allocate(arena, steps * batch, input);
        for (int i = 0; i < x.rows(); i++) for (int j = 0; j < input; j++) x.set(i, j, (float) rnd.nextGaussian());
        // the loss sees only the last step (like a classifier on the last hidden state)
        dOut = FloatMatrix.allocate(arena, steps * batch, hidden);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) dOut.set((steps - 1) * batch + b, j, (float) rnd.nextGaussian() * 0.01f);
        }
        lengths = new int[batch];
        java.util.Arrays.fill(lengths, steps);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        layer.close();
        arena.close();
    }

    /** Inference: forward only. */
    @Benchmark
    public FloatMatrix forward() {
        return layer.forward(x, batch, lengths, null, null, false);
    }

    /** Training: forward, then backward with the gradient on the last step only. */
    @Benchmark
    public FloatMatrix forwardBackward() {
        layer.forward(x, batch, lengths, null, null, true);
        return layer.backward(dOut, null, null);
    }
}
