package dev.recur.app.cli;

import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.LrSchedule;
import dev.recur.app.run.Choices.FreezeKind;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.UpdateGuard;

import dev.recur.app.core.Io;
import dev.recur.app.run.Json;

import dev.recur.app.core.AppException;
import dev.recur.app.sentiment.TrainConfig;
import dev.recur.app.sentiment.TrainingStep;
import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.Transpose;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import java.lang.foreign.Arena;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench}: training and inference throughput of a model, and SGEMM GFLOPS, on synthetic data. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure training and inference throughput (sequences/s) of a model configuration on synthetic",
            "data, with the same code as 'train' (forward, backward, clipping, optimizer step), and SGEMM GFLOPS.",
            "Each figure: warm-up first (at least --warmup batches, then until a batch passes with the JIT idle),",
            "then the median of --repeats timed runs of --steps batches."})
public final class BenchCommand implements Callable<Integer> {
    @Mixin ModelOptions model = new ModelOptions();
    @Mixin ClassifierOptions shape = new ClassifierOptions();
    @Mixin OptimizerOptions training = new OptimizerOptions();

    @Option(names = "--tbptt", paramLabel = "N", description = "Truncated backprop through time: gradients flow back at most N steps (0 = full BPTT). Default: ${DEFAULT-VALUE}.")
    int tbptt = 0;

    @Mixin SeedOption seed = new SeedOption();
    @Mixin ThreadsOption threads = new ThreadsOption();

    @Option(names = "--seq-len", paramLabel = "N", description = "Steps per synthetic sequence. Default: ${DEFAULT-VALUE}.")
    int seqLen = 200;

    @Option(names = "--steps", paramLabel = "N", description = "Batches per timed run. Default: ${DEFAULT-VALUE}.")
    int steps = 10;

    @Option(names = "--warmup", paramLabel = "N", description = {"Untimed batches first, at least; then more until one whole batch",
            "passes with the JIT compiling nothing (at most " + WARMUP_LIMIT_S + " s or " + WARMUP_MAX_EXTRA + " more), so compiler threads do not share the",
            "cores with the timed runs; 0 times from the first batch (cold). Default: ${DEFAULT-VALUE}."})
    int warmup = 5;

    /** Longest the warm-up waits for the JIT to go idle, in seconds and in batches past --warmup. */
    static final int WARMUP_LIMIT_S = 60, WARMUP_MAX_EXTRA = 1000;

    @Option(names = "--repeats", paramLabel = "N", description = "Timed runs; the median is reported. Default: ${DEFAULT-VALUE}.")
    int repeats = 5;

    @Option(names = "--vs-threads", paramLabel = "N", description = {"Also time the model on N threads, each timed run alternated with",
            "one on --threads (after a warm-up on each), and print --threads ÷ N per pair of runs: how the",
            "step scales, measured side by side on a machine whose speed drifts. 0 = off. Default: ${DEFAULT-VALUE}."})
    int vsThreads = 0;

    @Option(names = "--gemm", paramLabel = "MxKxN[:TT]", split = ",",
            description = "SGEMM shapes to time, e.g. 512x512x512 or 64x128x512:NT (op(A) M×K, op(B) K×N; transposes NN, NT, TN, TT).")
    List<String> gemm = new ArrayList<>();

    @Option(names = "--no-model", description = "Skip the model throughput (only --gemm).")
    boolean noModel;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    private final Io io;

    public BenchCommand(Io io) { this.io = io; }

    private static final Pattern SHAPE = Pattern.compile("(\\d+)x(\\d+)x(\\d+)(?::([NT])([NT]))?");

