package dev.recur.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link GemmBench} as the README's GEMM comparison and prints one GFLOPS table: the engine
 * under default JVM flags and under {@code -XX:-TieredCompilation}, OpenBLAS, the scalar twin
 * (small shapes), the ratio to OpenBLAS, and the heap bytes allocated per GEMM call (JMH's gc
 * profiler). Usage: {@code java -cp benchmarks.jar dev.recur.bench.GemmBenchMain [--quick]}
 * ({@code --quick}: shorter iterations and fewer shapes, for a smoke test).
 */
public final class GemmBenchMain {
    private GemmBenchMain() {}

    private static final String[] SHAPES = {"NN_128x128x128", "NN_256x256x256", "NN_512x512x512",
            "NN_1024x1024x1024", "NN_2048x2048x2048", "NN_64x384x1024", "NT_64x1024x384", "TN_384x64x1024",
            "NN_64x128x512", "NN_64x256x1024", "NT_64x128x512", "NT_448x512x1536", "NN_448x1536x512",
            "TN_1536x448x512"};
    private static final String[] QUICK_SHAPES = {"NN_256x256x256", "NN_1024x1024x1024", "NN_64x384x1024",
            "NT_64x1024x384", "TN_384x64x1024"};
    private static final String[] SCALAR_SHAPES = {"NN_128x128x128", "NN_256x256x256", "NN_64x128x512"};
    private static final String[] GC_SHAPES = {"NN_512x512x512", "NN_64x384x1024"};
    /** The per-time-step shapes, where a layer can pack W_hh once per pass. */
    private static final String[] PREPACKED_SHAPES = {"NN_64x384x1024", "NT_64x1024x384", "NN_64x128x512",
            "NN_64x256x1024", "NT_64x128x512", "NT_448x512x1536"};

    /** GFLOPS median and half-width of JMH's 99.9 % confidence interval. */
    record Gflops(double median, double error) {
        @Override
        public String toString() { return String.format("%6.1f ± %4.1f", median, error); }
    }

    public static void main(String[] args) throws RunnerException {
        boolean quick = List.of(args).contains("--quick");
        String[] shapes = quick ? QUICK_SHAPES : SHAPES;
        boolean blas = OpenBlas.available();
        if (!blas) {
            System.out.println("OpenBLAS comparison skipped: " + OpenBlas.why());
        }
        String impls = blas ? "GemmBench\\.(recur|openblas)$" : "GemmBench\\.recur$";
        Map<String, Gflops> main = run(options(quick, impls, shapes, new String[] {"1", "2"}));
        Map<String, Gflops> noTiered = run(options(quick, "GemmBench\\.recur$", shapes, new String[] {"1"})
                .jvmArgsAppend("-XX:-TieredCompilation"));
        Map<String, Gflops> scalar = run(options(quick, "GemmBench\\.scalar$", SCALAR_SHAPES, new String[] {"1"}));
        Map<String, Gflops> prepacked = run(options(quick, "GemmBench\\.recurPrepacked$",
                quick ? new String[] {"NN_64x384x1024", "NT_64x1024x384"} : PREPACKED_SHAPES, new String[] {"1", "2"}));
        Map<String, Double> alloc = allocations(quick);

        System.out.println();
        System.out.println("SGEMM GFLOPS (JMH throughput, median ± 99.9% CI half-width; M×K×N, op(A) M×K):");
        System.out.printf("%-20s %3s  %-15s %-15s %-15s %6s  %-15s %-15s%n",
                "shape", "thr", "Recur", "Recur -Tiered", "OpenBLAS", "ratio", "scalar Java", "Recur packed B");
        for (String shape : shapes) {
            for (String t : new String[] {"1", "2"}) {
                Gflops r = main.get(key("recur", shape, t));
                Gflops o = main.get(key("openblas", shape, t));
                Gflops nt = noTiered.get(key("recur", shape, t));
                Gflops s = scalar.get(key("scalar", shape, t));
                Gflops pp = prepacked.get(key("recurPrepacked", shape, t));
                System.out.printf("%-20s %3s  %-15s %-15s %-15s %6s  %-15s %-15s%n", shape.replace('_', ' '), t,
                        r == null ? "-" : r, nt == null ? "" : nt, o == null ? "-" : o,
                        r != null && o != null ? String.format("%.2f", r.median() / o.median()) : "-",
                        s == null ? "" : s, pp == null ? "" : pp);
            }
        }
        System.out.println();
        alloc.forEach((shape, bytes) -> System.out.printf(
                "heap allocated per GEMM call (-prof gc, gc.alloc.rate.norm), %s, 2 threads: %.3f B%n", shape, bytes));
        System.out.println("JVM flags: --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
                + " (Recur -Tiered adds -XX:-TieredCompilation); ratio = Recur / OpenBLAS medians;"
                + " Recur packed B = op(B) packed once in setup (Gemm.packB), as a layer does with W_hh.");
    }

    private static ChainedOptionsBuilder options(boolean quick, String include, String[] shapes, String[] threads) {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(include)
                .param("shape", shapes)
                .param("threads", threads)
                .forks(1)
                .shouldFailOnError(false);
        if (quick) {
            o.warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(1));
        } else {
            o.warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        }
        return o;
    }

    private static Map<String, Gflops> run(ChainedOptionsBuilder options) throws RunnerException {
        Map<String, Gflops> out = new LinkedHashMap<>();
        Collection<RunResult> results = new Runner(options.build()).run();
        for (RunResult rr : results) {
            String bench = rr.getParams().getBenchmark();
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            String shape = rr.getParams().getParam("shape");
            String threads = rr.getParams().getParam("threads");
            Result<?> p = rr.getPrimaryResult();
            double f = GemmBench.flops(shape) / 1e9;
            double median = p.getStatistics().getPercentile(50) * f;
            double err = Double.isNaN(p.getScoreError()) ? 0 : p.getScoreError() * f;
            out.put(key(method, shape, threads), new Gflops(median, err));
        }
        return out;
    }

    private static Map<String, Double> allocations(boolean quick) throws RunnerException {
        Map<String, Double> out = new LinkedHashMap<>();
        ChainedOptionsBuilder o = options(true, "GemmBench\\.recur$", GC_SHAPES, new String[] {"2"})
                .addProfiler("gc");
        for (RunResult rr : new Runner(o.build()).run()) {
            Result<?> norm = rr.getSecondaryResults().get("·gc.alloc.rate.norm");
            if (norm == null) norm = rr.getSecondaryResults().get("gc.alloc.rate.norm");
            out.put(rr.getParams().getParam("shape"), norm == null ? Double.NaN : norm.getScore());
        }
        return out;
    }

    private static String key(String method, String shape, String threads) {
        return method + "|" + shape + "|" + threads;
    }

}
