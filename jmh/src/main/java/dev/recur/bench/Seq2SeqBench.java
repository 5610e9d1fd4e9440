package dev.recur.bench;

import dev.recur.engine.Engine;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Seq2Seq;
import dev.recur.layers.model.Seq2SeqConfig;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
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
 * The translation benchmark of issue 10 on the PyTorch tutorial's shape: {@link Seq2Seq} with a
 * bidirectional GRU encoder, additive attention, embeddings 256, hidden 512, source vocabulary
 * 7,853, target vocabulary 5,893 ({@link Seq2SeqConfig#tutorial}); batch 128, source and target
 * length 24 (every sentence full length, random tokens). {@code train}: forward, cross-entropy,
 * backward, clip_grad_norm_(1.0), Adam(1e-3); {@code greedy}: greedy decoding of 24 tokens
 * (no early stop: random weights rarely emit {@code <eos>}). Scores are <b>sentence pairs per
 * second</b> ({@code @OperationsPerInvocation(128)}).
 *
 * <pre>
 * ./recur bench Seq2SeqBench -f 1 -wi 2 -i 3 -w 10 -r 10 -p threads=1
 * </pre>
 * One training step takes seconds, so warm-up and measurement are given in seconds. The Recur
 * model differs from the tutorial's in its output layer (Luong's h̃ = tanh(W_c[c; s]) before the
 * projection instead of projecting [s; c; embedding]), see docs/translate.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Seq2SeqBench {
    static final int BATCH = 128, LENGTH = 24;

    @Param({"1", "2"})
    public int threads;

    @Param({"256"})
    public int embed;

    @Param({"512"})
    public int hidden;

    private Seq2Seq model;
    private Adam adam;
    private Batch source, target;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.setThreads(threads);
        model = new Seq2Seq(Seq2SeqConfig.tutorial(7853, 5893, embed, hidden), 1L, LENGTH, LENGTH, BATCH);
        adam = new Adam(model.parameters(), 1e-3);
        source = new Batch(LENGTH, BATCH).reset(LENGTH, BATCH);
        target = new Batch(LENGTH, BATCH).reset(LENGTH, BATCH);
        SplittableRandom r = new SplittableRandom(0);
        for (int i = 0; i < LENGTH * BATCH; i++) {
            source.tokens()[i] = 4 + r.nextInt(7853 - 4);
            target.tokens()[i] = i < BATCH ? 2 : 4 + r.nextInt(5893 - 4);
            target.targets()[i] = 4 + r.nextInt(5893 - 4);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        adam.close();
        model.close();
    }

    /** One training step; returns the loss so nothing is optimised away. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float train() {
        model.train(true);
        model.zeroGrad();
        float loss = model.forward(source, target);
        model.backward();
        GradientClipping.clipGradNorm(model.parameters(), 1f);
        adam.step();
        return loss;
    }

    /** Greedy decoding of the batch, up to 24 tokens. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int greedy() {
        return model.greedy(source, LENGTH).get(0).tokens().length;
    }
}
