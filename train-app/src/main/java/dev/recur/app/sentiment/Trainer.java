package dev.recur.app.sentiment;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.data.ImdbDataset;
import dev.recur.app.data.Review;
import dev.recur.app.data.Review.Split;
import dev.recur.app.data.TextEncoder;
import dev.recur.app.data.Tokenizer;
import dev.recur.app.data.Vocabulary;
import dev.recur.engine.Engine;
import dev.recur.layers.Parameter;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import dev.recur.app.run.Choices.FreezeKind;
import dev.recur.app.run.Fingerprint;
import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training run behind {@code train}: data → vocabulary → model → epochs (progress bar,
 * validation, checkpoints, metrics, plot) → one test evaluation of the best model.
 *
 * <p>Files under the output folder: {@code last.safetensors} (rewritten after every epoch, what
 * {@code --resume} continues from), {@code best.safetensors} (the epoch with the best validation
 * accuracy), {@code metrics.jsonl} and {@code training-curves.png}.
 */
public final class Trainer {
    public static final String LAST = RunFolder.LAST;
    public static final String BEST = RunFolder.BEST;
    public static final String METRICS = RunFolder.METRICS;
    public static final String PLOT = "training-curves.png";

    /** The outcome; {@code test} is null (and {@code testedEpoch} 0) when the run stopped early (see {@link #stopAfterEpoch}). */
    public record Result(Path out, TrainState state, BinaryMetrics test, int testedEpoch) {}

    private final TrainConfig cfg;
    private final Path out;
    private final Io io;
    private int stopAfterEpoch = Integer.MAX_VALUE;

    /**
     * Ends the run after epoch {@code n} as an interruption would, leaving {@code last.safetensors}
     * to {@code --resume} (no test evaluation); the schedule still spans all {@code cfg.epochs()}.
     */
    public Trainer stopAfterEpoch(int n) {
        stopAfterEpoch = n;
        return this;
    }

    public Trainer(TrainConfig cfg, Path out, Io io) {
        this.cfg = cfg;
        this.out = out;
        this.io = io;
    }

    /** The fraction {@code split} of the training reviews held out for validation, chosen by {@code seed}. */
    static List<List<Review>> carveValidation(List<Review> train, double split, long seed) {
        int n = train.size();
        boolean[] isVal = validationRows(n, split, seed);
        List<Review> fit = new ArrayList<>(n), val = new ArrayList<>();
        for (int i = 0; i < n; i++) (isVal[i] ? val : fit).add(train.get(i));
        return List.of(fit, val);
    }

    /**
     * Which of {@code n} training examples (in the data's order) {@code train} holds out for
     * validation: {@code round(n·split)} of them, chosen by {@code seed}. A pure function of its
     * arguments, so a distributed trainer carves the same split from the examples' indices.
     */
    public static boolean[] validationRows(int n, double split, long seed) {
        int nVal = (int) Math.round(n * split);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        SplittableRandom rng = new SplittableRandom(seed ^ 0x7A11DA7E5EEDL);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
        boolean[] isVal = new boolean[n];
        for (int i = 0; i < nVal; i++) isVal[perm[i]] = true;
        return isVal;
    }

    /** The fingerprint of the training split: every review's label and text, in the dataset's order. */
    static String fingerprint(List<Review> train) {
        Fingerprint f = new Fingerprint().add(train.size());
        for (Review r : train) f.add(r.label()).add(r.text());
        return f.hex();
    }

    /** Which parameters {@code --freeze} keeps fixed: the embedding, or the embedding and the recurrent layers. */
    static boolean frozen(Parameter p, FreezeKind freeze) {
        return switch (freeze) {
            case none -> false;
            case embedding -> p.name().startsWith("embedding.");
            case encoder -> !p.name().startsWith("fc.");
        };
    }

    /**
     * Runs (or, with {@code resumeFrom} not null, continues) the training; {@code initFrom}, when
     * not null (and not resuming), gives the starting weights and vocabulary. {@code data} null
     * means the embedded sample.
     */
    public Result run(Path data, SentimentCheckpoint resumeFrom, SentimentCheckpoint initFrom) {
        Engine.setThreads(cfg.threads());
        long t0 = System.nanoTime();
        // the kernels compile while the data is read and encoded; closed (settled) before the first batch
        try (KernelWarmup warmup = KernelWarmup.start(cfg)) {
            return run(data, resumeFrom, initFrom, warmup, t0);
        }
    }

