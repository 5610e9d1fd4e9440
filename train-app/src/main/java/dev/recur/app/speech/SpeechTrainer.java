package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.EarlyStopping;
import dev.recur.app.run.Fingerprint;
import dev.recur.app.run.Json;
import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.Plots;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.progress.Bar;
import dev.recur.app.run.progress.Field;
import dev.recur.layers.Pooling;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.rnn.CellType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains and tests the isolated-digit recogniser: FSDD (or the generated set) → features → the
 * official split or one speaker held out → a validation part carved from training (seeded) picks
 * the best epoch → the test set is scored once with the best checkpoint. Writes
 * {@code last.safetensors} every epoch, {@code best.safetensors}, {@code metrics.jsonl} and
 * {@code curve.png} under {@code --out}; {@code --resume} continues from {@code last}.
 */
public final class SpeechTrainer {
    /** Everything {@code speech} is told. */
    public record Options(Path data, String testSpeaker, SpeechConfig.Task task, FeatureConfig.Kind features, CellType cell,
                          int layers, int hidden, boolean bidirectional, Pooling pool, double dropout, int batch, int epochs,
                          int masks, double lr, LrScheduleKind lrSchedule, OptimizerKind optimizer, double clipNorm, double validationSplit,
                          int patience, double timeLimitMinutes, long seed, Path out, boolean resume, Map<String, String> runOptions) {
        public Options {
            runOptions = Collections.unmodifiableMap(new LinkedHashMap<>(runOptions));
        }
    }

    /** What a run ended with. */
    public record Result(DigitScores validation, DigitScores test, double framesPerSecond, Path best) { }

    private final Io io;

    public SpeechTrainer(Io io) { this.io = io; }

    /** The utterances of {@code --data} (or the generated set) and the split. */
    static DigitData.Split split(Path data, String testSpeaker, FeatureConfig features, long seed) {
        List<Utterance> all = data == null ? SyntheticDigits.generate(features, seed) : DigitData.load(data, features);
        return testSpeaker == null ? DigitData.official(all) : DigitData.heldOut(all, testSpeaker);
    }

    static String fingerprint(List<Utterance> us) {
        Fingerprint f = new Fingerprint().add(us.size());
        for (Utterance u : us) f.add(u.name()).add(u.digit()).add(u.frames());
        return f.hex();
    }

