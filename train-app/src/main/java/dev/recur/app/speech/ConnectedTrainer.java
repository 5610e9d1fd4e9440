package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.EarlyStopping;
import dev.recur.app.run.Fingerprint;
import dev.recur.app.run.Json;
import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.Plots;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.progress.Bar;
import dev.recur.app.run.progress.Field;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.model.AcousticConfig;
import dev.recur.layers.model.CtcAcousticModel;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.rnn.CellType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains and tests the connected-digit recogniser ({@code speech --task connected}): FSDD (or the
 * generated sounds) → the official split or one speaker held out → a validation part of the
 * training recordings (seeded) → every epoch {@code utterances} fresh training strings of 1–7
 * digits ({@link ConnectedDigits}) → stacked MFCC frames → a bidirectional CTC acoustic model;
 * the validation strings' digit error rate picks the best epoch; the test strings (drawn once
 * from the test recordings with a fixed seed, so every run scores the same strings) are scored
 * once with the best checkpoint. Writes {@code last.safetensors}, {@code best.safetensors},
 * {@code metrics.jsonl} and {@code curve.png} under {@code --out}; {@code --resume} continues.
 */
public final class ConnectedTrainer {
    /** Seed of the test strings (fixed: every run and every --seed scores the same strings). */
    public static final long TEST_SEED = 2026;
    /** Frames stacked into one model frame. */
    public static final int STACK = 3;

    /** The connected-digit settings beyond {@link SpeechTrainer.Options}. */
    public record Extra(int utterances, int testUtterances, float noise, int beam) {}

    /** What a run ended with. */
    public record Result(ConnectedDigitsTask.Score validation, ConnectedDigitsTask.Score test, double trainSeconds, Path best) {}

    private final Io io;

    public ConnectedTrainer(Io io) { this.io = io; }

    /** The recordings of {@code --data}, or the generated sounds (6 speakers × 10 digits × 10 takes). */
    static ConnectedDigits recordings(Path data, long seed) {
        if (data != null) return ConnectedDigits.load(data);
        SplittableRandom r = new SplittableRandom(seed);
        List<ConnectedDigits.Recording> out = new ArrayList<>();
        for (int s = 0; s < SyntheticDigits.SPEAKERS; s++) {
            double shift = 0.95 + 0.1 * s / (SyntheticDigits.SPEAKERS - 1);
            for (int d = 0; d < 10; d++) {
                for (int take = 0; take < SyntheticDigits.TAKES; take++) {
                    out.add(new ConnectedDigits.Recording(d, "synth" + s, take, SyntheticDigits.signal(d, shift, r)));
                }
            }
        }
        return ConnectedDigits.of(out);
    }

    /** Training and test recordings of a split, and its description. */
    record Split(List<ConnectedDigits.Recording> train, List<ConnectedDigits.Recording> test, String description) {}

    static Split split(ConnectedDigits all, String testSpeaker) {
        if (testSpeaker == null) {
            return new Split(all.officialSplit(false), all.officialSplit(true), "official split (test takes 0-4)");
        }
        return new Split(all.speakerSplit(testSpeaker, false), all.speakerSplit(testSpeaker, true), "speaker " + testSpeaker + " held out");
    }

    /** The test strings of a split (fixed seed). */
    static List<ConnectedDigitsTask.Example> testSet(StackedFeatures f, Split s, Extra x) {
        return ConnectedDigitsTask.examples(f, s.test(), TEST_SEED, x.testUtterances(), x.noise());
    }

