package dev.recur.app.tag;

import dev.recur.app.core.AppException;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.core.Io;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Fingerprint;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.LrSchedule;
import dev.recur.app.run.MetricsLog;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains and evaluates the tagger: validation carved from the end of the training file picks the
 * best epoch; the test file is scored once, at the end, with the best checkpoint. Token accuracy
 * always; conlleval chunk precision/recall/F1 when the column is the chunk column.
 */
public final class TagTrainer {
    public static final String TINY_TRAIN = "/dev/recur/app/tag/tiny-train.txt";
    public static final String TINY_TEST = "/dev/recur/app/tag/tiny-test.txt";

    /** Everything {@code tag} is told. */
    public record Options(Path train, Path test, ConllReader.Column column, CellType cell, int layers, int hidden,
                          int wordDim, int featureDim, boolean usePos, double dropout, double wordDropout,
                          int batch, int epochs, double timeLimitMinutes, double lr, OptimizerKind optimizer,
                          double clipNorm, double validationSplit, long seed, Path out, boolean resume,
                          Map<String, String> runOptions, int patience, LrSchedule schedule, Double momentum, Double weightDecay, double clipValue) {
        public Options {
            runOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runOptions));
            if (schedule == null) schedule = LrSchedule.constant((float) lr); // the rate the optimizer was made with
        }
    }

    /** The curve picture's file name. */
    public static final String PLOT = "curve.png";

    /** The checkpoint task name. */
    public static final String TASK = "tag";

    /** What {@code info} shows of a {@code tag} checkpoint, after loading it into a model. */
    public static Map<String, Object> describe(Path file) {
        Checkpoint ck = Checkpoint.read(file, TASK, "tag");
        TagConfig c = TagConfig.fromMetadata(ck.metadata(), file.toString());
        try (TagModel model = new TagModel(c, 1, 1)) {
            ck.loadParameters(model.parameters());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", Map.of("column", c.column().name().toLowerCase(Locale.ROOT), "cell", c.cell().name().toLowerCase(Locale.ROOT),
                "layers", c.layers(), "hidden", c.hidden(), "word_dim", c.wordDim(), "feature_dim", c.featureDim(),
                "use_pos", c.usePos()));
        m.put("words", c.words().size());
        m.put("tags", c.tags().size());
        m.put("epochs_done", Integer.parseInt(ck.meta("train.epoch")));
        m.put("run_options", ck.runOptions());
        return m;
    }

    /** The fingerprint of the training and validation sentences (words, POS and tags, in order). */
    static String fingerprint(List<Sentence> sentences) {
        Fingerprint f = new Fingerprint().add(sentences.size());
        for (Sentence s : sentences) {
            f.add(s.length());
            for (int k = 0; k < s.length(); k++) f.add(s.words().get(k)).add(s.pos().get(k)).add(s.tags().get(k));
        }
        return f.hex();
    }

    /** Scores of one evaluation. */
    public record Scores(double loss, double accuracy, double precision, double recall, double f1, String conlleval) { }

    /** What a run ended with. */
    public record Result(Scores validation, Scores test, double tokensPerSecond, Path best) { }

    private final Io io;

    public TagTrainer(Io io) { this.io = io; }

    static List<Sentence> load(Path file, String resource, ConllReader.Column column) {
        if (file != null) return ConllReader.read(file, column);
        try (InputStream in = TagTrainer.class.getResourceAsStream(resource)) {
            if (in == null) throw new AppException("the embedded sample " + resource + " is missing from the jar; rebuild it");
            return ConllReader.parse(resource.substring(resource.lastIndexOf('/') + 1) + " (embedded)",
                    new String(in.readAllBytes(), StandardCharsets.UTF_8), column);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds the vocabularies from the training sentences. */
    static TagConfig configFor(Options o, List<Sentence> train) {
        List<String> words = new ArrayList<>(), shapes = new ArrayList<>(), suffixes = new ArrayList<>(),
                pos = new ArrayList<>(), tags = new ArrayList<>();
        for (Sentence s : train) {
            for (int k = 0; k < s.length(); k++) {
                String w = s.words().get(k);
                words.add(WordFeatures.normalized(w));
                shapes.add(WordFeatures.shape(w));
                suffixes.add(WordFeatures.suffix(w));
                pos.add(s.pos().get(k));
                tags.add(s.tags().get(k));
            }
        }
        List<String> tagList = Lexicon.build(tags, 1).entries();
        tagList = tagList.subList(2, tagList.size()); // no padding or unknown among the outputs
        return new TagConfig(o.column(), o.cell(), o.layers(), o.hidden(), o.wordDim(), o.featureDim(),
                o.usePos(), (float) o.dropout(), o.seed(), Lexicon.build(words, 1), Lexicon.build(shapes, 1),
                Lexicon.build(suffixes, 2), Lexicon.build(pos, 1), tagList);
    }

    public Result run(Options o) {
        List<Sentence> all = load(o.train(), TINY_TRAIN, o.column());
        List<Sentence> test = load(o.test(), TINY_TEST, o.column());
        int nVal = (int) Math.round(all.size() * o.validationSplit());
        if (nVal < 1 || nVal >= all.size()) {
            throw AppException.usage("--validation-split " + o.validationSplit() + " leaves no validation or no training "
                    + "sentences out of " + all.size());
        }
        List<Sentence> train = all.subList(0, all.size() - nVal), val = all.subList(all.size() - nVal, all.size());
        Path last = RunFolder.prepare(o.out(), o.resume()), best = o.out().resolve(RunFolder.BEST);
        Checkpoint resumed = o.resume() ? Checkpoint.read(last, TASK, "tag") : null;
        String fingerprint = fingerprint(all);
        if (resumed != null) {
            resumed.requireData(fingerprint, "other sentences than " + (o.train() == null ? "the embedded sample" : o.train().toString())
                    + "; resume with the same --train (the test file may change)");
        }
        TagConfig cfg = resumed != null ? TagConfig.fromMetadata(resumed.metadata(), last.toString()) : configFor(o, train);
        if (resumed != null && cfg.column() != o.column()) {
            throw AppException.usage(last + " predicts the " + cfg.column().name().toLowerCase(Locale.ROOT)
                    + " column; resume with the same --column");
        }
        TagBatches trainB = new TagBatches(train, cfg, o.batch()), valB = new TagBatches(val, cfg, o.batch()),
                testB = new TagBatches(test, cfg, o.batch());
        int maxSteps = Math.max(trainB.maxSteps(), Math.max(valB.maxSteps(), testB.maxSteps()));
        try (TagModel model = new TagModel(cfg, maxSteps, o.batch());
             Optimizer opt = Optimizers.create(o.optimizer(), model.parameters(), o.lr(), o.momentum(), o.weightDecay())) {
            TrainingLoop.Position from = TrainingLoop.Position.START;
            if (resumed != null) {
                resumed.loadTraining(model.parameters(), opt);
                model.dropout().setCalls(Long.parseLong(resumed.meta("train.dropout_calls")));
                from = TagTask.position(resumed, opt.steps());
                io.progress().info(String.format(Locale.ROOT, "resuming %s after epoch %d", last, from.epochsDone()));
            }
            io.progress().info(String.format(Locale.ROOT, "tag %s: %s ×%d bidirectional, hidden %d; %,d train / %,d validation / %,d test "
                            + "sentences; %,d words, %d tags", cfg.column().name().toLowerCase(Locale.ROOT),
                    cfg.cell(), cfg.layers(), cfg.hidden(), train.size(), val.size(), test.size(), cfg.words().size(),
                    cfg.tags().size()));
            Map<String, String> meta = Checkpoint.runMetadata(cfg.toMetadata(), o.runOptions(), fingerprint);
            TagTask task = new TagTask(model, trainB, valB, val, meta, o.seed(), o.wordDropout());
            TrainingLoop.Settings settings = TrainingLoop.Settings.of(o.out(), TASK, o.epochs(), o.lr()).withSchedule(o.schedule())
                    .withClipping(o.clipNorm(), o.clipValue()).withPatience(o.patience()).withTimeLimit(o.timeLimitMinutes())
                    .withUnit("batches").withPlot("Tagger", PLOT);
            TrainingLoop.Outcome r = new TrainingLoop(settings, task, opt, model.parameters(), model.parameters(), io).run(from);
            Path metricsFile = o.out().resolve(RunFolder.METRICS);
            // test once, with the best checkpoint
            Checkpoint.read(best, TASK, "tag").loadParameters(model.parameters());
            Scores testScores = evaluate(model, testB, test);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("split", "test");
            rec.put("checkpoint", best.toString());
            rec.put("test_loss", testScores.loss());
            rec.put("test_accuracy", testScores.accuracy());
            if (cfg.column() == ConllReader.Column.CHUNK) {
                rec.put("test_precision", testScores.precision());
                rec.put("test_recall", testScores.recall());
                rec.put("test_f1", testScores.f1());
            }
            rec.put("tokens_per_s", task.tokensPerSecond());
            try (MetricsLog metrics = MetricsLog.append(metricsFile)) {
                metrics.write(rec);
            }
            io.progress().result(String.format(Locale.ROOT, "test (%s, best epoch by validation): token accuracy %.2f %%",
                    cfg.column().name().toLowerCase(Locale.ROOT), 100 * testScores.accuracy()));
            if (cfg.column() == ConllReader.Column.CHUNK) io.out().println(testScores.conlleval());
            io.progress().result(String.format(Locale.ROOT, "training: %,.0f tokens/s%ncheckpoints: %s, %s%nmetrics: %s",
                    task.tokensPerSecond(), last, best, metricsFile));
            return new Result(task.lastScores(), testScores, task.tokensPerSecond(), best);
        }
    }

    /** Loss, token accuracy and (for chunks) conlleval scores over {@code sentences}. */
    public static Scores evaluate(TagModel model, TagBatches batches, List<Sentence> sentences) {
        TagConfig cfg = model.config();
        TokenAccuracy acc = new TokenAccuracy();
        ChunkScore chunks = new ChunkScore();
        double lossSum = 0;
        long lossTokens = 0;
        for (TagBatches.Batch b : batches.batches()) {
            float loss = model.step(b, b.words(), false);
            int valid = 0;
            for (int t : b.targets()) if (t >= 0) valid++;
            lossSum += (double) loss * valid;
            lossTokens += valid;
            for (int j = 0; j < b.size(); j++) {
                Sentence s = sentences.get(b.sentence()[j]);
                List<String> guess = new ArrayList<>(s.length());
                for (int t = 0; t < s.length(); t++) {
                    int p = model.predict(b, t, j);
                    guess.add(cfg.tags().get(p));
                    acc.add(cfg.tagId(s.tags().get(t)) >= 0 ? cfg.tagId(s.tags().get(t)) : -1, p);
                }
                if (cfg.column() == ConllReader.Column.CHUNK) chunks.add(s.tags(), guess);
            }
        }
        return new Scores(lossTokens == 0 ? 0 : lossSum / lossTokens, acc.value(), chunks.precision(), chunks.recall(),
                chunks.f1(), chunks.summary());
    }

}
