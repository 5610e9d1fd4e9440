package dev.recur.bench;

import dev.recur.engine.DropoutMask;
import dev.recur.engine.ScalarActivations;
import dev.recur.engine.ScalarDropout;
import dev.recur.engine.ScalarRowOps;
import dev.recur.engine.ScalarOptimizerKernels;
import dev.recur.engine.ScalarVectorOps;
import dev.recur.engine.Simd;
import dev.recur.engine.SimdActivations;
import dev.recur.engine.SimdDropout;
import dev.recur.engine.SimdOptimizerKernels;
import dev.recur.engine.SimdRowOps;
import dev.recur.engine.SimdVectorOps;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Element-wise engine kernels in elements per second (the score is ops/s with one op = one
 * element): activations, sumOfSquares, axpy, the Adam update, the dropout mask (draw and apply) and
 * max pooling over rows (64 rows × 64 columns), SIMD against the scalar twin, on
 * {@value #N} floats that stay in L1/L2. The activations also run candidates built on the JDK's
 * lane-wise operators (not used by the engine: their bits depend on the JIT tier) for comparison.
 *
 * <p>Every benchmark method is compiled as its own root (DONT_INLINE), as a kernel is in the
 * layers: inlined into JMH's measurement loop, a vector chain can exceed C2's inlining depth and
 * fall back to boxed vectors (seen here: 12 bytes allocated per element, 8× slower).
 *
 * <p>Run: {@code ./recur bench KernelBench -f 1 -wi 2 -i 3 -w 1 -r 1} (smoke) or
 * {@code ./recur bench KernelBench} (the quiet run).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
@OperationsPerInvocation(KernelBench.N)
public class KernelBench {
    static final int N = 4096;

    private static final VectorSpecies<Float> F = Simd.F;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private Arena arena;
    private MemorySegment x, y, p, g, m, v;
    private long step;
    private final int[] argmax = new int[64];
    private static final long DROP_KEY = DropoutMask.callKey(7, 1);
    private static final float DROP_P = 0.2f, DROP_KEEP = DropoutMask.keepScale(DROP_P);

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        x = alloc(); y = alloc(); p = alloc(); g = alloc(); m = alloc(); v = alloc();
        Random rnd = new Random(1);
        for (int i = 0; i < N; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextGaussian() * 3f);
            p.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextGaussian() * 0.1f);
            g.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextGaussian() * 1e-3f);
        }
        step = 0;
    }

    private MemorySegment alloc() { return arena.allocate((long) N * Float.BYTES, 64); }

    @TearDown(Level.Trial)
    public void tearDown() { arena.close(); }

    // ---- dropout mask (y = x·mask, mask drawn from the counter hash) and max pooling ----

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void dropoutSimd() {
        SimdDropout.INSTANCE.apply(DROP_KEY, 0, DROP_P, DROP_KEEP, x, 0, m, 0, y, 0, N);
    }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void dropoutScalar() {
        ScalarDropout.INSTANCE.apply(DROP_KEY, 0, DROP_P, DROP_KEEP, x, 0, m, 0, y, 0, N);
    }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void maxOverRowsSimd() {
        SimdRowOps.INSTANCE.maxOverRows(x, 0, N / 64, 64, 64, y, 0, argmax, 0);
    }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void maxOverRowsScalar() {
        ScalarRowOps.INSTANCE.maxOverRows(x, 0, N / 64, 64, 64, y, 0, argmax, 0);
    }

    // ---- activations ----

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void sigmoidSimd() { SimdActivations.INSTANCE.sigmoid(x, 0, y, 0, N); }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void sigmoidScalar() { ScalarActivations.INSTANCE.sigmoid(x, 0, y, 0, N); }

    /** Candidate: σ(x) = ½ + ½·tanh(x/2) with the lane-wise TANH. */
    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void sigmoidViaTanhSimd() {
        for (int i = 0; i < N; i += F.length()) {
            FloatVector t = load(x, i).mul(0.5f).lanewise(VectorOperators.TANH);
            t.fma(0.5f, 0.5f).intoMemorySegment(y, (long) i * Float.BYTES, NATIVE);
        }
    }


    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void tanhSimd() { SimdActivations.INSTANCE.tanh(x, 0, y, 0, N); }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void tanhScalar() { ScalarActivations.INSTANCE.tanh(x, 0, y, 0, N); }


    /** Candidate: tanh(x) = e/(e + 2) with e = expm1(2x), x clamped to ±9. */
    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void tanhExpm1Simd() {
        for (int i = 0; i < N; i += F.length()) {
            FloatVector c = load(x, i).max(-9f).min(9f);
            FloatVector e = c.add(c).lanewise(VectorOperators.EXPM1);
            e.div(e.add(2f)).intoMemorySegment(y, (long) i * Float.BYTES, NATIVE);
        }
    }


    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void expSimd() { SimdActivations.INSTANCE.exp(x, 0, y, 0, N); }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void expScalar() { ScalarActivations.INSTANCE.exp(x, 0, y, 0, N); }

    // ---- reductions, BLAS-1, optimizer ----

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public double sumOfSquaresSimd() { return SimdVectorOps.INSTANCE.sumOfSquares(x, 0, N); }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public double sumOfSquaresScalar() { return ScalarVectorOps.INSTANCE.sumOfSquares(x, 0, N); }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void axpySimd() { SimdVectorOps.INSTANCE.axpy(1e-3f, x, 0, y, 0, N); }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void axpyScalar() { ScalarVectorOps.INSTANCE.axpy(1e-3f, x, 0, y, 0, N); }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void adamSimd() {
        SimdOptimizerKernels.INSTANCE.adam(p, 0, g, 0, m, 0, v, 0, N, 1e-3, 0.9, 0.999, 1e-8, 0, ++step);
    }

    @Benchmark @CompilerControl(CompilerControl.Mode.DONT_INLINE) public void adamScalar() {
        ScalarOptimizerKernels.INSTANCE.adam(p, 0, g, 0, m, 0, v, 0, N, 1e-3, 0.9, 0.999, 1e-8, 0, ++step);
    }

    private static FloatVector load(MemorySegment s, int i) {
        return FloatVector.fromMemorySegment(F, s, (long) i * Float.BYTES, NATIVE);
    }
}
