package dev.recur.bench;

import dev.recur.engine.Simd;
import dev.recur.engine.SimdActivations;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.VectorOperators;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What subnormal floats cost in an FMA-heavy loop on this CPU (the JVM cannot set flush-to-zero).
 * Each element does the work of one back-propagated gradient through a cell: a few multiplies and
 * fused multiply-adds of the gradient by gate values ({@code d = fma(d, a, d·b)}, four rounds).
 * {@code kind}: {@code normal} gradients (~1e-3), {@code subnormal} gradients (~1e-39, every product
 * subnormal too), {@code mixed} (one element in 8 subnormal). The {@code flush} variants zero tiny
 * values (|x| < MIN_NORMAL → 0: abs, compare, blend) once per element, which is what a backward kernel would do.
 * {@code simdSqrtDiv} (Adam-like) and {@code simdActivations} (σ, tanh) cover the other operations
 * the kernels apply to tiny values.
 * Score: elements per second.
 *
 * <p>Run: {@code ./recur bench SubnormalBench -f 1 -wi 2 -i 3 -w 1 -r 1}. On a busy machine,
 * {@code -bm sample -opi 1 -tu ns} and the median (p0.50) time per call of {@value #N} elements
 * is steadier than the mean throughput.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
@OperationsPerInvocation(SubnormalBench.N)
public class SubnormalBench {
    static final int N = 4096;
    private static final VectorSpecies<Float> F = Simd.F;

    @Param({"normal", "subnormal", "mixed"})
    public String kind;

    private final float[] d = new float[N], a = new float[N], b = new float[N], out = new float[N];
    private final MemorySegment ds = Arena.ofAuto().allocate(N * 4L, 64), os = Arena.ofAuto().allocate(N * 4L, 64);

    @Setup
    public void setUp() {
        float tiny = 1e-39f, small = 1e-3f;
        for (int i = 0; i < N; i++) {
            d[i] = switch (kind) {
                case "normal" -> small;
                case "subnormal" -> tiny;
                default -> i % 8 == 0 ? tiny : small;
            } * (1 + (i % 7) * 0.01f);
            a[i] = 0.6f + (i % 5) * 0.01f; // a gate value in (0, 1)
            b[i] = 0.3f + (i % 3) * 0.01f;
        }
        MemorySegment.copy(d, 0, ds, ValueLayout.JAVA_FLOAT, 0, N);
        if (kind.equals("subnormal") && Math.abs(d[0]) >= Float.MIN_NORMAL) throw new AssertionError("not subnormal");
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float[] simd() {
        for (int i = 0; i < N; i += F.length()) {
            FloatVector dv = FloatVector.fromArray(F, d, i), av = FloatVector.fromArray(F, a, i);
            FloatVector bv = FloatVector.fromArray(F, b, i);
            for (int k = 0; k < 4; k++) dv = dv.fma(av, dv.mul(bv));
            dv.intoArray(out, i);
        }
        return out;
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float[] simdFlush() {
        for (int i = 0; i < N; i += F.length()) {
            FloatVector dv = FloatVector.fromArray(F, d, i), av = FloatVector.fromArray(F, a, i);
            dv = dv.blend(0f, dv.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
            FloatVector bv = FloatVector.fromArray(F, b, i);
            for (int k = 0; k < 4; k++) dv = dv.fma(av, dv.mul(bv));
            dv.blend(0f, dv.abs().compare(VectorOperators.LT, Float.MIN_NORMAL)).intoArray(out, i);
        }
        return out;
    }

    /** Adam-like: v = β2·v + (1−β2)·d², u = d / (√v + ε): square root and division of tiny values. */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float[] simdSqrtDiv() {
        for (int i = 0; i < N; i += F.length()) {
            FloatVector dv = FloatVector.fromArray(F, d, i), vv = FloatVector.fromArray(F, b, i).mul(dv);
            vv = vv.mul(0.999f).add(dv.mul(dv).mul(0.001f));
            dv.div(vv.sqrt().add(1e-30f)).intoArray(out, i);
        }
        return out;
    }

    /** σ and tanh of tiny pre-activations (the engine's {@link SimdActivations} kernels). */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public MemorySegment simdActivations() {
        SimdActivations.INSTANCE.sigmoid(ds, 0, os, 0, N);
        SimdActivations.INSTANCE.tanh(ds, 0, os, 0, N);
        return os;
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float[] scalar() {
        for (int i = 0; i < N; i++) {
            float di = d[i], ai = a[i], bi = b[i];
            for (int k = 0; k < 4; k++) di = Math.fma(di, ai, di * bi);
            out[i] = di;
        }
        return out;
    }
}
