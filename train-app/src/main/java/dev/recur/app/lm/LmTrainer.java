package dev.recur.app.lm;

import dev.recur.app.data.CharCorpus;
import dev.recur.app.data.CharVocabulary;
import dev.recur.app.core.AppException;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.core.Io;
import dev.recur.app.run.Plots;
import dev.recur.app.run.Launcher;
import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.progress.Bar;
import dev.recur.app.run.progress.Field;
import dev.recur.engine.FloatMatrix;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Fingerprint;
import dev.recur.app.run.Json;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.UpdateGuard;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a character language model with truncated BPTT: the text is cut into {@code batch}
 * streams, read window by window with the recurrent state carried; after every epoch (and every
 * {@code evalEvery} windows, and when the time limit is reached) the validation part is scored in
 * nats and bits per character, a line goes to {@code metrics.jsonl}, {@code last.safetensors} is
 * written (and {@code best.safetensors} when validation improved), and a sample is printed.
 */
public final class LmTrainer {
    /** The embedded tiny text used when no {@code --data} is given. */
    public static final String TINY_TEXT = "/dev/recur/app/lm/tiny-austen.txt";
    static final double LN2 = Math.log(2);

    /** Everything {@code lm} is told. */
    public record Options(Path data, CellType cell, int layers, int hidden, int embed, double dropout,
                          int batch, int tbptt, int epochs, double timeLimitMinutes, double lr,
                          OptimizerKind optimizer, double clipNorm, double validationSplit, long seed,
                          int evalEvery, int sampleLength, Path out, boolean resume, Map<String, String> runOptions) {
        public Options {
            runOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runOptions));
        }
    }

    /** The checkpoint task name. */
    public static final String TASK = "lm";

    /** A model loaded from an {@code lm} checkpoint, with its configuration. */
    public record Loaded(LmConfig config, CharModel model) implements AutoCloseable {
        @Override
        public void close() { model.close(); }
    }

    /** Loads an {@code lm} checkpoint's model for {@code batch} streams of windows up to {@code steps}. */
    public static Loaded load(Path file, int batch, int steps) {
        Checkpoint ck = Checkpoint.read(file, TASK, "lm");
        LmConfig cfg = LmConfig.fromMetadata(ck.metadata(), file.toString());
        CharModel m = new CharModel(cfg, batch, steps);
        try {
            ck.loadParameters(m.parameters());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return new Loaded(cfg, m);
    }

    /** What {@code info} shows of an {@code lm} checkpoint, after loading it into a model. */
    public static Map<String, Object> describe(Path file) {
        try (Loaded lm = load(file, 1, 1)) {
            LmConfig c = lm.config();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", Map.of("cell", c.cell().name().toLowerCase(Locale.ROOT), "layers", c.layers(), "hidden", c.hidden(),
                    "embed", c.embed(), "dropout", c.dropout()));
            m.put("characters", c.vocabulary().size());
            Checkpoint ck = Checkpoint.read(file, TASK, "lm");
            m.put("epochs_done", Integer.parseInt(ck.meta("train.epoch")));
            m.put("val_loss", Double.parseDouble(ck.meta("train.val_loss")));
            m.put("run_options", ck.runOptions());
            return m;
        }
    }

    /** The fingerprint of a corpus: every character id of both parts and the vocabulary. */
    static String fingerprint(CharCorpus c) {
        return new Fingerprint().add(c.vocabulary().asString()).add(c.train()).add(c.validation()).hex();
    }

    /** What a run ended with. */
    public record Result(double bestValidationLoss, double lastValidationLoss, double charsPerSecond,
                         long steps, double seconds, Path checkpoint) { }

    private final Io io;

    public LmTrainer(Io io) { this.io = io; }

    /** Reads the text given with {@code --data}, or the embedded tiny text. */
    public static CharCorpus corpus(Path data, double validationSplit) {
        if (data != null) return CharCorpus.read(data, validationSplit);
        try (InputStream in = LmTrainer.class.getResourceAsStream(TINY_TEXT)) {
            if (in == null) throw new AppException("the embedded tiny text is missing from the jar; rebuild it");
            return CharCorpus.fromText("tiny-austen.txt (embedded)", new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    validationSplit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Result run(Options o) {
        CharCorpus corpus = corpus(o.data(), o.validationSplit());
        Path last = RunFolder.prepare(o.out(), o.resume());
        Path best = o.out().resolve(RunFolder.BEST);
        String fingerprint = fingerprint(corpus);
        Checkpoint resumed = null;
        LmConfig cfg;
        if (o.resume()) {
            resumed = Checkpoint.read(last, TASK, "lm");
            cfg = LmConfig.fromMetadata(resumed.metadata(), last.toString());
            checkSame(resumed, "train.batch", o.batch(), "--batch");
            checkSame(resumed, "train.tbptt", o.tbptt(), "--tbptt");
            String stored = resumed.metadata().get(Checkpoint.K_DATA);
            boolean same = stored != null ? stored.equals(fingerprint)
                    : cfg.vocabulary().asString().equals(corpus.vocabulary().asString())
                      && Integer.toString(corpus.length()).equals(resumed.metadata().get("data.chars"));
            if (!same) {
                throw AppException.usage(last + " was trained on other text than " + corpus.name()
                        + "; resume with the same --data and --validation-split");
            }
        } else {
            cfg = new LmConfig(o.cell(), o.layers(), o.hidden(), o.embed(), (float) o.dropout(), o.seed(),
                    corpus.vocabulary());
        }
        TbpttBatcher train = new TbpttBatcher(corpus.train(), o.batch(), o.tbptt());
        int valBatch = Math.max(1, Math.min(o.batch(), corpus.validation().length / (o.tbptt() + 1)));
        TbpttBatcher val = new TbpttBatcher(corpus.validation(), valBatch, o.tbptt());
        try (CharModel model = new CharModel(cfg, o.batch(), o.tbptt());
             CharModel evalModel = new CharModel(cfg, valBatch, o.tbptt());
             CharModel sampler = new CharModel(cfg, 1, Math.max(1, o.tbptt()));
             Optimizer opt = Optimizers.create(o.optimizer(), model.parameters(), o.lr())) {
            int startEpoch = 0, startWindow = 0;
            double bestVal = Double.POSITIVE_INFINITY;
            List<Map<String, Object>> history = new ArrayList<>();
            model.resetState();
            if (resumed != null) {
                resumed.loadParameters(model.parameters());
                resumed.loadOptimizer(opt);
                model.restoreState(resumed);
                startEpoch = Integer.parseInt(resumed.meta("train.epoch"));
                startWindow = Integer.parseInt(resumed.meta("train.window"));
                bestVal = Double.parseDouble(resumed.meta("train.best_val"));
                // Inter-layer dropout masks are a function of (seed, call counter): restore the counter.
                String dropoutCalls = resumed.metadata().get("train.dropout_calls");
                if (dropoutCalls != null) model.recurrent().setDropoutCalls(Long.parseLong(dropoutCalls));
                io.progress().info(String.format(Locale.ROOT, "resuming %s at epoch %d, window %d/%d", last, startEpoch + 1,
                        startWindow, train.windows()));
            }
            Path metricsFile = o.out().resolve(RunFolder.METRICS);
            if (o.resume()) {
                // the lines up to the checkpoint (a killed run may have written more), so curve.png covers the whole run
                long upTo = opt.steps();
                for (Map<String, Object> r : MetricsLog.read(metricsFile)) {
                    if (r.get("step") instanceof Number n && n.longValue() <= upTo) history.add(r);
                }
            }
            MetricsLog.rewrite(metricsFile, history);
            io.progress().info(String.format(Locale.ROOT, "lm: %s on %s: %,d train / %,d validation characters; %d streams × %d steps,"
                            + " %d windows per epoch", cfg.describe(), corpus.name(), corpus.train().length,
                    corpus.validation().length, o.batch(), o.tbptt(), train.windows()));
            int[] in = new int[o.batch() * o.tbptt()], tg = new int[in.length];
            long deadline = o.timeLimitMinutes() > 0 ? System.nanoTime() + (long) (o.timeLimitMinutes() * 60e9) : Long.MAX_VALUE;
            long t0 = System.nanoTime();
            double trainSeconds = 0;
            long trainChars = 0;
            double lastVal = Double.NaN;
            float norm = 0;
            boolean stop = false;
            try (MetricsLog metrics = MetricsLog.append(metricsFile)) {
                for (int epoch = startEpoch; epoch < o.epochs() && !stop; epoch++) {
                    if (epoch != startEpoch || startWindow == 0) model.resetState();
                    double lossSum = 0;
                    long lossCount = 0;
                    int first = epoch == startEpoch ? startWindow : 0;
                    try (Bar bar = io.progress().start("epoch " + (epoch + 1) + "/" + o.epochs(),
                            train.windows(), "windows", first)) {
                        for (int w = first; w < train.windows(); w++) {
                            long s0 = System.nanoTime();
                            int steps = train.fill(w, in, tg);
                            model.zeroGrad();
                            float loss = model.window(in, tg, steps, true);
                            norm = UpdateGuard.check(model.parameters(), loss, opt.steps() + 1, o.clipNorm());
                            opt.step();
                            trainSeconds += (System.nanoTime() - s0) / 1e9;
                            trainChars += (long) steps * o.batch();
                            lossSum += (double) loss * steps * o.batch();
                            lossCount += (long) steps * o.batch();
                            double avg = lossSum / lossCount;
                            bar.update(w + 1, Field.metric("loss %.3f (%.3f bpc)", avg, avg / LN2),
                                    Field.detail("%,.0f chars/s", trainChars / trainSeconds), Field.detail("‖g‖ %.2f", norm));
                            boolean timeUp = System.nanoTime() > deadline;
                            boolean endOfEpoch = w + 1 == train.windows();
                            boolean evalNow = endOfEpoch || timeUp || (o.evalEvery() > 0 && (w + 1) % o.evalEvery() == 0);
                            if (evalNow) {
                                int nextEpoch = endOfEpoch ? epoch + 1 : epoch;
                                int nextWindow = endOfEpoch ? 0 : w + 1;
                                evalModel.copyParametersFrom(model);
                                lastVal = validate(evalModel, val);
                                boolean improved = lastVal < bestVal;
                                if (improved) bestVal = lastVal;
                                Map<String, Object> rec = new LinkedHashMap<>();
                                rec.put("epoch", epoch + (w + 1.0) / train.windows());
                                rec.put("step", opt.steps());
                                rec.put("train_loss", avg);
                                rec.put("val_loss", lastVal);
                                rec.put("val_bpc", lastVal / LN2);
                                rec.put("grad_norm", norm);
                                rec.put("chars_per_s", trainChars / trainSeconds);
                                rec.put("elapsed_s", (System.nanoTime() - t0) / 1e9);
                                metrics.write(rec);
                                history.add(rec);
                                Map<String, String> meta = new LinkedHashMap<>(cfg.toMetadata());
                                meta.put(Checkpoint.K_OPTIONS, Json.write(o.runOptions()));
                                meta.put(Checkpoint.K_DATA, fingerprint);
                                meta.put("train.epoch", Integer.toString(nextEpoch));
                                meta.put("train.window", Integer.toString(nextWindow));
                                meta.put("train.best_val", Double.toString(bestVal));
                                meta.put("train.batch", Integer.toString(o.batch()));
                                meta.put("train.tbptt", Integer.toString(o.tbptt()));
                                meta.put("train.val_loss", Double.toString(lastVal));
                                meta.put("train.dropout_calls", Long.toString(model.recurrent().dropoutCalls()));
                                meta.put("data.name", corpus.name());
                                meta.put("data.chars", Integer.toString(corpus.length()));
                                Map<String, FloatMatrix> state = new LinkedHashMap<>();
                                state.put("state.h", model.hiddenState());
                                if (model.cellState() != null) state.put("state.c", model.cellState());
                                if (endOfEpoch) { // the next epoch starts from a zero state
                                    state.replaceAll((k, v) -> zerosLike(v));
                                }
                                Checkpoint.write(last, TASK, meta, model.parameters(), opt, state);
                                if (improved) Checkpoint.write(best, TASK, meta, model.parameters(), null, Map.of());
                                if (endOfEpoch || timeUp) bar.close(); // its last line, then the summary
                                io.progress().info(String.format(Locale.ROOT, "epoch %.2f: train %.4f, validation %.4f nats/char (%.4f bits/char)%s, "
                                                + "%,.0f chars/s, %.0f s", epoch + (w + 1.0) / train.windows(), avg, lastVal,
                                        lastVal / LN2, improved ? " (best)" : "", trainChars / trainSeconds,
                                        (System.nanoTime() - t0) / 1e9));
                                if (o.sampleLength() > 0) {
                                    sampler.copyParametersFrom(model);
                                    String prompt = defaultPrompt(cfg.vocabulary());
                                    io.progress().info("--- sample ---\n" + prompt
                                            + generate(sampler, prompt, o.sampleLength(), 0.8, 0, o.seed()) + "\n--------------");
                                }
                            }
                            if (timeUp) {
                                bar.close();
                                io.progress().info(String.format(Locale.ROOT, "time limit of %.1f minutes reached; stopping", o.timeLimitMinutes()));
                                stop = true;
                                break;
                            }
                        }
                    }
                }
            }
            if (!history.isEmpty()) writeCurve(o.out().resolve("curve.png"), history);
            double secs = (System.nanoTime() - t0) / 1e9;
            io.progress().result(String.format(Locale.ROOT, "validation loss %.4f nats/char (%.4f bits/char), best %.4f; %,.0f chars/s "
                            + "training; %.0f s%ncheckpoints: %s, %s%nmetrics: %s", lastVal, lastVal / LN2, bestVal,
                    trainChars / Math.max(trainSeconds, 1e-9), secs, last, best, metricsFile));
            io.progress().command("try: ", Launcher.command() + " sample --checkpoint " + best);
            return new Result(bestVal, lastVal, trainChars / Math.max(trainSeconds, 1e-9), opt.steps(), secs, last);
        }
    }

    private static FloatMatrix zerosLike(FloatMatrix m) {
        return FloatMatrix.of(java.lang.foreign.Arena.ofAuto(), m.rows(), m.cols(), new float[m.rows() * m.cols()]);
    }

    private static void checkSame(Checkpoint st, String key, int value, String option) {
        String stored = st.meta(key);
        if (!stored.equals(Integer.toString(value))) {
            throw AppException.usage("the checkpoint was trained with " + option + " " + stored + ", not " + value
                    + "; resume with the same " + option);
        }
    }

    /** Mean loss in nats per character over the whole validation text, state carried across windows. */
    static double validate(CharModel m, TbpttBatcher val) {
        m.resetState();
        int[] in = new int[val.batch() * val.window()], tg = new int[in.length];
        double sum = 0;
        long n = 0;
        for (int w = 0; w < val.windows(); w++) {
            int steps = val.fill(w, in, tg);
            sum += (double) m.window(in, tg, steps, false) * steps * val.batch();
            n += (long) steps * val.batch();
        }
        return sum / n;
    }

    /** A newline when the text has one (so samples start like a new line of the text), else its first character. */
    public static String defaultPrompt(CharVocabulary v) {
        return v.id('\n') >= 0 ? "\n" : new String(Character.toChars(v.codePoint(0)));
    }

    /**
     * Generates {@code length} characters after {@code prompt} with a model built for one stream;
     * the same seed gives the same text.
     */
    public static String generate(CharModel m, String prompt, int length, double temperature, int topK, long seed) {
        CharVocabulary v = m.config().vocabulary();
        int[] ids = v.encode(prompt);
        if (ids.length == 0) throw AppException.usage("--prompt must not be empty");
        m.resetState();
        float[] logits = new float[v.size()];
        int chunk = m.maxSteps();
        for (int i = 0; i < ids.length; i += chunk) {
            int n = Math.min(chunk, ids.length - i);
            m.next(java.util.Arrays.copyOfRange(ids, i, i + n), n, logits);
        }
        Sampler sampler = new Sampler(v.size(), temperature, topK);
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        int[] one = new int[1];
        for (int i = 0; i < length; i++) {
            one[0] = sampler.sample(logits, 0, rng);
            sb.appendCodePoint(v.codePoint(one[0]));
            m.next(one, 1, logits);
        }
        return sb.toString();
    }

    static void writeCurve(Path png, List<Map<String, Object>> history) {
        int n = history.size();
        double[] x = new double[n], tr = new double[n], va = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = ((Number) history.get(i).get("epoch")).doubleValue();
            tr[i] = ((Number) history.get(i).get("train_loss")).doubleValue();
            va[i] = ((Number) history.get(i).get("val_loss")).doubleValue();
        }
        Plots.save(png, Plots.chart("Character language model", "epoch", "loss (nats/char)", false, List.of(
                new Plots.Line("train", x, tr), new Plots.Line("validation", x, va))));
    }
}
