package dev.recur.app.tag;

import dev.recur.app.core.AppException;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.core.Io;
import dev.recur.app.run.Plots;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.EarlyStopping;
import dev.recur.app.run.Fingerprint;
import dev.recur.app.run.Json;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.progress.Bar;
import dev.recur.app.run.progress.Field;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.UpdateGuard;
import dev.recur.app.run.MetricsLog;
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
                          Map<String, String> runOptions, int patience) {
        public Options {
            runOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runOptions));
        }
    }

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
        if (resumed != null && !fingerprint.equals(resumed.metadata().get(Checkpoint.K_DATA))) {
            throw AppException.usage(last + " was trained on other sentences than " + (o.train() == null ? "the embedded sample"
                    : o.train().toString()) + "; resume with the same --train (the test file may change)");
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
             Optimizer opt = Optimizers.create(o.optimizer(), model.parameters(), o.lr())) {
            int startEpoch = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            int bestEpoch = 0;
            if (resumed != null) {
                resumed.loadParameters(model.parameters());
                resumed.loadOptimizer(opt);
                startEpoch = Integer.parseInt(resumed.meta("train.epoch"));
                bestScore = Double.parseDouble(resumed.meta("train.best_score"));
                bestEpoch = Integer.parseInt(resumed.metadata().getOrDefault("train.best_epoch",
                        resumed.meta("train.epoch"))); // absent before early stopping existed
                model.dropout().setCalls(Long.parseLong(resumed.meta("train.dropout_calls")));
                io.progress().info(String.format(Locale.ROOT, "resuming %s after epoch %d", last, startEpoch));
            }
            Path metricsFile = o.out().resolve(RunFolder.METRICS);
            List<double[]> curve = new ArrayList<>();
            List<Map<String, Object>> kept = new ArrayList<>();
            if (resumed != null) { // the lines up to the checkpoint (a killed run may have written one more)
                for (Map<String, Object> r : MetricsLog.read(metricsFile)) {
                    if (r.get("step") instanceof Number n && n.longValue() <= opt.steps() && r.containsKey("epoch")) {
                        kept.add(r);
                        curve.add(new double[] {((Number) r.get("epoch")).doubleValue(),
                            ((Number) r.get("train_loss")).doubleValue(), ((Number) r.get("val_loss")).doubleValue()});
                    }
                }
            }
            MetricsLog.rewrite(metricsFile, kept);
            io.progress().info(String.format(Locale.ROOT, "tag %s: %s ×%d bidirectional, hidden %d; %,d train / %,d validation / %,d test "
                            + "sentences; %,d words, %d tags", cfg.column().name().toLowerCase(Locale.ROOT),
                    cfg.cell(), cfg.layers(), cfg.hidden(), train.size(), val.size(), test.size(), cfg.words().size(),
                    cfg.tags().size()));
            long deadline = o.timeLimitMinutes() > 0 ? System.nanoTime() + (long) (o.timeLimitMinutes() * 60e9) : Long.MAX_VALUE;
            double trainSeconds = 0;
            long trainTokens = 0;
            Scores valScores = null;
            try (MetricsLog metrics = MetricsLog.append(metricsFile)) {
                for (int epoch = startEpoch; epoch < o.epochs(); epoch++) {
                    int[] order = trainB.order(o.seed(), epoch);
                    SplittableRandom drop = new SplittableRandom(o.seed() * 1_000_003L + epoch);
                    double lossSum = 0;
                    long lossTokens = 0;
                    float norm = 0;
                    try (Bar bar = io.progress().start("epoch " + (epoch + 1) + "/" + o.epochs(), order.length, "batches")) {
                        for (int i = 0; i < order.length; i++) {
                            TagBatches.Batch b = trainB.batches().get(order[i]);
                            long s0 = System.nanoTime();
                            int[] words = b.words().clone();
                            if (o.wordDropout() > 0) {
                                for (int k = 0; k < words.length; k++) {
                                    if (words[k] != Lexicon.PAD && drop.nextDouble() < o.wordDropout()) words[k] = Lexicon.UNK;
                                }
                            }
                            model.zeroGrad();
                            float loss = model.step(b, words, true);
                            norm = UpdateGuard.check(model.parameters(), loss, opt.steps() + 1, o.clipNorm());
                            opt.step();
                            long tok = 0;
                            for (int len : b.lengths()) tok += len;
                            trainSeconds += (System.nanoTime() - s0) / 1e9;
                            trainTokens += tok;
                            lossSum += (double) loss * tok;
                            lossTokens += tok;
                            bar.update(i + 1, Field.metric("loss %.4f", lossSum / lossTokens),
                                    Field.detail("%,.0f tokens/s", trainTokens / trainSeconds), Field.detail("‖g‖ %.2f", norm));
                        }
                    }
                    valScores = evaluate(model, valB, val);
                    double score = cfg.column() == ConllReader.Column.CHUNK ? valScores.f1() : valScores.accuracy();
                    boolean improved = score > bestScore;
                    if (improved) {
                        bestScore = score;
                        bestEpoch = epoch + 1;
                    }
                    Map<String, Object> rec = new LinkedHashMap<>();
                    rec.put("epoch", epoch + 1);
                    rec.put("step", opt.steps());
                    rec.put("train_loss", lossSum / lossTokens);
                    rec.put("val_loss", valScores.loss());
                    rec.put("val_accuracy", valScores.accuracy());
                    if (cfg.column() == ConllReader.Column.CHUNK) {
                        rec.put("val_precision", valScores.precision());
                        rec.put("val_recall", valScores.recall());
                        rec.put("val_f1", valScores.f1());
                    }
                    rec.put("grad_norm", norm);
                    rec.put("tokens_per_s", trainTokens / trainSeconds);
                    metrics.write(rec);
                    curve.add(new double[] {epoch + 1, lossSum / lossTokens, valScores.loss()});
                    Map<String, String> meta = new LinkedHashMap<>(cfg.toMetadata());
                    meta.put(Checkpoint.K_OPTIONS, Json.write(o.runOptions()));
                    meta.put(Checkpoint.K_DATA, fingerprint);
                    meta.put("train.epoch", Integer.toString(epoch + 1));
                    meta.put("train.best_score", Double.toString(bestScore));
                    meta.put("train.best_epoch", Integer.toString(bestEpoch));
                    meta.put("train.dropout_calls", Long.toString(model.dropout().calls()));
                    Checkpoint.write(last, TASK, meta, model.parameters(), opt, Map.of());
                    if (improved) Checkpoint.write(best, TASK, meta, model.parameters(), null, Map.of());
                    io.progress().info(String.format(Locale.ROOT, "epoch %d: train loss %.4f, validation loss %.4f, accuracy %.2f %%%s%s, %,.0f tokens/s",
                            epoch + 1, lossSum / lossTokens, valScores.loss(), 100 * valScores.accuracy(),
                            cfg.column() == ConllReader.Column.CHUNK ? String.format(Locale.ROOT, ", F1 %.2f", 100 * valScores.f1()) : "",
                            improved ? " (best)" : "", trainTokens / trainSeconds));
                    if (EarlyStopping.exhausted(o.patience(), epoch + 1, bestEpoch)) {
                        io.progress().info(EarlyStopping.message(o.patience(), "epoch", bestEpoch));
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        io.progress().info(String.format(Locale.ROOT, "time limit of %.1f minutes reached; stopping", o.timeLimitMinutes()));
                        break;
                    }
                }
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
                rec.put("tokens_per_s", trainSeconds > 0 ? trainTokens / trainSeconds : 0);
                metrics.write(rec);
                if (!curve.isEmpty()) writeCurve(o.out().resolve("curve.png"), curve);
                io.progress().result(String.format(Locale.ROOT, "test (%s, best epoch by validation): token accuracy %.2f %%",
                        cfg.column().name().toLowerCase(Locale.ROOT), 100 * testScores.accuracy()));
                if (cfg.column() == ConllReader.Column.CHUNK) io.out().println(testScores.conlleval());
                io.progress().result(String.format(Locale.ROOT, "training: %,.0f tokens/s%ncheckpoints: %s, %s%nmetrics: %s",
                        trainSeconds > 0 ? trainTokens / trainSeconds : 0, last, best, metricsFile));
                return new Result(valScores, testScores, trainSeconds > 0 ? trainTokens / trainSeconds : 0, best);
            }
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

    static void writeCurve(Path png, List<double[]> curve) {
        int n = curve.size();
        double[] x = new double[n], tr = new double[n], va = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = curve.get(i)[0];
            tr[i] = curve.get(i)[1];
            va[i] = curve.get(i)[2];
        }
        Plots.save(png, Plots.chart("Tagger", "epoch", "loss (nats/token)", false, List.of(
                new Plots.Line("train", x, tr), new Plots.Line("validation", x, va))));
    }
}
