package dev.recur.engine;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;

/**
 * The engine's self-report: vector species, lanes, threads, and a quick GEMM speed figure.
 * {@code main} prints it; the app's {@code info} and {@code bench} commands call the methods.
 *
 * <p>The GFLOPS here are a quick wall-clock estimate for a health check (best of a few timed runs
 * after a short warm-up), not a benchmark: the published figures come from JMH ({@code jmh/}).
 */
public final class EngineReport {
    private EngineReport() {}

    /** Shapes of the quick report: {transA, transB, m, k, n}, as "NN 1024×1024×1024" etc. */
    private static final int[][] QUICK_SHAPES = {
            {0, 0, 256, 256, 256}, {0, 0, 1024, 1024, 1024}, {0, 0, 64, 384, 1024}, {0, 1, 64, 1024, 384}};

    /** A few lines: Java version, vector species and lanes, threads. */
    public static String describe() {
        return "Java " + Runtime.version() + "\n"
                + "vector API: " + (Engine.vectorApiAvailable() ? "yes" : "no (start java with " + Engine.VECTOR_FLAG + ")") + "\n"
                + "species: " + Engine.species() + ", " + Engine.lanes() + " float lanes\n"
                + "threads: " + Engine.threads() + " (available processors " + Runtime.getRuntime().availableProcessors() + ")";
    }

    /** {@link #describe()} plus GFLOPS of the quick shapes on 1 thread and on the engine's threads. */
    public static String report() {
        StringBuilder sb = new StringBuilder(describe()).append('\n');
        sb.append("SGEMM (M×K×N, quick wall-clock estimate, JMH gives the real figures):\n");
        for (int[] s : QUICK_SHAPES) {
            Transpose ta = s[0] == 0 ? Transpose.N : Transpose.T, tb = s[1] == 0 ? Transpose.N : Transpose.T;
            double one = gflops(ta, tb, s[2], s[3], s[4], 1, 5);
            sb.append(String.format("  %s%s %5d×%5d×%5d  %7.1f GFLOPS on 1 thread", ta, tb, s[2], s[3], s[4], one));
            if (Engine.threads() > 1) {
                double many = gflops(ta, tb, s[2], s[3], s[4], Engine.threads(), 5);
                sb.append(String.format(", %7.1f on %d", many, Engine.threads()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Times {@code C = op(A)·op(B)} for op(A) m×k, op(B) k×n on {@code threads} threads (1: the
     * calling thread alone; otherwise the engine's pool, resized for the measurement if needed) and
     * returns the best of {@code repeats} timed runs in GFLOPS, after a short warm-up.
     */
    public static double gflops(Transpose ta, Transpose tb, int m, int k, int n, int threads, int repeats) {
        if (m < 1 || k < 1 || n < 1 || threads < 1 || repeats < 1) {
            throw new IllegalArgumentException("gflops: m, k, n, threads and repeats must be ≥ 1, got m=" + m
                    + " k=" + k + " n=" + n + " threads=" + threads + " repeats=" + repeats);
        }
        int oldThreads = Engine.threads();
        if (threads > 1 && threads != oldThreads) Engine.setThreads(threads);
        try (Arena arena = Arena.ofShared()) {
            Random rng = new Random(1);
            FloatMatrix a = ta == Transpose.N ? FloatMatrix.allocate(arena, m, k) : FloatMatrix.allocate(arena, k, m);
            FloatMatrix b = tb == Transpose.N ? FloatMatrix.allocate(arena, k, n) : FloatMatrix.allocate(arena, n, k);
            FloatMatrix c = FloatMatrix.allocate(arena, m, n);
            float[] va = new float[(int) a.size()], vb = new float[(int) b.size()];
            for (int i = 0; i < va.length; i++) va[i] = rng.nextFloat() - 0.5f;
            for (int i = 0; i < vb.length; i++) vb[i] = rng.nextFloat() - 0.5f;
            a.copyFrom(va);
            b.copyFrom(vb);
            double flops = 2.0 * m * n * k;
            // calls per timed run: about 20 ms of work at 100 GFLOPS, at least 1
            int calls = (int) Math.max(1, Math.min(1_000_000, 2e9 / flops));
            long warmEnd = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < warmEnd) multiply(ta, tb, a, b, c, threads, calls);
            double[] runs = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                multiply(ta, tb, a, b, c, threads, calls);
                runs[r] = flops * calls / (System.nanoTime() - t0);
            }
            return Arrays.stream(runs).max().orElse(0);
        } finally {
            if (Engine.threads() != oldThreads) Engine.setThreads(oldThreads);
        }
    }

    private static void multiply(Transpose ta, Transpose tb, FloatMatrix a, FloatMatrix b, FloatMatrix c,
                                 int threads, int calls) {
        for (int i = 0; i < calls; i++) {
            if (threads == 1) Gemm.sgemmSerial(ta, tb, 1f, a, b, 0f, c);
            else Gemm.sgemm(ta, tb, 1f, a, b, 0f, c);
        }
    }

    /** Prints {@link #report()}. */
    public static void main(String[] args) {
        System.out.print(report());
    }
}
