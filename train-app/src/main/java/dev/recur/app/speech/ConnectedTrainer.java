package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.Fingerprint;
import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.RunFolder;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.model.AcousticConfig;
import dev.recur.layers.model.CtcAcousticModel;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.RecurrentStack;
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
 * once with the best checkpoint. Trains through the shared {@link TrainingLoop} (checkpoints
 * {@code last}/{@code best}, {@code metrics.jsonl}, {@code curve.png} under {@code --out}, the
 * learning-rate schedule, clipping, patience, the time limit, {@code --resume} even inside an epoch).
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

    static Split split(ConnectedDigits all, String testSpeaker, boolean generated) {
        if (testSpeaker == null) {
            return new Split(all.officialSplit(false), all.officialSplit(true),
                    generated ? SyntheticDigits.SPLIT : "official split (test takes 0-4)");
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
                    RecurrentStack.defaultName(o.cell())));
        StackedFeatures features = cfg.frames();
        long t0 = System.nanoTime();
        ConnectedDigits all = recordings(o.data(), o.seed());
        Split split = split(all, o.testSpeaker(), o.data() == null);
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
        if (resumed != null) {
            resumed.requireData(fingerprint, "other recordings or strings; resume with the same --data, --test-speaker,"
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
             Optimizer opt = Optimizers.create(o.optimizer(), model.parameters(), o.lr(), o.momentum(), o.weightDecay())) {
            TrainingLoop.Position from = TrainingLoop.Position.START;
            if (resumed != null) {
                resumed.loadTraining(model.parameters(), opt);
                model.restoreRngState(resumed.rngState());
                from = ConnectedDigitsTask.position(resumed, opt.steps());
                io.progress().info(String.format(Locale.ROOT, "resuming %s after epoch %d, batch %d", last, from.epochsDone(), from.batch()));
            }
            Map<String, String> meta = Checkpoint.runMetadata(cfg.toMetadata(), o.runOptions(), fingerprint);
            ConnectedDigitsTask task = new ConnectedDigitsTask(model, features, trainPool, x.utterances(), x.noise(), o.seed(), o.batch(),
                    val, x.beam(), meta);
            TrainingLoop.Settings settings = TrainingLoop.Settings.of(o.out(), SpeechConfig.TASK, o.epochs(), o.lr())
                    .withSchedule(o.schedule()).withClipping(o.clipNorm(), o.clipValue()).withPatience(o.patience())
                    .withTimeLimit(o.timeLimitMinutes()).withUnit("batches").withPlot("Connected digits (CTC)", "curve.png");
            new TrainingLoop(settings, task, opt, model.parameters(), model.parameters(), io).run(from);
            Checkpoint.read(best, SpeechConfig.TASK, "speech").loadParameters(model.parameters());
            ConnectedDigitsTask.Score ts = task.evaluate(test, x.beam());
            Path metricsFile = o.out().resolve(RunFolder.METRICS);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("split", "test");
            rec.put("test_set", split.description());
            rec.put("checkpoint", best.toString());
            rec.put("test_loss", ts.loss());
            rec.put("test_der", ts.digitErrorRate());
            rec.put("test_string_accuracy", ts.stringAccuracy());
            rec.put("test_strings", ts.utterances());
            rec.put("test_digits", ts.referenceDigits());
            rec.put("utterances_per_s", task.utterancesPerSecond());
            rec.put("train_seconds", task.trainSeconds());
            try (MetricsLog metrics = MetricsLog.append(metricsFile)) {
                metrics.write(rec);
            }
            io.progress().result(String.format(Locale.ROOT, "test (%s, %d strings, %d digits, best checkpoint by validation): digit error rate"
                            + " %.2f %%, strings right %.1f %%", split.description(), ts.utterances(), ts.referenceDigits(),
                    100 * ts.digitErrorRate(), 100 * ts.stringAccuracy()));
            io.progress().result(String.format(Locale.ROOT, "training: %.1f s in this process, %,.1f utterances/s%ncheckpoints: %s, %s%nmetrics: %s",
                    task.trainSeconds(), task.utterancesPerSecond(), last, best, metricsFile));
            io.out().flush();
            return new Result(task.lastScore(), ts, task.trainSeconds(), best);
        }
    }

    static String fingerprint(List<ConnectedDigits.Recording> rs, Extra x) {
        Fingerprint f = new Fingerprint().add(rs.size()).add(x.utterances()).add(Float.toString(x.noise()));
        for (ConnectedDigits.Recording r : rs) f.add(r.digit()).add(r.speaker()).add(r.take()).add(r.samples().length);
        return f.hex();
    }

}
