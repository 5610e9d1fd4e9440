package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.Fingerprint;
import dev.recur.app.run.LrSchedule;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.RunFolder;
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
    /** The curve picture's file name in the run folder. */
    public static final String PLOT = "curve.png";

    /**
     * Everything {@code speech} is told; {@code momentum} and {@code weightDecay} null are the
     * optimizer's defaults ({@link Optimizers#create(OptimizerKind, List, double, Double, Double)}).
     */
    public record Options(Path data, String testSpeaker, SpeechConfig.Task task, FeatureConfig.Kind features, CellType cell,
                          int layers, int hidden, boolean bidirectional, Pooling pool, double dropout, int batch, int epochs,
                          int masks, double lr, LrSchedule schedule, OptimizerKind optimizer, Double momentum, Double weightDecay,
                          double clipNorm, double clipValue, double validationSplit, int patience, double timeLimitMinutes, long seed, Path out,
                          boolean resume, Map<String, String> runOptions) {
        public Options {
            runOptions = Collections.unmodifiableMap(new LinkedHashMap<>(runOptions));
        }
    }

    /** What a run ended with. */
    public record Result(DigitScores validation, DigitScores test, double framesPerSecond, double trainSeconds, Path best) { }

    private final Io io;

    public SpeechTrainer(Io io) { this.io = io; }

    /** The utterances of {@code --data} (or the generated set) and the split. */
    static DigitData.Split split(Path data, String testSpeaker, FeatureConfig features, long seed) {
        List<Utterance> all = data == null ? SyntheticDigits.generate(features, seed) : DigitData.load(data, features);
        if (testSpeaker != null) return DigitData.heldOut(all, testSpeaker);
        DigitData.Split s = DigitData.official(all);
        return data != null ? s : new DigitData.Split(s.train(), s.test(), SyntheticDigits.SPLIT);
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
        if (resumed != null) resumed.requireData(fingerprint, "other recordings; resume with the same --data and --test-speaker");
        FrameBatches trainB = new FrameBatches(train, o.batch()), valB = new FrameBatches(val, o.batch()),
                testB = new FrameBatches(split.test(), o.batch());
        int maxFrames = Math.max(trainB.maxFrames(), Math.max(valB.maxFrames(), testB.maxFrames()));
        io.progress().info(String.format(Locale.ROOT, "speech (%s digits): %s; %,d train / %,d validation / %,d test recordings "
                        + "(%s, features in %.1f s); %s %s×%d, hidden %d, %s pooling", cfg.task().id(), split.description(),
                train.size(), val.size(), split.test().size(), o.data() == null ? "generated set" : o.data().toString(),
                (System.nanoTime() - t0) / 1e9, cfg.features().kind().id(), ModelConfig.cellId(cfg.model().cell()),
                cfg.model().layers(), cfg.model().hidden(), cfg.model().pool().id()));
        try (SequenceClassifier model = new SequenceClassifier(cfg.model(), o.seed(), maxFrames, o.batch());
             Optimizer opt = Optimizers.create(o.optimizer(), model.parameters(), o.lr(), o.momentum(), o.weightDecay())) {
            IsolatedDigits digits = new IsolatedDigits(model, maxFrames, o.batch(), cfg.features().width());
            TrainingLoop.Position from = TrainingLoop.Position.START;
            if (resumed != null) {
                resumed.loadTraining(model.parameters(), opt);
                model.restoreRngState(resumed.rngState());
                from = SpeechTask.position(resumed, opt.steps());
                io.progress().info(String.format(Locale.ROOT, "resuming %s after epoch %d", last, from.epochsDone()));
            }
            Map<String, String> meta = Checkpoint.runMetadata(cfg.toMetadata(), o.runOptions(), fingerprint);
            SpeechTask task = new SpeechTask(digits, trainB, valB, meta, o.seed(), o.masks());
            TrainingLoop.Settings settings = TrainingLoop.Settings.of(o.out(), SpeechConfig.TASK, o.epochs(), o.lr())
                    .withSchedule(o.schedule()).withClipping(o.clipNorm(), o.clipValue()).withPatience(o.patience())
                    .withTimeLimit(o.timeLimitMinutes()).withUnit("batches").withPlot("Spoken digits", PLOT);
            new TrainingLoop(settings, task, opt, model.parameters(), model.parameters(), io).run(from);
            // test once, with the best checkpoint
            Checkpoint bestCk = Checkpoint.read(best, SpeechConfig.TASK, "speech");
            bestCk.loadParameters(model.parameters());
            DigitScores test = digits.evaluate(testB);
            DigitScores valScores = digits.evaluate(valB);
            Path metricsFile = o.out().resolve(RunFolder.METRICS);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("split", "test");
            rec.put("test_set", split.description());
            rec.put("checkpoint", best.toString());
            rec.put("test_loss", test.loss());
            rec.put("test_accuracy", test.accuracy());
            rec.put("frames_per_s", task.framesPerSecond());
            rec.put("train_seconds", task.trainSeconds());
            try (MetricsLog metrics = MetricsLog.append(metricsFile)) {
                metrics.write(rec);
            }
            io.progress().result(String.format(Locale.ROOT, "test (%s, best epoch %s by validation): accuracy %.2f %% (%d of %d)",
                    split.description(), bestCk.meta("train.epoch"), 100 * test.accuracy(), test.correct(), test.total()));
            io.out().print(test.table());
            io.progress().result(String.format(Locale.ROOT, "training: %.1f s, %,.0f frames/s%ncheckpoints: %s, %s%nmetrics: %s",
                    task.trainSeconds(), task.framesPerSecond(), last, best, metricsFile));
            io.out().flush();
            return new Result(valScores, test, task.framesPerSecond(), task.trainSeconds(), best);
        }
    }
}
