package dev.recur.bench;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.OptimizerKernels;
import dev.recur.engine.VectorOps;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The embedding-table decision of docs/model.md, measured: per training step, what does updating
 * the whole 20000×128 table with Adam cost (PyTorch's dense semantics, what Recur does), against
 * updating only the rows a batch touched (a lazy, SparseAdam-like update Recur does not offer), and
 * what do the gradient clear and the clipping norm over the table cost. Scores in microseconds per
 * step.
 *
 * <pre>
 * ./recur bench EmbeddingUpdateBench -f 1 -wi 3 -i 5 -w 1 -r 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class EmbeddingUpdateBench {

    @Param({"20000"})
    public int rows;

    @Param({"128"})
    public int dim;

    /** Distinct rows a batch touches (IMDB, 64 reviews × 200 tokens: a few thousand). */
    @Param({"3000"})
    public int touched;

    private Arena arena;
    private FloatMatrix p, g, m, v;
    private int[] touchedRows;
    private long step;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        p = FloatMatrix.allocate(arena, rows, dim);
        g = FloatMatrix.allocate(arena, rows, dim);
        m = FloatMatrix.allocate(arena, rows, dim);
        v = FloatMatrix.allocate(arena, rows, dim);
        SplittableRandom r = new SplittableRandom(1);
        touchedRows = r.ints(0, rows).distinct().limit(touched).sorted().toArray();
        for (int row : touchedRows) for (int c = 0; c < dim; c++) g.set(row, c, (float) r.nextGaussian() * 1e-3f);
    }

    @TearDown(Level.Trial)
    public void tearDown() { arena.close(); }

    /** Adam over every row (what Recur does). */
    @Benchmark
    public void denseAdam() {
        OptimizerKernels.adam(p, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, ++step);
    }

    /** Adam over the touched rows only (lazy; not PyTorch's Adam). */
    @Benchmark
    public void touchedRowsAdam() {
        long t = ++step;
        for (int row : touchedRows) {
            long off = (long) row * dim;
            OptimizerKernels.adam(p.segment(), off, g.segment(), off, m.segment(), off, v.segment(), off, dim,
                    1e-3f, 0.9f, 0.999f, 1e-8f, 0f, t);
        }
    }

    /** Σ g² over the whole table (the clipping norm's share). */
    @Benchmark
    public double sumOfSquares() { return VectorOps.sumOfSquares(g); }

    /** Clearing only the touched rows (Recur's Embedding.zeroGrad when few rows were touched). */
    @Benchmark
    public void clearTouchedRows() {
        for (int row : touchedRows) VectorOps.fill(0f, g.segment(), (long) row * dim, dim);
    }
}