    @Override
    public Integer call() throws Exception {
        model.check();
        shape.check();
        training.check();
        Checks.range("--tbptt", tbptt, 0, Integer.MAX_VALUE);
        Checks.range("--seq-len", seqLen, 1, 100_000);
        Checks.range("--steps", steps, 1, 1_000_000);
        Checks.range("--warmup", warmup, 0, 1_000_000);
        Checks.range("--repeats", repeats, 1, 1000);
        Checks.range("--vs-threads", vsThreads, 0, 1024);
        List<int[]> shapes = new ArrayList<>();
        for (String g : gemm) {
            Matcher m = SHAPE.matcher(g.trim());
            if (!m.matches()) throw AppException.usage("--gemm '" + g + "' is not MxKxN or MxKxN:TT (e.g. 512x512x512:NT)");
            int mm = Integer.parseInt(m.group(1)), k = Integer.parseInt(m.group(2)), n = Integer.parseInt(m.group(3));
            Checks.range("--gemm M", mm, 1, 1 << 15);
            Checks.range("--gemm K", k, 1, 1 << 15);
            Checks.range("--gemm N", n, 1, 1 << 15);
            shapes.add(new int[] {mm, k, n, "T".equals(m.group(4)) ? 1 : 0, "T".equals(m.group(5)) ? 1 : 0});
        }
        threads.apply();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("species", Engine.species());
        result.put("lanes", Engine.lanes());
        result.put("threads", Engine.threads());
        if (!noModel) result.put("model", benchModel());
        List<Map<String, Object>> g = new ArrayList<>();
        for (int[] s : shapes) g.add(benchGemm(s));
        if (!g.isEmpty()) result.put("gemm", g);
        if (json) {
            io.out().println(Json.MAPPER.writeValueAsString(result));
        }
        return 0;
    }

    private Map<String, Object> benchModel() {
        TrainConfig cfg = TrainCommand.config(model, shape, training, 1, LrSchedule.constant(training.lr), 0, tbptt, seed.seed,
                threads.threads, seqLen, Defaults.TRUNCATE, 0, "synthetic", null, FreezeKind.none);
        int b = training.batch;
        Batch batch = new Batch(seqLen, b);
        batch.reset(seqLen, b);
        SplittableRandom rng = new SplittableRandom(seed.seed);
        for (int i = 0; i < seqLen * b; i++) batch.tokens()[i] = 2 + rng.nextInt(shape.vocabSize - 2);
        for (int i = 0; i < b; i++) batch.labels()[i] = rng.nextInt(2);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", cfg.modelConfig(shape.vocabSize).toMetadata());
        r.put("batch", b);
        r.put("seq_len", seqLen);
        try (SequenceClassifier net = new SequenceClassifier(cfg.modelConfig(shape.vocabSize), seed.seed, seqLen, b);
             Optimizer opt = Optimizers.create(training.optimizer, net.parameters(), training.lr, training.momentum(),
                     training.weightDecay())) {
            TrainingStep step = new TrainingStep(net, opt, net.parameters(), training.clipNorm, training.clipValue);
            double[] train = time(() -> {
                try {
                    step.run(batch, 1);
                } catch (UpdateGuard.Diverged d) {
                    throw new AppException("bench: the synthetic training diverged (" + d.what() + "); lower --lr", d);
                }
            }, true);
            Warmup trainWarmup = lastWarmup, trainVsWarmup = lastVsWarmup;
            double[] trainVs = lastVs;
            double[] infer = time(() -> net.logits(batch), true);
            Warmup inferWarmup = lastWarmup, inferVsWarmup = lastVsWarmup;
            double[] inferVs = lastVs;
            double trainSeq = b / median(train), inferSeq = b / median(infer);
            r.put("train_seq_per_s", trainSeq);
            r.put("train_tokens_per_s", trainSeq * seqLen);
            r.put("train_seq_per_s_runs", Arrays.stream(train).map(t -> b / t).toArray());
            r.put("inference_seq_per_s", inferSeq);
            r.put("inference_tokens_per_s", inferSeq * seqLen);
            r.put("inference_seq_per_s_runs", Arrays.stream(infer).map(t -> b / t).toArray());
            r.put("train_warmup", trainWarmup.toMap());
            r.put("inference_warmup", inferWarmup.toMap());
            if (!json) {
                io.out().printf("model: %s, batch %d × %d steps, %d threads (%s)%n", describe(cfg), b, seqLen, Engine.threads(), Engine.species());
                io.out().printf("  training   %10.1f seq/s  %12.0f tokens/s  (median of %d runs of %d batches)%n",
                        trainSeq, trainSeq * seqLen, repeats, steps);
                io.out().printf("  inference  %10.1f seq/s  %12.0f tokens/s%n", inferSeq, inferSeq * seqLen);
                io.out().printf("  a 25,000-review epoch at this length: ≈ %.1f s of training%n", 25_000 / trainSeq);
                io.out().printf("  warm-up: training %s; inference %s%n", trainWarmup, inferWarmup);
            }
            if (vsThreads > 0) {
                Map<String, Object> vs = new LinkedHashMap<>();
                double[] trainRatio = ratios(trainVs, train), inferRatio = ratios(inferVs, infer);
                vs.put("threads", vsThreads);
                vs.put("train_seq_per_s", b / median(trainVs));
                vs.put("train_seq_per_s_runs", Arrays.stream(trainVs).map(t -> b / t).toArray());
                vs.put("inference_seq_per_s", b / median(inferVs));
                vs.put("inference_seq_per_s_runs", Arrays.stream(inferVs).map(t -> b / t).toArray());
                vs.put("train_ratio", median(trainRatio));
                vs.put("train_ratio_runs", trainRatio);
                vs.put("inference_ratio", median(inferRatio));
                vs.put("inference_ratio_runs", inferRatio);
                vs.put("train_warmup", trainVsWarmup.toMap());
                vs.put("inference_warmup", inferVsWarmup.toMap());
                r.put("vs_threads", vs);
                if (!json) {
                    io.out().printf("  on %d thread%s (runs alternated with those above): training %.1f seq/s, inference %.1f seq/s%n",
                            vsThreads, vsThreads == 1 ? "" : "s", b / median(trainVs), b / median(inferVs));
                    io.out().printf("  %d ÷ %d threads, per pair of runs: training %.2f× (%s), inference %.2f× (%s)%n",
                            Engine.threads(), vsThreads, median(trainRatio), range(trainRatio), median(inferRatio), range(inferRatio));
                }
            }
        }
        return r;
    }

