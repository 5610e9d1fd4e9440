package dev.recur.app.cli;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Choices;
import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.ModelKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.Choices.PoolKind;
import dev.recur.app.run.Json;
import dev.recur.app.run.RunFolder;
import dev.recur.app.speech.ConnectedConfig;
import dev.recur.app.speech.ConnectedEvaluation;
import dev.recur.app.speech.ConnectedTrainer;
import dev.recur.app.speech.ConnectedTranscriber;
import dev.recur.app.speech.SpeechConfig;
import dev.recur.app.speech.SpeechEvaluation;
import dev.recur.app.speech.SpeechTrainer;
import dev.recur.app.speech.SpeakerFolds;
import dev.recur.app.speech.SpectrogramPlot;
import dev.recur.app.speech.Transcriber;
import dev.recur.layers.Pooling;
import dev.recur.layers.audio.FeatureConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code train-app speech}: spoken digits: train (the command itself), {@code eval} and {@code transcribe}. */
@Command(name = "speech", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Spoken-digit recognition. Trains on the Free Spoken Digit Dataset (--data ../shared/data/speech/fsdd) with the "
            + "official split (takes 0-4 are the test set), one speaker held out (--test-speaker) or each in turn "
            + "(--leave-one-speaker-out), then scores the test set once with the best epoch's checkpoint. --task isolated: one "
            + "digit per recording, a recurrent stack over log-mel or MFCC frames, pooled, softmax over the 10 digits. Without "
            + "--data it trains on a small generated set of formant-like sounds in well under a minute. --epochs defaults to 20 "
            + "(--task connected: 8; the generated set: 6). 'speech eval' scores a checkpoint; 'speech transcribe FILE.wav...' "
            + "prints what each file says (--json, --plot for the spectrogram).")
