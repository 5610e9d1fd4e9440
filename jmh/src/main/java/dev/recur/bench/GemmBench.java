package dev.recur.bench;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.PackedB;
import dev.recur.engine.ScalarGemm;
import dev.recur.engine.Transpose;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
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
 * SGEMM throughput, one op = one {@code C = op(A)·op(B)} (beta = 0): the engine ({@link #recur};
 * {@link #recurPrepacked} with B packed once in setup, for the recurrent shapes),
 * OpenBLAS's {@code cblas_sgemm} through FFM ({@link #openblas}), and the scalar twin
 * ({@link #scalar}, small shapes only). GFLOPS = ops/s × 2·M·N·K / 10⁹; {@link GemmBenchMain}
 * (run by {@code jmh/bench-gemm.sh}) runs the whole comparison and prints the GFLOPS table.
 *
 * <p>{@code shape} is {@code <opA><opB>_<M>x<K>x<N>}: op(A) is M×K, op(B) K×N. {@code threads} is
 * the engine's pool size and OpenBLAS's thread count. NT_64x128x512 is the LSTM H128 step's
 * {@code h·W_hhᵀ} (batch 64); NT_448x512x1536, NN_448x1536x512 and TN_1536x448x512 are the SegRNN
 * forecaster's decoder GEMMs at its published settings (batch 64 × 7 channels, hidden 512):
 * {@code state·W_hhᵀ}, {@code dGates·W_hh} and {@code dGatesᵀ·state}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class GemmBench {

    @Param({"NN_128x128x128", "NN_256x256x256", "NN_512x512x512", "NN_1024x1024x1024", "NN_2048x2048x2048",
            "NN_64x384x1024", "NT_64x1024x384", "TN_384x64x1024", "NN_64x128x512", "NN_64x256x1024",
            "NT_64x128x512", "NT_448x512x1536", "NN_448x1536x512", "TN_1536x448x512"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private FloatMatrix a, b, c;
    private Transpose ta, tb;
    private int m, k, n;
    private PackedB packedB;

    /** {M, K, N} and the transposes of a shape string like {@code NT_64x1024x384}. */
    static int[] parse(String shape) {
        String[] parts = shape.split("_");
        String[] dims = parts[1].split("x");
        return new int[] {parts[0].charAt(0) == 'T' ? 1 : 0, parts[0].charAt(1) == 'T' ? 1 : 0,
                Integer.parseInt(dims[0]), Integer.parseInt(dims[1]), Integer.parseInt(dims[2])};
    }

    /** Floating-point operations of one GEMM of this shape, 2·M·N·K. */
    static double flops(String shape) {
        int[] s = parse(shape);
        return 2.0 * s[2] * s[3] * s[4];
    }

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = parse(shape);
        ta = s[0] == 1 ? Transpose.T : Transpose.N;
        tb = s[1] == 1 ? Transpose.T : Transpose.N;
        m = s[2];
        k = s[3];
        n = s[4];
        arena = Arena.ofShared();
        Random rng = new Random(1);
        a = fill(ta == Transpose.N ? FloatMatrix.allocate(arena, m, k) : FloatMatrix.allocate(arena, k, m), rng);
        b = fill(tb == Transpose.N ? FloatMatrix.allocate(arena, k, n) : FloatMatrix.allocate(arena, n, k), rng);
        c = FloatMatrix.allocate(arena, m, n);
        packedB = Gemm.packB(tb, b);
        Engine.setThreads(threads);
        if (OpenBlas.available()) OpenBlas.setThreads(threads);
    }

    private static FloatMatrix fill(FloatMatrix x, Random rng) {
        float[] v = new float[(int) x.size()];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextFloat() - 0.5f;
        x.copyFrom(v);
        return x;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void recur() {
        Gemm.sgemm(ta, tb, 1f, a, b, 0f, c);
    }

    /** The engine with op(B) packed once in setup, as a recurrent layer does with W_hh per pass. */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void recurPrepacked() {
        Gemm.sgemm(ta, m, 1f, a.segment(), 0, a.ld(), packedB, 0f, c.segment(), 0, c.ld());
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void openblas() {
        OpenBlas.sgemm(ta == Transpose.T, tb == Transpose.T, m, n, k, 1f,
                a.segment(), a.ld(), b.segment(), b.ld(), 0f, c.segment(), c.ld());
    }

    /**
     * The calling thread's CPU time spent in the measured calls, and their count, per iteration
     * ({@link #recurCpu}, {@link #openblasCpu}): {@code calls · 2·M·N·K / cpuNanos} is GFLOPS per
     * CPU-second, which time spent descheduled on a loaded machine does not dilute. One thread
     * only (a worker's time is not counted).
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class CpuClock {
        public long cpuNanos;
        public long calls;

        @Setup(Level.Iteration)
        public void reset() {
            cpuNanos = 0;
            calls = 0;
        }
    }

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /** {@link #recur} timed by the thread's CPU clock as well ({@link CpuClock}); for {@code threads=1}. */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void recurCpu(CpuClock clock) {
        long t0 = MX.getCurrentThreadCpuTime();
        Gemm.sgemm(ta, tb, 1f, a, b, 0f, c);
        clock.cpuNanos += MX.getCurrentThreadCpuTime() - t0;
        clock.calls++;
    }

    /** {@link #openblas} timed by the thread's CPU clock as well ({@link CpuClock}); for {@code threads=1}. */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void openblasCpu(CpuClock clock) {
        long t0 = MX.getCurrentThreadCpuTime();
        openblas();
        clock.cpuNanos += MX.getCurrentThreadCpuTime() - t0;
        clock.calls++;
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void scalar() {
        ScalarGemm.sgemm(ta, tb, 1f, a, b, 0f, c);
    }
}