    private static String describe(TrainConfig c) {
        return (c.bidirectional() ? "bidirectional " : "") + c.model() + " ×" + c.layers() + ", embed " + c.embed()
                + ", hidden " + c.hidden() + ", " + c.pool() + " pool";
    }

    /** How a warm-up went: batches run, seconds, and whether it ended with a batch the JIT left alone. */
    record Warmup(int batches, double seconds, boolean jitIdle) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("batches", batches);
            m.put("seconds", seconds);
            m.put("jit_idle", jitIdle);
            return m;
        }

        @Override
        public String toString() {
            return String.format("%d batches in %.1f s%s", batches, seconds,
                    batches == 0 ? " (cold)" : jitIdle ? "" : " (the JIT still compiling)");
        }
    }

    private Warmup lastWarmup;

    /**
     * At least {@code --warmup} untimed calls, then more until one whole call passes without JIT
     * compilation (the JVM's total compilation time unchanged), for at most {@link #WARMUP_LIMIT_S}
     * seconds and {@link #WARMUP_MAX_EXTRA} more calls.
     * With 2 threads on 2 cores the compiler threads would otherwise take time from the workers and
     * the first timed runs measure the JIT as much as the step.
     */
    private Warmup warmUp(Runnable step) {
        long start = System.nanoTime();
        int n = 0;
        for (; n < warmup; n++) step.run();
        boolean idle = false;
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (n > 0 && jit != null && jit.isCompilationTimeMonitoringSupported()) {
            long before = jit.getTotalCompilationTime();
            while (n < warmup + WARMUP_MAX_EXTRA && System.nanoTime() - start < WARMUP_LIMIT_S * 1_000_000_000L) {
                step.run();
                n++;
                long now = jit.getTotalCompilationTime();
                if (now == before) {
                    idle = true;
                    break;
                }
                before = now;
            }
        }
        return new Warmup(n, (System.nanoTime() - start) / 1e9, idle);
    }

    private Warmup lastVsWarmup;
    /** Seconds per batch on --vs-threads of each repeat of the last {@link #time} that alternated (else null). */
    private double[] lastVs;

    /**
     * Seconds per batch of each repeat on --threads, after the warm-up. With {@code alternate} and
     * --vs-threads, each repeat is paired with one on --vs-threads ({@link #lastVs}), in the order
     * A B, B A, A B, … so that neither count always runs first; after each switch of the pool one
     * untimed batch lets the new workers set up their buffers.
     */
    private double[] time(Runnable step, boolean alternate) {
        int main = Engine.threads();
        boolean vs = alternate && vsThreads > 0;
        if (vs) {
            Engine.setThreads(vsThreads);
            lastVsWarmup = warmUp(step);
            Engine.setThreads(main);
        }
        lastWarmup = warmUp(step);
        double[] per = new double[repeats];
        lastVs = vs ? new double[repeats] : null;
        for (int r = 0; r < repeats; r++) {
            if (!vs) {
                per[r] = timed(step);
                continue;
            }
            for (int half = 0; half < 2; half++) {
                boolean onMain = (half == 0) == (r % 2 == 0);
                Engine.setThreads(onMain ? main : vsThreads);
                step.run();
                double t = timed(step);
                if (onMain) per[r] = t;
                else lastVs[r] = t;
            }
        }
        Engine.setThreads(main);
        return per;
    }

    /** Seconds per batch of one timed run of --steps batches. */
    private double timed(Runnable step) {
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) step.run();
        return (System.nanoTime() - t0) / 1e9 / steps;
    }

    /** Speed on --threads ÷ speed on --vs-threads of each pair: seconds on the other ÷ seconds on --threads. */
    private static double[] ratios(double[] vsSeconds, double[] mainSeconds) {
        double[] q = new double[mainSeconds.length];
        for (int i = 0; i < q.length; i++) q[i] = vsSeconds[i] / mainSeconds[i];
        return q;
    }

    private static String range(double[] a) {
        double lo = Arrays.stream(a).min().orElse(0), hi = Arrays.stream(a).max().orElse(0);
        return String.format("%.2f–%.2f", lo, hi);
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private Map<String, Object> benchGemm(int[] s) {
        int m = s[0], k = s[1], n = s[2];
        Transpose ta = s[3] == 1 ? Transpose.T : Transpose.N, tb = s[4] == 1 ? Transpose.T : Transpose.N;
        try (Arena arena = Arena.ofShared()) {
            FloatMatrix a = ta == Transpose.N ? FloatMatrix.allocate(arena, m, k) : FloatMatrix.allocate(arena, k, m);
            FloatMatrix bm = tb == Transpose.N ? FloatMatrix.allocate(arena, k, n) : FloatMatrix.allocate(arena, n, k);
            FloatMatrix c = FloatMatrix.allocate(arena, m, n);
            SplittableRandom rng = new SplittableRandom(1);
            float[] av = new float[(int) a.size()], bv = new float[(int) bm.size()];
            for (int i = 0; i < av.length; i++) av[i] = (float) rng.nextDouble(-1, 1);
            for (int i = 0; i < bv.length; i++) bv[i] = (float) rng.nextDouble(-1, 1);
            a.copyFrom(av);
            bm.copyFrom(bv);
            double flops = 2.0 * m * k * n;
            // enough calls per run for ~20 ms at 50 GFLOPS, at least one
            int calls = (int) Math.max(1, Math.min(100_000, 1e9 / flops));
            Runnable one = () -> { for (int i = 0; i < calls; i++) Gemm.sgemm(ta, tb, 1f, a, bm, 0f, c); };
            int saveSteps = steps;
            double[] per;
            try {
                steps = 1;
                per = time(one, false);
            } finally {
                steps = saveSteps;
            }
            double gflops = flops * calls / median(per) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("shape", m + "x" + k + "x" + n);
            r.put("transpose", ta.name() + tb.name());
            r.put("gflops", gflops);
            r.put("gflops_runs", Arrays.stream(per).map(t -> flops * calls / t / 1e9).toArray());
            if (!json) io.out().printf("sgemm %s %dx%dx%d: %8.2f GFLOPS (median of %d)%n", ta.name() + tb.name(), m, k, n, gflops, repeats);
            return r;
        }
    }
}