    private Result run(Path data, SentimentCheckpoint resumeFrom, SentimentCheckpoint initFrom, KernelWarmup warmup, long t0) {
        ImdbDataset ds = ImdbDataset.load(data, EnumSet.of(Split.TRAIN, Split.TEST));
        List<List<Review>> parts = carveValidation(ds.train(), cfg.validationSplit(), cfg.seed());
        List<Review> fitReviews = parts.get(0), valReviews = parts.get(1);
        if (fitReviews.isEmpty()) {
            throw AppException.usage("--validation-split " + cfg.validationSplit() + " leaves no training reviews out of "
                    + ds.train().size() + "; lower it");
        }
        String fingerprint = fingerprint(ds.train());
        if (resumeFrom != null && resumeFrom.dataFingerprint() != null && !resumeFrom.dataFingerprint().equals(fingerprint)) {
            throw AppException.usage(resumeFrom.file() + " was trained on other reviews than " + ds.source()
                    + "; resume with the same --data");
        }
        Tokenizer tok = new Tokenizer();
        List<List<String>> docs = new ArrayList<>(fitReviews.size()); // each training review tokenized once
        for (Review r : fitReviews) docs.add(tok.tokenize(r.text()));
        TextEncoder encoder;
        if (resumeFrom != null) {
            encoder = resumeFrom.encoder();
        } else if (initFrom != null) {
            encoder = new TextEncoder(tok, initFrom.encoder().vocabulary(), cfg.maxLen(), cfg.truncation());
        } else {
            encoder = new TextEncoder(tok, Vocabulary.build(docs, cfg.vocabSize(), 2), cfg.maxLen(), cfg.truncation());
        }
        EncodedSet fit = EncodedSet.ofTokens("train", docs, fitReviews, encoder);
        EncodedSet val = EncodedSet.of("validation", valReviews, encoder);
        EncodedSet test = EncodedSet.of("test", ds.test(), encoder);
        io.progress().info(String.format("data: %s — %d train, %d validation, %d test reviews; vocabulary %d words; max-len %d (keep %s); "
                        + "read in %.1f s", ds.source(), fit.size(), val.size(), test.size(), encoder.vocabulary().size(),
                encoder.maxLen(), encoder.truncation().name().toLowerCase(java.util.Locale.ROOT), (System.nanoTime() - t0) / 1e9));

        RunFolder.prepare(out, resumeFrom != null);
        int maxSteps = Math.max(1, Math.max(fit.maxLength(), Math.max(val.maxLength(), test.maxLength())));
        Batch batch = new Batch(maxSteps, cfg.batch());
        try (SequenceClassifier model = new SequenceClassifier(cfg.modelConfig(encoder.vocabulary().size()), cfg.seed(),
                maxSteps, cfg.batch());
             Optimizer optimizer = Optimizers.create(cfg.optimizer(), trainable(model), cfg.lr(), cfg.momentum(),
                     cfg.weightDecay())) {
            model.setGradientWindow(cfg.tbptt());   // 0 = full BPTT
            TrainingLoop.Position from = TrainingLoop.Position.START;
            if (initFrom != null && resumeFrom == null) initFrom.loadWeights(model);
            if (resumeFrom != null) {
                resumeFrom.loadInto(model);
                resumeFrom.loadOptimizer(optimizer);
                from = SentimentTask.position(resumeFrom.state());
            }
            io.progress().info(String.format("model: %s, %,d parameters; %s lr %s (%s), batch %d, %d threads (%s, %d lanes)",
                    describe(cfg), model.parameterCount(), cfg.optimizer(), cfg.lr(), cfg.lrSchedule(), cfg.batch(), Engine.threads(),
                    Engine.species(), Engine.lanes()));
            TrainingLoop.Settings settings = TrainingLoop.Settings.of(out, SentimentCheckpoint.TASK, cfg.epochs(), cfg.lr())
                    .withSchedule(cfg.schedule()).withClipping(cfg.clipNorm(), cfg.clipValue()).withPatience(cfg.patience())
                    .withUnit("seq").withPlot("IMDB " + describeShort(cfg), PLOT).withBestResumable(true);
            TrainingLoop loop = new TrainingLoop(settings, new SentimentTask(model, cfg, encoder, fit, val, batch, fingerprint),
                    optimizer, model.parameters(), trainable(model), io).stopAfterEpoch(stopAfterEpoch);
            warmup.finish();
            if (warmup.steps() > 0) {
                io.progress().info(String.format("kernels warmed up (%d steps on random tokens); first batch %.1f s after the start",
                        warmup.steps(), (System.nanoTime() - t0) / 1e9));
            }
            TrainingLoop.Outcome o = loop.run(from);
            TrainState state = SentimentTask.state(o.at(), o.history());
            if (o.interrupted()) return new Result(out, state, null, 0);
            return finish(model, test, batch, state);
        }
    }

    /** The parameters the optimizer updates: all but those {@code --freeze} keeps fixed. */
    private List<Parameter> trainable(SequenceClassifier model) {
        return model.parameters().stream().filter(p -> !frozen(p, cfg.freeze())).toList();
    }

    static String describe(TrainConfig c) {
        return (c.bidirectional() ? "bidirectional " : "") + c.model() + (c.layers() > 1 ? " ×" + c.layers() + " layers" : "")
                + ", embed " + c.embed() + ", hidden " + c.hidden() + ", " + c.pool() + " pooling, dropout " + c.dropout()
                + (c.tbptt() > 0 ? ", truncated BPTT every " + c.tbptt() + " steps" : "");
    }

    static String describeShort(TrainConfig c) {
        return (c.bidirectional() ? "Bi" : "") + c.model().name().toUpperCase(java.util.Locale.ROOT)
                + (c.layers() > 1 ? "×" + c.layers() : "") + " " + c.hidden() + " (" + c.pool() + " pool)";
    }

    private Result finish(SequenceClassifier model, EncodedSet test, Batch batch, TrainState state) {
        int tested = state.epoch();
        Path best = out.resolve(BEST);
        if (state.bestEpoch() != state.epoch() && Files.exists(best)) {
            SentimentCheckpoint.load(best).loadInto(model);
            tested = state.bestEpoch();
        }
        BinaryMetrics t = Evaluator.evaluate(model, test, batch, cfg.batch(), null);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "test");
        m.put("epoch", tested);
        m.putAll(t.toMap());
        try (MetricsLog metrics = MetricsLog.append(out.resolve(METRICS))) {
            metrics.write(m);
        }
        io.progress().result(String.format("test (epoch %d, %d reviews): accuracy %.2f%%  precision %.4f  recall %.4f  F1 %.4f  loss %.4f",
                tested, t.count(), 100 * t.accuracy(), t.precision(), t.recall(), t.f1(), t.loss()));
        return new Result(out, state, t, tested);
    }
}
