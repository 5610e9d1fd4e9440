package dev.recur.bench;

import dev.recur.engine.Simd;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The core's FP32 FMA peak, measured in the same run as the other figures (machines here differ:
 * Zen 4 cores double-pump 512-bit FMAs, about 116 GFLOPS, Zen 5 reach about 237, an Ice Lake
 * server core about 185). The score is
 * FLOP/s: twelve independent accumulator chains of {@code acc = a·b + acc} on the engine's
 * species, enough to cover an FMA latency of 4 cycles on 2 pipes (8 in flight) with margin; one
 * FMA of L lanes is 2·L FLOP. The accumulator is the addend, as in a GEMM kernel, so each FMA is
 * one {@code vfmadd231ps acc, a, b}; with the accumulator as the multiplicand
 * ({@code acc·a + b}) C2 copies b into a temporary for every FMA and the chains serialise through
 * a few registers, which measured ~60 GFLOPS instead of ~185 on an Ice Lake core (2 FMA ports).
 * {@code -t 2} measures both cores at once.
 *
 * <p>Run: {@code ./recur bench FmaPeakBench -f 1 -wi 3 -i 5 -w 1 -r 1}; divide a kernel's GFLOPS by
 * this score (÷ 1e9) for its fraction of the peak. On a loaded machine {@link #flopsPerLaneCpu}
 * gives the peak per second of the benchmark thread's CPU time, to set beside the CPU-clock scores
 * of {@link TrainStepBench} ({@code -p cpuClock=true}) and {@link GemmBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class FmaPeakBench {
    private static final VectorSpecies<Float> F = Simd.F;
    static final int ITERATIONS = 4096;
    static final int CHAINS = 12;

    private float a, b;

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    @Setup
    public void setUp() {
        a = 0.999999f;
        b = 1e-7f;
    }

    /** FLOP per lane per second: 12 chains × {@value #ITERATIONS} FMAs, 2 FLOP each; × {@link #lanes()} for FLOP/s. */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    @OperationsPerInvocation(ITERATIONS * CHAINS * 2)
    public void flopsPerLane(Blackhole bh) {
        FloatVector va = FloatVector.broadcast(F, a), vb = FloatVector.broadcast(F, b);
        FloatVector c0 = va, c1 = vb, c2 = va, c3 = vb, c4 = va, c5 = vb;
        FloatVector c6 = va, c7 = vb, c8 = va, c9 = vb, c10 = va, c11 = vb;
        for (int i = 0; i < ITERATIONS; i++) {
            c0 = va.fma(vb, c0); c1 = va.fma(vb, c1); c2 = va.fma(vb, c2); c3 = va.fma(vb, c3);
            c4 = va.fma(vb, c4); c5 = va.fma(vb, c5); c6 = va.fma(vb, c6); c7 = va.fma(vb, c7);
            c8 = va.fma(vb, c8); c9 = va.fma(vb, c9); c10 = va.fma(vb, c10); c11 = va.fma(vb, c11);
        }
        FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
        bh.consume(s.lane(0));
    }

    /** Thread CPU time and FLOP per lane of {@link #flopsPerLaneCpu}, per iteration: its peak per CPU-second on a loaded machine. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class CpuClock {
        public long cpuNanos;
        public long flopPerLane;

        @Setup(Level.Iteration)
        public void reset() {
            cpuNanos = 0;
            flopPerLane = 0;
        }
    }

    /**
     * {@link #flopsPerLane} 64 times between two reads of the thread's CPU clock: FLOP/s per
     * CPU-second = {@code flopPerLane · lanes / cpuNanos · 1e9}, which descheduled time does not dilute.
     */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void flopsPerLaneCpu(CpuClock clock, Blackhole bh) {
        long t0 = MX.getCurrentThreadCpuTime();
        for (int r = 0; r < 64; r++) flopsPerLane(bh);
        clock.cpuNanos += MX.getCurrentThreadCpuTime() - t0;
        clock.flopPerLane += 64L * ITERATIONS * CHAINS * 2;
    }

    /** Lanes of the engine's species: multiply {@link #flopsPerLane}'s score by this for FLOP/s. */
    public static int lanes() { return F.length(); }
}