public final class SpeechCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "The FSDD folder (DIGIT_SPEAKER_TAKE.wav files, or a recordings/ folder of them). Default: the generated set.")
    Path data;

    @Option(names = "--test-speaker", paramLabel = "NAME", description = "Hold out this speaker's recordings as the test set (leave-one-speaker-out). Default: the official split.")
    String testSpeaker;

    @Option(names = "--task", paramLabel = "isolated|connected", description = "What is recognised: isolated (one digit per recording) or connected (strings of 1-7 digits made from the recordings with short gaps, a bidirectional model trained with CTC; MFCC frames, 3 stacked). Default: ${DEFAULT-VALUE}.")
    String task = "isolated";

    @Option(names = "--utterances", paramLabel = "N", description = "--task connected: fresh training strings drawn every epoch. Default: 3000 with --data, 300 on the generated set.")
    Integer utterances;

    @Option(names = "--test-utterances", paramLabel = "N", description = "--task connected: test strings (drawn once from the test recordings with a fixed seed; half as many validation strings). Default: 500 with --data, 100 on the generated set.")
    Integer testUtterances;

    @Option(names = "--noise", paramLabel = "X", description = "--task connected: standard deviation of the Gaussian noise added to every string (0 = none). Default: ${DEFAULT-VALUE}.")
    double noise = 0.002;

    @Option(names = "--beam", paramLabel = "N", description = "--task connected: decode with a prefix beam search of N prefixes (1 = best path). Default: ${DEFAULT-VALUE}.")
    int beam = 1;

    @Option(names = "--features", paramLabel = "logmel|mfcc", description = "40 log-mel energies or 13 MFCCs per 10 ms frame (25 ms window), normalised per recording. Default: ${DEFAULT-VALUE}.")
    String features = "mfcc";

    @Option(names = "--unidirectional", description = "One direction only (the default is bidirectional).")
    boolean unidirectional;

    @Option(names = "--pool", paramLabel = "last|mean|max", description = "How the frames' outputs become one vector. Default: ${DEFAULT-VALUE}.")
    PoolKind pool = PoolKind.mean;

    @Option(names = "--masks", paramLabel = "N", description = "Training-time masking (SpecAugment): N frequency bands and N stretches of frames, each up to 6 wide, zeroed per recording; 0 = off. Default: ${DEFAULT-VALUE}.")
    int masks = 0;

    @Option(names = "--validation-split", paramLabel = "F", description = "Fraction of the training recordings held out (seeded) to pick the best epoch. Default: ${DEFAULT-VALUE}.")
    double validationSplit = 0.1;

    @Option(names = "--leave-one-speaker-out", description = "One training per speaker, that speaker's recordings the test set "
            + "and the others' training (each into --out/NAME), then the table of the folds' test scores and their mean.")
    boolean leaveOneSpeakerOut;

    @Option(names = "--time-limit", paramLabel = "MINUTES", description = "Stop after the epoch that passes this many minutes (0 = none). Default: ${DEFAULT-VALUE}.")
    double timeLimit = 0;

    @Mixin ModelOptions shape = new ModelOptions(ModelKind.gru, 2, 64, 0.2);

    /** --epochs' default here is the isolated task's on FSDD; {@link #epochs()} gives the others'. */
    @Mixin TrainingOptions training = new TrainingOptions(20, 32, 3e-3, LrScheduleKind.cosine, OptimizerKind.adam, 5.0);

    @Mixin SeedOption seed = new SeedOption();

    @Mixin ThreadsOption threads = new ThreadsOption();

    @Mixin RunFolderOptions run = new RunFolderOptions(Path.of("runs", "speech"));

    /** Options that define the run: recorded in its checkpoints, compared by --resume. */
    static final List<String> RUN_OPTIONS = List.of("--data", "--test-speaker", "--task", "--features", "--model", "--layers", "--hidden",
            "--unidirectional", "--pool", "--dropout", "--masks", "--batch", "--lr", "--lr-schedule", "--lr-warmup", "--lr-step-after", "--lr-step-factor", "--optimizer",
            "--momentum", "--weight-decay", "--clip-norm", "--clip-value", "--validation-split", "--patience", "--seed", "--utterances",
            "--noise");

    @Spec CommandSpec spec;

    private final Io io;

    public SpeechCommand(Io io) { this.io = io; }

    @Override
    public Integer call() {
        SpeechConfig.Task t = parse(() -> SpeechConfig.Task.parse(task));
        FeatureConfig.Kind kind = parse(() -> FeatureConfig.Kind.parse(features));
        shape.check();
        if (!spec.commandLine().getParseResult().hasMatchedOption("--epochs")) {
            training.epochs = data == null ? 6 : t == SpeechConfig.Task.CONNECTED ? 8 : 20;
        }
        training.check();
        Checks.range("--masks", masks, 0, 10);
        if (utterances == null) utterances = data == null ? 300 : 3000;
        Checks.range("--time-limit", timeLimit, 0, 1e6);
        Checks.range("--validation-split", validationSplit, 1e-6, 0.9);
        if (t == SpeechConfig.Task.CONNECTED) {
            Checks.range("--utterances", utterances, 1, 10_000_000);
            Checks.range("--test-utterances", testUtterances(), 1, 10_000_000);
            Checks.range("--noise", noise, 0, 0.5);
            Checks.range("--beam", beam, 1, 1000);
        }
        threads.apply();
        if (leaveOneSpeakerOut) {
            if (testSpeaker != null) throw AppException.usage("--leave-one-speaker-out holds out every speaker in turn: drop --test-speaker " + testSpeaker);
            if (run.resume) {
                throw AppException.usage("--leave-one-speaker-out starts every fold afresh; to continue one fold give --test-speaker NAME"
                        + " --out " + run.out.resolve("NAME") + " --resume");
            }
            SpeakerFolds folds = new SpeakerFolds(t);
            for (String speaker : SpeakerFolds.speakers(data)) {
                testSpeaker = speaker;
                io.progress().info("fold: speaker " + speaker + " held out, into " + run.out.resolve(speaker));
                folds.add(speaker, train(t, options(t, kind, run.out.resolve(speaker), false)));
            }
            testSpeaker = null;
            io.out().print(folds.table());
            io.out().flush();
            return 0;
        }
        if (run.resume) {
            Path last = RunFolder.prepare(run.out, true);
            RunOptions.checkResume(spec.commandLine().getParseResult(),
                    Checkpoint.read(last, SpeechConfig.TASK, "speech").runOptions(), RUN_OPTIONS, last);
        }
        train(t, options(t, kind, run.out, run.resume));
        return 0;
    }

    private SpeechTrainer.Options options(SpeechConfig.Task t, FeatureConfig.Kind kind, Path out, boolean resume) {
        return new SpeechTrainer.Options(data, testSpeaker, t, kind, Choices.cell(shape.model), shape.layers, shape.hidden,
                !unidirectional, Pooling.parse(pool.name()), shape.dropout, training.batch, training.epochs, masks, training.lr,
                training.schedule(training.lr), training.optimizer, training.momentum, training.weightDecay, training.clipNorm,
                training.clipValue, validationSplit, training.patience, timeLimit, seed.seed, out, resume, RunOptions.of(spec, RUN_OPTIONS));
    }

    /** Trains one run of {@code options}; the fold's result for {@link SpeakerFolds}. */
    private SpeakerFolds.Fold train(SpeechConfig.Task t, SpeechTrainer.Options options) {
        if (t == SpeechConfig.Task.CONNECTED) {
            var r = new ConnectedTrainer(io).run(options, new ConnectedTrainer.Extra(utterances, testUtterances(), (float) noise, beam));
            return SpeakerFolds.Fold.connected(r.test(), r.trainSeconds());
        }
        var r = new SpeechTrainer(io).run(options);
        return SpeakerFolds.Fold.isolated(r.test(), r.trainSeconds());
    }

    private int testUtterances() { return testUtterances != null ? testUtterances : data == null ? 100 : 500; }

    /** True when {@code checkpoint} is a connected-digit (CTC) speech checkpoint. */
    private static boolean connected(Path checkpoint) {
        return ConnectedConfig.isConnected(Checkpoint.read(checkpoint, SpeechConfig.TASK, "speech").metadata());
    }

    /** {@code speech eval}: accuracy and confusion matrix of a checkpoint on the test set of a split. */
    @Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Scores a speech checkpoint on the test recordings of the official split (or of --test-speaker):",
                "accuracy, loss and the confusion matrix (rows: the digit said, columns: the digit recognised). A connected-digit",
                "checkpoint is scored on the run's test strings: the digit error rate (edit distance per reference digit)."})
    int eval(@Option(names = "--checkpoint", paramLabel = "FILE", defaultValue = "runs/speech/best.safetensors", description = "A checkpoint written by speech. Default: ${DEFAULT-VALUE}.") Path checkpoint,
             @Option(names = "--data", paramLabel = "DIR", description = "The FSDD folder. Default: the generated set.") Path dir,
             @Option(names = "--test-speaker", paramLabel = "NAME", description = "Score this speaker's recordings. Default: the official test takes 0-4.") String speaker,
             @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the generated set (without --data). Default: ${DEFAULT-VALUE}.") long genSeed,
             @Option(names = "--json", description = "Print the scores as one JSON object.") boolean json,
             @Option(names = "--test-utterances", paramLabel = "N", description = "Connected digits: test strings (the training run's fixed seed). Default: 500 with --data, 100 on the generated set.") Integer strings,
             @Option(names = "--noise", paramLabel = "X", defaultValue = "0.002", description = "Connected digits: noise of the test strings. Default: ${DEFAULT-VALUE}.") double noiseLevel,
             @Option(names = "--beam", paramLabel = "N", defaultValue = "1", description = "Connected digits: prefix beam width (1 = best path). Default: ${DEFAULT-VALUE}.") int beamWidth,
             @Mixin ThreadsOption evalThreads) {
        evalThreads.apply();
        if (connected(checkpoint)) {
            Checks.range("--beam", beamWidth, 1, 1000);
            int n = strings != null ? strings : dir == null ? 100 : 500;
            Checks.range("--test-utterances", n, 1, 10_000_000);
            var c = ConnectedEvaluation.evaluate(checkpoint, dir, speaker, genSeed, new ConnectedTrainer.Extra(1, n, (float) noiseLevel, beamWidth));
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("checkpoint", checkpoint.toString());
                m.put("test_set", c.description());
                m.put("strings", c.score().utterances());
                m.put("digits", c.score().referenceDigits());
                m.put("digit_error_rate", c.score().digitErrorRate());
                m.put("string_accuracy", c.score().stringAccuracy());
                m.put("loss", c.score().loss());
                io.out().println(Json.write(m));
            } else {
                io.out().printf(Locale.ROOT, "%s: digit error rate %.2f %% over %d digits in %d strings, strings right %.1f %%, CTC loss %.4f%n",
                        c.description(), 100 * c.score().digitErrorRate(), c.score().referenceDigits(), c.score().utterances(),
                        100 * c.score().stringAccuracy(), c.score().loss());
            }
            io.out().flush();
            return 0;
        }
        var s = SpeechEvaluation.evaluate(checkpoint, dir, speaker, genSeed);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("checkpoint", checkpoint.toString());
            m.put("test_set", s.description());
            m.put("recordings", s.scores().total());
            m.put("accuracy", s.scores().accuracy());
            m.put("loss", s.scores().loss());
            m.put("confusion", s.scores().confusion());
            io.out().println(Json.write(m));
        } else {
            io.out().printf(Locale.ROOT, "%s: accuracy %.2f %% (%d of %d), loss %.4f%n", s.description(), 100 * s.scores().accuracy(),
                    s.scores().correct(), s.scores().total(), s.scores().loss());
            io.out().print(s.scores().table());
        }
        io.out().flush();
        return 0;
    }

    /** {@code speech transcribe}: the digit string of each recording. */
    @Command(name = "transcribe", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Prints what each WAV file says (PCM 8- or 16-bit, mono or stereo, 8 kHz): its spoken stretches are",
                "found by their energy and each is recognised as one digit, so a file of digits said one by one gives the",
                "digit string. A connected-digit (CTC) checkpoint decodes the whole file as one string instead, each digit",
                "timed by its run on the CTC path. --plot draws the log-mel spectrogram with the recognised digits over their stretches."})
    int transcribe(@Option(names = "--checkpoint", paramLabel = "FILE", defaultValue = "runs/speech/best.safetensors", description = "A checkpoint written by speech. Default: ${DEFAULT-VALUE}.") Path checkpoint,
                   @Option(names = "--json", description = "One JSON object per file: the text and every digit with its start and end (s) and probability.") boolean json,
                   @Option(names = "--plot", paramLabel = "FILE.png", description = "Write the spectrogram to this PNG (with several files: FILE-<name>.png each).") Path plot,
                   @Option(names = "--beam", paramLabel = "N", defaultValue = "1", description = "Connected digits: prefix beam width (1 = best path). Default: ${DEFAULT-VALUE}.") int beamWidth,
                   @Mixin ThreadsOption transcribeThreads,
                   @Parameters(paramLabel = "FILE.wav", arity = "1..*", description = "The recordings.") List<Path> files) {
        transcribeThreads.apply();
        Checks.range("--beam", beamWidth, 1, 1000);
        boolean ctc = connected(checkpoint);
        try (Transcriber tr = ctc ? null : new Transcriber(checkpoint);
             ConnectedTranscriber ct = ctc ? new ConnectedTranscriber(checkpoint, beamWidth) : null) {
            FeatureConfig featureConfig = ctc ? ct.config().features() : tr.config().features();
            for (Path f : files) {
                Transcriber.Transcript t = ctc ? ct.transcribe(f, plot != null) : tr.transcribe(f, plot != null);
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", f.toString());
                    m.put("text", t.text());
                    m.put("seconds", t.seconds());
                    List<Map<String, Object>> ds = new ArrayList<>();
                    for (Transcriber.Digit d : t.digits()) {
                        Map<String, Object> dm = new LinkedHashMap<>();
                        dm.put("digit", String.valueOf(d.digit()));
                        dm.put("start", Math.round(d.start() * 1000) / 1000.0);
                        dm.put("end", Math.round(d.end() * 1000) / 1000.0);
                        dm.put("probability", Math.round(d.probability() * 10000) / 10000.0);
                        ds.add(dm);
                    }
                    m.put("digits", ds);
                    io.out().println(Json.write(m));
                } else {
                    io.out().println(files.size() == 1 ? t.text() : f + "\t" + t.text());
                }
                io.out().flush();
                if (plot != null) {
                    Path png = files.size() == 1 ? plot : plotFor(plot, f);
                    SpectrogramPlot.save(png, t, featureConfig);
                    io.progress().info("spectrogram: " + png);
                }
            }
        }
        return 0;
    }

    static Path plotFor(Path plot, Path file) {
        String base = plot.getFileName().toString(), name = file.getFileName().toString();
        String stem = base.endsWith(".png") ? base.substring(0, base.length() - 4) : base;
        String fstem = name.toLowerCase(Locale.ROOT).endsWith(".wav") ? name.substring(0, name.length() - 4) : name;
        return plot.resolveSibling(stem + "-" + fstem + ".png");
    }

    private static <T> T parse(java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw AppException.usage(e.getMessage());
        }
    }
}
