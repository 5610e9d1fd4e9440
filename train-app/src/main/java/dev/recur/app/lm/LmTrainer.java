package dev.recur.app.lm;

import dev.recur.app.data.CharCorpus;
import dev.recur.app.data.CharVocabulary;
import dev.recur.app.core.AppException;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.core.Io;
import dev.recur.app.run.Launcher;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Fingerprint;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.LrSchedule;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
                          int evalEvery, int sampleLength, Path out, boolean resume, Map<String, String> runOptions,
                          int patience, LrSchedule schedule, Double momentum, Double weightDecay, double clipValue) {
        public Options {
            runOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runOptions));
            if (schedule == null) schedule = LrSchedule.constant((float) lr); // the rate the optimizer was made with
        }
    }

    /** The curve picture's file name. */
    public static final String PLOT = "curve.png";

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
             Optimizer opt = Optimizers.create(o.optimizer(), model.parameters(), o.lr(), o.momentum(), o.weightDecay())) {
            TrainingLoop.Position from = TrainingLoop.Position.START;
            model.resetState();
            if (resumed != null) {
                resumed.loadTraining(model.parameters(), opt);
                model.restoreState(resumed);
                // Inter-layer dropout masks are a function of (seed, call counter): restore the counter.
                String dropoutCalls = resumed.metadata().get("train.dropout_calls");
                if (dropoutCalls != null) model.recurrent().setDropoutCalls(Long.parseLong(dropoutCalls));
                from = LmTask.position(resumed, opt.steps());
                io.progress().info(String.format(Locale.ROOT, "resuming %s at epoch %d, window %d/%d", last, from.epochsDone() + 1,
                        from.batch(), train.windows()));
            }
            io.progress().info(String.format(Locale.ROOT, "lm: %s on %s: %,d train / %,d validation characters; %d streams × %d steps,"
                            + " %d windows per epoch", cfg.describe(), corpus.name(), corpus.train().length,
                    corpus.validation().length, o.batch(), o.tbptt(), train.windows()));
            long t0 = System.nanoTime();
            Map<String, String> meta = Checkpoint.runMetadata(cfg.toMetadata(), o.runOptions(), fingerprint);
            meta.put("train.batch", Integer.toString(o.batch()));
            meta.put("train.tbptt", Integer.toString(o.tbptt()));
            meta.put("data.name", corpus.name());
            meta.put("data.chars", Integer.toString(corpus.length()));
            LmTask task = new LmTask(model, evalModel, sampler, train, val, meta, o.sampleLength(), o.seed(), io);
            TrainingLoop.Settings settings = TrainingLoop.Settings.of(o.out(), TASK, o.epochs(), o.lr()).withSchedule(o.schedule())
                    .withClipping(o.clipNorm(), o.clipValue()).withPatience(o.patience()).withEvalEvery(o.evalEvery())
                    .withTimeLimit(o.timeLimitMinutes()).withUnit("windows").withPlot("Character language model", PLOT);
            TrainingLoop.Outcome r = new TrainingLoop(settings, task, opt, model.parameters(), model.parameters(), io).run(from);
            double bestVal = r.at().best(), lastVal = r.last() == null ? Double.NaN : r.last().score();
            double secs = (System.nanoTime() - t0) / 1e9;
            Path metricsFile = o.out().resolve(RunFolder.METRICS);
            io.progress().result(String.format(Locale.ROOT, "validation loss %.4f nats/char (%.4f bits/char), best %.4f; %,.0f chars/s "
                            + "training; %.0f s%ncheckpoints: %s, %s%nmetrics: %s", lastVal, lastVal / LN2, bestVal,
                    task.charsPerSecond(), secs, last, best, metricsFile));
            io.progress().command("try: ", Launcher.command() + " sample --checkpoint " + best);
            return new Result(bestVal, lastVal, task.charsPerSecond(), opt.steps(), secs, last);
        }
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

}
