package dev.recur.app.translate;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.Json;
import dev.recur.app.run.UpdateGuard;
import dev.recur.engine.Engine;
import dev.recur.layers.AttentionScore;
import dev.recur.layers.Parameter;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Seq2Seq;
import dev.recur.layers.model.Seq2SeqConfig;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code translate bench}: the same work as {@code jmh/pytorch/bench_translate.py}, Recur's side.
 * Every sentence has {@code length} source tokens and {@code length} decoder steps (ids from 4 up,
 * drawn from a fixed seed). Training: forward with full teacher forcing, loss, backward, clipping
 * to norm 1 and an Adam step (lr 1e-3). Decoding: greedy, exactly {@code length} steps per sentence
 * ({@code <eos>}'s output bias is pinned at −10⁴ so that no sentence stops early, the fixed work the
 * PyTorch peer does). Pairs/s are the median of the timed runs; the peak resident memory is the
 * process's ({@code VmHWM} of {@code /proc/self/status}), so run one mode per process to get each
 * mode's own.
 */
public final class TranslateBench {
    /** What to measure. */
    public record Options(boolean train, boolean decode, CellType cell, int embed, int hidden, AttentionScore attention,
                          boolean inputFeeding, int sourceVocab, int targetVocab, int batch, int length, int warmup,
                          int steps, int repeats) { }

    private final Io io;

    public TranslateBench(Io io) { this.io = io; }

    public Map<String, Object> run(Options o, boolean json) {
        Seq2SeqConfig cfg = new Seq2SeqConfig(o.cell(), o.sourceVocab(), o.targetVocab(), o.embed(), o.hidden(), 1, true, o.hidden(),
                o.attention(), o.hidden(), o.inputFeeding(), false, 1f, 0f, TranslationVocabulary.BOS, TranslationVocabulary.EOS);
        int b = o.batch(), n = o.length();
        Batch src = new Batch(n, b), tgt = new Batch(n, b);
        src.reset(n, b);
        tgt.reset(n, b);
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < b; i++) {
            src.lengths()[i] = n;
            tgt.lengths()[i] = n;
            for (int t = 0; t < n; t++) src.setToken(t, i, 4 + rng.nextInt(o.sourceVocab() - 4));
            int prev = TranslationVocabulary.BOS;
            for (int t = 0; t < n; t++) {
                int y = 4 + rng.nextInt(o.targetVocab() - 4);
                tgt.setToken(t, i, prev);
                tgt.setTarget(t, i, y);
                prev = y;
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("framework", "recur");
        r.put("species", Engine.species());
        r.put("threads", Engine.threads());
        r.put("batch", b);
        r.put("length", n);
        r.put("config", cfg.toMetadata());
        try (Seq2Seq model = new Seq2Seq(cfg, 42, n, n + 1, b)) {
            r.put("parameters", model.parameterCount());
            if (!json) {
                io.out().printf(Locale.ROOT, "translate bench: %s, %,d parameters, batch %d, length %d, %d threads (%s)%n",
                        describe(cfg), model.parameterCount(), b, n, Engine.threads(), Engine.species());
            }
            if (o.train()) {
                try (Optimizer opt = new Adam(model.parameters(), 1e-3f)) {
                    long[] step = {0};
                    double[] per = time(o, () -> {
                        model.train(true);
                        model.zeroGrad();
                        float loss = model.forward(src, tgt);
                        model.backward();
                        try {
                            UpdateGuard.check(model.parameters(), loss, ++step[0], 1.0);
                        } catch (UpdateGuard.Diverged d) {
                            throw new AppException("translate bench: the synthetic training diverged (" + d.what() + ")", d);
                        }
                        opt.step();
                    });
                    put(r, "train", b, per);
                    if (!json) io.out().printf(Locale.ROOT, "  training  %10.1f pairs/s  (median of %d runs of %d batches)%n",
                            b / median(per), o.repeats(), o.steps());
                }
            }
            if (o.decode()) {
                Parameter bias = model.parameter("decoder.out.bias");
                bias.value().set(0, TranslationVocabulary.EOS, -1e4f);
                model.eval();
                double[] per = time(o, () -> {
                    var out = model.greedy(src, n);
                    if (out.get(0).tokens().length != n) throw new IllegalStateException("a sentence stopped early");
                });
                put(r, "decode", b, per);
                if (!json) io.out().printf(Locale.ROOT, "  decoding  %10.1f pairs/s  (greedy, %d steps)%n", b / median(per), n);
            }
        }
        long rss = peakRssKb();
        r.put("peak_rss_mb", rss < 0 ? null : rss / 1024.0);
        if (json) io.out().println(Json.write(r));
        else io.out().printf(Locale.ROOT, "  peak resident memory %s%n", rss < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f MB", rss / 1024.0));
        io.out().flush();
        return r;
    }

    private static String describe(Seq2SeqConfig c) {
        return String.format(Locale.ROOT, "bidirectional %s encoder, %s attention%s, embed %d, hidden %d, vocabularies %,d and %,d",
                c.cell(), c.attention().name().toLowerCase(Locale.ROOT), c.inputFeeding() ? " (input feeding)" : "", c.embedDim(),
                c.decoderHidden(), c.sourceVocab(), c.targetVocab());
    }

    private static void put(Map<String, Object> r, String mode, int batch, double[] per) {
        r.put(mode + "_pairs_per_s", batch / median(per));
        r.put(mode + "_pairs_per_s_runs", Arrays.stream(per).map(t -> batch / t).toArray());
    }

    /** Seconds per batch of each timed run, after the warm-up. */
    private static double[] time(Options o, Runnable step) {
        for (int i = 0; i < o.warmup(); i++) step.run();
        double[] per = new double[o.repeats()];
        for (int r = 0; r < o.repeats(); r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < o.steps(); i++) step.run();
            per[r] = (System.nanoTime() - t0) / 1e9 / o.steps();
        }
        return per;
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The process's peak resident set in kB ({@code VmHWM}), or −1 where /proc is not there. */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