    public Result run(SpeechTrainer.Options o, Extra x) {
        Path last = RunFolder.prepare(o.out(), o.resume()), best = o.out().resolve(RunFolder.BEST);
        Checkpoint resumed = o.resume() ? Checkpoint.read(last, SpeechConfig.TASK, "speech") : null;
        FeatureConfig fc = FeatureConfig.defaults(FeatureConfig.Kind.MFCC);
        ConnectedConfig cfg = resumed != null ? ConnectedConfig.fromMetadata(resumed.metadata(), last.toString())
                : new ConnectedConfig(fc, STACK, new AcousticConfig(fc.width() * STACK, o.cell(), o.hidden(), o.layers(), o.bidirectional(),
                    0f, o.layers() > 1 ? (float) o.dropout() : 0f, (float) o.dropout(), ConnectedConfig.OUTPUTS,
                    o.cell() == CellType.GRU ? "gru" : "lstm"));
        StackedFeatures features = cfg.frames();
        long t0 = System.nanoTime();
        ConnectedDigits all = recordings(o.data(), o.seed());
        Split split = split(all, o.testSpeaker());
        List<ConnectedDigits.Recording> pool = new ArrayList<>(split.train());
        Collections.shuffle(pool, new java.util.Random(o.seed()));
        int nVal = (int) Math.round(pool.size() * o.validationSplit());
        if (nVal < 1 || nVal >= pool.size()) {
            throw AppException.usage("--validation-split " + o.validationSplit() + " leaves no validation or no training recordings out of "
                    + pool.size());
        }
        List<ConnectedDigits.Recording> valPool = pool.subList(0, nVal), trainPool = pool.subList(nVal, pool.size());
        List<ConnectedDigitsTask.Example> val = ConnectedDigitsTask.examples(features, valPool, o.seed() + 17, Math.max(20, x.testUtterances() / 2), x.noise());
        List<ConnectedDigitsTask.Example> test = testSet(features, split, x);
        String fingerprint = fingerprint(split.train(), x);
        if (resumed != null && !fingerprint.equals(resumed.metadata().get(Checkpoint.K_DATA))) {
            throw AppException.usage(last + " was trained on other recordings or strings; resume with the same --data, --test-speaker,"
                    + " --utterances and --noise");
        }
        int maxFrames = ConnectedDigitsTask.maxFrames(features, List.of(split.train(), split.test()));
        io.progress().info(String.format(Locale.ROOT, "speech (connected digits, CTC): %s; %,d train / %,d validation recordings, %,d fresh"
                        + " training strings per epoch, %,d validation and %,d test strings (%s, %.1f s); %s×%d %s, hidden %d, MFCC × %d stacked",
                split.description(), trainPool.size(), valPool.size(), x.utterances(), val.size(), test.size(),
                o.data() == null ? "generated sounds" : o.data().toString(), (System.nanoTime() - t0) / 1e9,
                cfg.model().bidirectional() ? "bi" : "uni", cfg.model().layers(), cfg.model().cell().name().toLowerCase(Locale.ROOT),
                cfg.model().hidden(), STACK));
        try (CtcAcousticModel model = new CtcAcousticModel(cfg.model(), o.seed(), maxFrames, o.batch(), ConnectedDigits.MAX_DIGITS);
             Optimizer opt = Optimizers.create(o.optimizer(), model.parameters(), o.lr())) {
            ConnectedDigitsTask task = new ConnectedDigitsTask(model, features, trainPool, x.utterances(), x.noise(), o.seed(), o.batch());
            int startEpoch = 0, bestEpoch = 0;
            double bestScore = Double.POSITIVE_INFINITY, bestLoss = Double.POSITIVE_INFINITY, trainSeconds = 0;
            if (resumed != null) {
                resumed.loadParameters(model.parameters());
                resumed.loadOptimizer(opt);
                model.restoreRngState(resumed.rngState());
                startEpoch = Integer.parseInt(resumed.meta("train.epoch"));
                bestScore = Double.parseDouble(resumed.meta("train.best_score"));
                bestEpoch = Integer.parseInt(resumed.meta("train.best_epoch"));
                bestLoss = Double.parseDouble(resumed.meta("train.best_loss"));
                trainSeconds = Double.parseDouble(resumed.meta("train.seconds"));
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
                            ((Number) r.get("val_loss")).doubleValue(), ((Number) r.get("val_der")).doubleValue()});
                    }
                }
            }
            MetricsLog.rewrite(metricsFile, kept);
            long perEpoch = (x.utterances() + o.batch() - 1) / o.batch();
            long totalSteps = o.epochs() * perEpoch;
            long deadline = o.timeLimitMinutes() > 0 ? System.nanoTime() + (long) (o.timeLimitMinutes() * 60e9) : Long.MAX_VALUE;
            ConnectedDigitsTask.Score valScore = null;
            try (MetricsLog metrics = MetricsLog.append(metricsFile)) {
                for (int epoch = startEpoch; epoch < o.epochs(); epoch++) {
                    int n = task.startEpoch(epoch);
                    double lossSum = 0, epochSeconds = 0;
                    int seen = 0;
                    long frames = 0;
                    float norm = 0;
                    try (Bar bar = io.progress().start("epoch " + (epoch + 1) + "/" + o.epochs(), n, "batches")) {
                        for (int i = 0; i < n; i++) {
                            long s0 = System.nanoTime();
                            opt.setLearningRate(SpeechTrainer.learningRate(o, opt.steps(), totalSteps));
                            float[] r = task.step(i, opt, o.clipNorm());
                            epochSeconds += (System.nanoTime() - s0) / 1e9;
                            norm = r[1];
                            lossSum += (double) r[0] * task.batchUtterances(i);
                            seen += task.batchUtterances(i);
                            frames += task.batchFrames(i);
                            bar.update(i + 1, Field.metric("loss %.4f", lossSum / seen),
                                    Field.detail("%,.1f utterances/s", seen / epochSeconds), Field.detail("‖g‖ %.2f", norm));
                        }
                    }
                    trainSeconds += epochSeconds;
                    valScore = task.evaluate(val, x.beam());
                    boolean improved = valScore.digitErrorRate() < bestScore
                            || (valScore.digitErrorRate() == bestScore && valScore.loss() < bestLoss);
                    if (improved) {
                        bestScore = valScore.digitErrorRate();
                        bestLoss = valScore.loss();
                        bestEpoch = epoch + 1;
                    }
                    Map<String, Object> rec = new LinkedHashMap<>();
                    rec.put("epoch", epoch + 1);
                    rec.put("step", opt.steps());
                    rec.put("lr", opt.learningRate());
                    rec.put("train_loss", lossSum / seen);
                    rec.put("val_loss", valScore.loss());
                    rec.put("val_der", valScore.digitErrorRate());
                    rec.put("val_string_accuracy", valScore.stringAccuracy());
                    rec.put("grad_norm", norm);
                    rec.put("utterances_per_s", seen / epochSeconds);
                    rec.put("frames_per_s", frames / epochSeconds);
                    rec.put("train_seconds", trainSeconds);
                    metrics.write(rec);
                    curve.add(new double[] {epoch + 1, lossSum / seen, valScore.loss(), valScore.digitErrorRate()});
                    Map<String, String> meta = new LinkedHashMap<>(cfg.toMetadata());
                    meta.put(Checkpoint.K_OPTIONS, Json.write(o.runOptions()));
                    meta.put(Checkpoint.K_DATA, fingerprint);
                    meta.put("train.epoch", Integer.toString(epoch + 1));
                    meta.put("train.best_score", Double.toString(bestScore));
                    meta.put("train.best_epoch", Integer.toString(bestEpoch));
                    meta.put("train.best_loss", Double.toString(bestLoss));
                    meta.put("train.seconds", Double.toString(trainSeconds));
                    meta.putAll(model.rngState());
                    Checkpoint.write(last, SpeechConfig.TASK, meta, model.parameters(), opt, Map.of());
                    if (improved) Checkpoint.write(best, SpeechConfig.TASK, meta, model.parameters(), null, Map.of());
                    io.progress().info(String.format(Locale.ROOT, "epoch %d: train loss %.4f, validation loss %.4f, digit error rate %.2f %%, "
                                    + "strings %.1f %%%s, %,.1f utterances/s, %.1f min training so far", epoch + 1, lossSum / seen, valScore.loss(),
                            100 * valScore.digitErrorRate(), 100 * valScore.stringAccuracy(), improved ? " (best)" : "", seen / epochSeconds,
                            trainSeconds / 60));
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
                ConnectedDigitsTask.Score ts = task.evaluate(test, x.beam());
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("split", "test");
                rec.put("test_set", split.description());
                rec.put("checkpoint", best.toString());
                rec.put("test_loss", ts.loss());
                rec.put("test_der", ts.digitErrorRate());
                rec.put("test_string_accuracy", ts.stringAccuracy());
                rec.put("test_digits", ts.referenceDigits());
                rec.put("train_seconds", trainSeconds);
                metrics.write(rec);
                if (!curve.isEmpty()) writeCurve(o.out().resolve("curve.png"), curve);
                io.progress().result(String.format(Locale.ROOT, "test (%s, %d strings, %d digits, best epoch %d by validation): digit error rate"
                                + " %.2f %%, strings right %.1f %%", split.description(), ts.utterances(), ts.referenceDigits(), bestEpoch,
                        100 * ts.digitErrorRate(), 100 * ts.stringAccuracy()));
                io.progress().result(String.format(Locale.ROOT, "training: %.1f s%ncheckpoints: %s, %s%nmetrics: %s", trainSeconds, last, best,
                        metricsFile));
                io.out().flush();
                return new Result(valScore, ts, trainSeconds, best);
            }
        }
    }

    static String fingerprint(List<ConnectedDigits.Recording> rs, Extra x) {
        Fingerprint f = new Fingerprint().add(rs.size()).add(x.utterances()).add(Float.toString(x.noise()));
        for (ConnectedDigits.Recording r : rs) f.add(r.digit()).add(r.speaker()).add(r.take()).add(r.samples().length);
        return f.hex();
    }

    static void writeCurve(Path png, List<double[]> curve) {
        int n = curve.size();
        double[] ep = new double[n], tr = new double[n], va = new double[n], der = new double[n];
        for (int i = 0; i < n; i++) {
            ep[i] = curve.get(i)[0];
            tr[i] = curve.get(i)[1];
            va[i] = curve.get(i)[2];
            der[i] = 100 * curve.get(i)[3];
        }
        Plots.saveSideBySide(png,
                Plots.chart("Connected digits: CTC loss", "epoch", "loss (nats/digit)", false,
                        List.of(new Plots.Line("train", ep, tr), new Plots.Line("validation", ep, va))),
                Plots.chart("Connected digits: validation digit error rate", "epoch", "digit error rate (%)", false,
                        List.of(new Plots.Line("validation", ep, der))));
    }
}