    public Result run(Options o) {
        Path last = RunFolder.prepare(o.out(), o.resume()), best = o.out().resolve(RunFolder.BEST);
        Checkpoint resumed = o.resume() ? Checkpoint.read(last, SpeechConfig.TASK, "speech") : null;
        SpeechConfig cfg = resumed != null ? SpeechConfig.fromMetadata(resumed.metadata(), last.toString())
                : new SpeechConfig(o.task(), FeatureConfig.defaults(o.features()),
                    new ModelConfig(o.cell(), ModelConfig.FRAME_INPUT, FeatureConfig.defaults(o.features()).width(), o.hidden(), o.layers(),
                        o.bidirectional(), o.pool(), (float) o.dropout(), 0f, 10, -1, false, false));
        long t0 = System.nanoTime();
        DigitData.Split split = split(o.data(), o.testSpeaker(), cfg.features(), o.seed());
        List<Utterance> pool = new ArrayList<>(split.train());
        Collections.shuffle(pool, new java.util.Random(o.seed()));
        int nVal = (int) Math.round(pool.size() * o.validationSplit());
        if (nVal < 1 || nVal >= pool.size()) {
            throw AppException.usage("--validation-split " + o.validationSplit() + " leaves no validation or no training recordings out of "
                    + pool.size());
        }
        List<Utterance> val = pool.subList(0, nVal), train = pool.subList(nVal, pool.size());
        String fingerprint = fingerprint(split.train());
        if (resumed != null && !fingerprint.equals(resumed.metadata().get(Checkpoint.K_DATA))) {
            throw AppException.usage(last + " was trained on other recordings; resume with the same --data and --test-speaker");
        }
        FrameBatches trainB = new FrameBatches(train, o.batch()), valB = new FrameBatches(val, o.batch()),
                testB = new FrameBatches(split.test(), o.batch());
        int maxFrames = Math.max(trainB.maxFrames(), Math.max(valB.maxFrames(), testB.maxFrames()));
        io.progress().info(String.format(Locale.ROOT, "speech (%s digits): %s; %,d train / %,d validation / %,d test recordings "
                        + "(%s, features in %.1f s); %s %s×%d, hidden %d, %s pooling", cfg.task().id(), split.description(),
                train.size(), val.size(), split.test().size(), o.data() == null ? "generated set" : o.data().toString(),
                (System.nanoTime() - t0) / 1e9, cfg.features().kind().id(), ModelConfig.cellId(cfg.model().cell()),
                cfg.model().layers(), cfg.model().hidden(), cfg.model().pool().id()));
        try (SequenceClassifier model = new SequenceClassifier(cfg.model(), o.seed(), maxFrames, o.batch());
             Optimizer opt = Optimizers.create(o.optimizer(), model.parameters(), o.lr())) {
            IsolatedDigits task = new IsolatedDigits(model, maxFrames, o.batch(), cfg.features().width());
            int startEpoch = 0, bestEpoch = 0;
            double bestScore = Double.NEGATIVE_INFINITY, bestLoss = Double.POSITIVE_INFINITY;
            if (resumed != null) {
                resumed.loadParameters(model.parameters());
                resumed.loadOptimizer(opt);
                model.restoreRngState(resumed.rngState());
                startEpoch = Integer.parseInt(resumed.meta("train.epoch"));
                bestScore = Double.parseDouble(resumed.meta("train.best_score"));
                bestEpoch = Integer.parseInt(resumed.meta("train.best_epoch"));
                bestLoss = Double.parseDouble(resumed.meta("train.best_loss"));
                io.progress().info(String.format(Locale.ROOT, "resuming %s after epoch %d", last, startEpoch));
            }
            Path metricsFile = o.out().resolve(RunFolder.METRICS);
            List<double[]> curve = new ArrayList<>();
            List<Map<String, Object>> kept = new ArrayList<>();
            if (resumed != null) {
                for (Map<String, Object> r : MetricsLog.read(metricsFile)) {
                    if (r.get("epoch") instanceof Number e && e.intValue() <= Integer.parseInt(resumed.meta("train.epoch"))) {
                        kept.add(r);
                        curve.add(new double[] {e.doubleValue(), ((Number) r.get("train_loss")).doubleValue(),
                            ((Number) r.get("val_loss")).doubleValue(), ((Number) r.get("val_accuracy")).doubleValue()});
                    }
                }
            }
            MetricsLog.rewrite(metricsFile, kept);
            long totalSteps = (long) o.epochs() * trainB.trainingPlan(o.seed(), 0).size();
            long deadline = o.timeLimitMinutes() > 0 ? System.nanoTime() + (long) (o.timeLimitMinutes() * 60e9) : Long.MAX_VALUE;
            double trainSeconds = 0;
            long trainFrames = 0;
            DigitScores valScores = null;
            try (MetricsLog metrics = MetricsLog.append(metricsFile)) {
                for (int epoch = startEpoch; epoch < o.epochs(); epoch++) {
                    List<int[]> plan = trainB.trainingPlan(o.seed(), epoch);
                    java.util.SplittableRandom maskRng = new java.util.SplittableRandom(o.seed() * 1_000_003L + epoch);
                    double lossSum = 0;
                    int seen = 0;
                    float norm = 0;
                    try (Bar bar = io.progress().start("epoch " + (epoch + 1) + "/" + o.epochs(), plan.size(), "batches")) {
                        for (int i = 0; i < plan.size(); i++) {
                            int[] members = plan.get(i);
                            long s0 = System.nanoTime();
                            opt.setLearningRate(learningRate(o, opt.steps(), totalSteps));
                            float[] r = task.step(trainB, members, o.masks(), maskRng, opt, o.clipNorm());
                            norm = r[1];
                            trainSeconds += (System.nanoTime() - s0) / 1e9;
                            for (int m : members) trainFrames += train.get(m).frames();
                            lossSum += (double) r[0] * members.length;
                            seen += members.length;
                            bar.update(i + 1, Field.metric("loss %.4f", lossSum / seen),
                                    Field.detail("%,.0f frames/s", trainFrames / trainSeconds), Field.detail("‖g‖ %.2f", norm));
                        }
                    }
                    valScores = task.evaluate(valB);
                    // better accuracy, or the same with a lower loss
                    boolean improved = valScores.accuracy() > bestScore
                            || (valScores.accuracy() == bestScore && valScores.loss() < bestLoss);
                    if (improved) {
                        bestScore = valScores.accuracy();
                        bestLoss = valScores.loss();
                        bestEpoch = epoch + 1;
                    }
                    Map<String, Object> rec = new LinkedHashMap<>();
                    rec.put("epoch", epoch + 1);
                    rec.put("step", opt.steps());
                    rec.put("lr", opt.learningRate());
                    rec.put("train_loss", lossSum / seen);
                    rec.put("val_loss", valScores.loss());
                    rec.put("val_accuracy", valScores.accuracy());
                    rec.put("grad_norm", norm);
                    rec.put("frames_per_s", trainFrames / trainSeconds);
                    rec.put("train_seconds", trainSeconds);
                    metrics.write(rec);
                    curve.add(new double[] {epoch + 1, lossSum / seen, valScores.loss(), valScores.accuracy()});
                    Map<String, String> meta = new LinkedHashMap<>(cfg.toMetadata());
                    meta.put(Checkpoint.K_OPTIONS, Json.write(o.runOptions()));
                    meta.put(Checkpoint.K_DATA, fingerprint);
                    meta.put("train.epoch", Integer.toString(epoch + 1));
                    meta.put("train.best_score", Double.toString(bestScore));
                    meta.put("train.best_epoch", Integer.toString(bestEpoch));
                    meta.put("train.best_loss", Double.toString(bestLoss));
                    meta.putAll(model.rngState());
                    Checkpoint.write(last, SpeechConfig.TASK, meta, model.parameters(), opt, Map.of());
                    if (improved) Checkpoint.write(best, SpeechConfig.TASK, meta, model.parameters(), null, Map.of());
                    io.progress().info(String.format(Locale.ROOT, "epoch %d: train loss %.4f, validation loss %.4f, accuracy %.2f %%%s, %,.0f frames/s",
                            epoch + 1, lossSum / seen, valScores.loss(), 100 * valScores.accuracy(), improved ? " (best)" : "",
                            trainFrames / trainSeconds));
                    if (EarlyStopping.exhausted(o.patience(), epoch + 1, bestEpoch)) {
                        io.progress().info(EarlyStopping.message(o.patience(), "epoch", bestEpoch));
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        io.progress().info(String.format(Locale.ROOT, "time limit of %.1f minutes reached; stopping", o.timeLimitMinutes()));
                        break;
                    }
                }
                Checkpoint.read(best, SpeechConfig.TASK, "speech").loadParameters(model.parameters());
                DigitScores test = task.evaluate(testB);
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("split", "test");
                rec.put("test_set", split.description());
                rec.put("checkpoint", best.toString());
                rec.put("test_loss", test.loss());
                rec.put("test_accuracy", test.accuracy());
                rec.put("train_seconds", trainSeconds);
                metrics.write(rec);
                if (!curve.isEmpty()) writeCurve(o.out().resolve("curve.png"), curve);
                io.progress().result(String.format(Locale.ROOT, "test (%s, best epoch %d by validation): accuracy %.2f %% (%d of %d)",
                        split.description(), bestEpoch, 100 * test.accuracy(), test.correct(), test.total()));
                io.out().print(test.table());
                io.progress().result(String.format(Locale.ROOT, "training: %.1f s, %,.0f frames/s%ncheckpoints: %s, %s%nmetrics: %s",
                        trainSeconds, trainSeconds > 0 ? trainFrames / trainSeconds : 0, last, best, metricsFile));
                io.out().flush();
                return new Result(valScores, test, trainSeconds > 0 ? trainFrames / trainSeconds : 0, best);
            }
        }
    }

    /** {@code lr} (constant), {@code lr·½(1 + cos(π·done/total))} (cosine) or {@code lr·(1 − done/total)} (linear). */
    static double learningRate(Options o, long done, long total) {
        double f = total <= 0 ? 0 : Math.min(1.0, (double) done / total);
        return switch (o.lrSchedule()) {
            case constant -> o.lr();
            case cosine -> o.lr() * 0.5 * (1 + Math.cos(Math.PI * f));
            case linear -> o.lr() * (1 - f);
        };
    }

    static void writeCurve(Path png, List<double[]> curve) {
        int n = curve.size();
        double[] x = new double[n], tr = new double[n], va = new double[n], acc = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = curve.get(i)[0];
            tr[i] = curve.get(i)[1];
            va[i] = curve.get(i)[2];
            acc[i] = 100 * curve.get(i)[3];
        }
        Plots.saveSideBySide(png,
                Plots.chart("Spoken digits: loss", "epoch", "loss (nats/recording)", false,
                        List.of(new Plots.Line("train", x, tr), new Plots.Line("validation", x, va))),
                Plots.chart("Spoken digits: validation accuracy", "epoch", "accuracy (%)", false, List.of(new Plots.Line("validation", x, acc))));
    }

}
