package dev.recur.app.cli;

import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.LrSchedule;
import dev.recur.app.core.Io;

import dev.recur.app.core.AppException;
import dev.recur.app.run.Choices.FreezeKind;
import dev.recur.app.run.Choices.TruncateKind;
import dev.recur.app.run.Launcher;
import dev.recur.app.run.RunFolder;
import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.app.sentiment.TrainConfig;
import dev.recur.app.sentiment.Trainer;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.ParseResult;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train}: trains a sentiment classifier on IMDB. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a sentiment classifier (RNN, LSTM or GRU) on the IMDB reviews.",
            "Writes last.safetensors (every epoch), best.safetensors (best validation accuracy), metrics.jsonl and",
            "training-curves.png under --out, then evaluates the best model once on the test split."})
public final class TrainCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Mixin public ModelOptions model = new ModelOptions();
    @Mixin public ClassifierOptions shape = new ClassifierOptions();
    @Mixin public TrainingOptions training = new TrainingOptions();

    @Option(names = "--tbptt", paramLabel = "N", description = "Truncated backprop through time: gradients flow back at most N steps (0 = full BPTT). Default: ${DEFAULT-VALUE}.")
    public int tbptt = 0;

    @Mixin public SeedOption seed = new SeedOption();
    @Mixin public ThreadsOption threads = new ThreadsOption();

    @Option(names = "--max-len", paramLabel = "N", description = "Words kept per review. Default: ${DEFAULT-VALUE}.")
    public int maxLen = Defaults.MAX_LEN;

    @Option(names = "--truncate", paramLabel = "start|end", description = "Which part of a longer review is kept: its start or its end. Default: ${DEFAULT-VALUE}.")
    public TruncateKind truncate = Defaults.TRUNCATE;

    @Option(names = "--validation-split", paramLabel = "F", description = "Fraction of the training reviews held out for validation, in [0, 0.5]. Default: ${DEFAULT-VALUE}.")
    public double validationSplit = Defaults.VALIDATION_SPLIT;

    @Option(names = "--data", paramLabel = "PATH", description = "aclImdb/ folder or aclImdb_v1.tar.gz. Default: the small sample embedded in the jar.")
    public Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder. Default: runs/<model>-<date>-<time>.")
    public Path out;

    @Option(names = "--stop-after-epoch", hidden = true, paramLabel = "N", description = "Stop after epoch N as an "
            + "interruption would (for testing --resume with a learning-rate schedule over all --epochs).")
    public int stopAfterEpoch = Integer.MAX_VALUE;

    @Option(names = "--resume", description = "Continue the run in --out from its last.safetensors (model, optimizer, data order); "
            + "--epochs may be raised; options given again must have the run's values.")
    public boolean resume;

    @Option(names = "--init-from", paramLabel = "CHECKPOINT", description = "Fine-tune: start from this checkpoint's weights and "
            + "vocabulary (its model shape too) instead of a fresh model, e.g. runs/imdb/best.safetensors. Default: none.")
    public Path initFrom;

    @Option(names = "--freeze", paramLabel = "none|embedding|encoder", description = "With --init-from: keep the word embedding "
            + "(embedding) or the embedding and the recurrent layers (encoder) as they are; the rest trains. Default: ${DEFAULT-VALUE}.")
    public FreezeKind freeze = FreezeKind.none;

    private final Io io;

    public TrainCommand(Io io) { this.io = io; }

    /** Options that define the run: recorded in its checkpoints ({@link TrainConfig#options()}), compared by --resume. */
    static final List<String> RUN_OPTIONS = List.of("--model", "--layers", "--bidirectional", "--hidden", "--embed",
            "--vocab-size", "--pool", "--dropout", "--max-len", "--truncate", "--batch", "--lr", "--optimizer", "--momentum",
            "--weight-decay", "--clip-norm", "--clip-value", "--tbptt", "--seed", "--validation-split", "--lr-schedule",
            "--init-from", "--freeze", "--patience", "--lr-warmup", "--lr-step-after", "--lr-step-factor");

    /** The model's shape, which --init-from takes from its checkpoint. */
    static final List<String> SHAPE_OPTIONS = List.of("--model", "--layers", "--bidirectional", "--hidden", "--embed",
            "--vocab-size", "--pool");

    /** The run's configuration from the parsed options. */
    static TrainConfig config(ModelOptions m, ClassifierOptions c, OptimizerOptions o, int epochs, LrSchedule schedule,
                              int patience, int tbptt, long seed, int threads, int maxLen, TruncateKind truncate,
                              double validationSplit, String data, Path initFrom, FreezeKind freeze) {
        return new TrainConfig(m.model, m.layers, c.bidirectional, m.hidden, c.embed, c.vocabSize, c.pool, m.dropout,
                maxLen, truncate, o.batch, epochs, o.lr, o.optimizer, o.momentum(), o.weightDecay(), o.clipNorm,
                o.clipValue, tbptt, seed, threads, validationSplit, data, schedule.kind(),
                initFrom == null ? null : initFrom.toString(), freeze, patience, (int) schedule.warmup(), schedule.stepAfter(),
                schedule.stepFactor());
    }

    @Override
    public Integer call() {
        model.check();
        shape.check();
        training.check();
        Checks.range("--tbptt", tbptt, 0, Integer.MAX_VALUE);
        Checks.range("--threads", threads.threads, 1, 1024);
        Checks.range("--max-len", maxLen, 1, 1_000_000);
        Checks.range("--validation-split", validationSplit, 0.0, 0.5);
        ParseResult given = spec.commandLine().getParseResult();
        if (freeze != FreezeKind.none && initFrom == null && !resume) {
            throw AppException.usage("--freeze " + freeze + " needs --init-from: only a trained model's parameters can be kept fixed");
        }
        TrainConfig cfg;
        SentimentCheckpoint from = null, init = null;
        if (resume) {
            if (out == null) throw AppException.usage("--resume needs --out: the folder of the run to continue");
            Path last = RunFolder.prepare(out, true);
            from = SentimentCheckpoint.load(last);
            TrainConfig stored = from.trainConfig();
            RunOptions.checkResume(given, from.runOptions(), RUN_OPTIONS, last);
            int e = given.hasMatchedOption("--epochs") ? training.epochs : stored.epochs();
            int th = given.hasMatchedOption("--threads") ? threads.threads : stored.threads();
            cfg = stored.withEpochsAndThreads(e, th);
            if (from.state().epoch() >= cfg.epochs()) {
                throw AppException.usage("the run in '" + out + "' has already done " + from.state().epoch() + " of "
                        + cfg.epochs() + " epochs; pass a larger --epochs to train further");
            }
            if (data == null && !cfg.data().equals(DATA_SAMPLE)) data = Path.of(cfg.data());
            io.progress().info("resuming " + last + " after epoch " + from.state().epoch() + " of " + cfg.epochs());
        } else {
            if (out == null) {
                out = Path.of("runs", model.model + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            }
            RunFolder.prepare(out, false);
            cfg = config(model, shape, training, training.epochs, training.schedule(training.lr), training.patience, tbptt,
                    seed.seed, threads.threads, maxLen, truncate, validationSplit, data == null ? DATA_SAMPLE : data.toString(),
                    initFrom, freeze);
            if (initFrom != null) {
                init = SentimentCheckpoint.load(initFrom);
                TrainConfig shape = init.trainConfig().withEpochsAndThreads(cfg.epochs(), cfg.threads());
                RunOptions.check(given, shape.options(), SHAPE_OPTIONS, "--init-from takes the model's shape from " + initFrom
                        + ", and these differ", "Drop them or give the model's values.", "the model has");
                cfg = cfg.withShapeOf(init.trainConfig());
                io.progress().info("fine-tuning " + initFrom + " (" + init.encoder().vocabulary().size() + "-word vocabulary"
                        + (freeze == FreezeKind.none ? "" : ", " + freeze + " frozen") + ")");
            }
        }
        Checks.range("--stop-after-epoch", stopAfterEpoch, 1, Integer.MAX_VALUE);
        Trainer.Result r = new Trainer(cfg, out, io).stopAfterEpoch(stopAfterEpoch).run(data, from, init);
        io.progress().result(String.join("\n", "",
                "outputs in " + out + "/:",
                String.format("  %-20s model with the best validation accuracy (epoch %d)", Trainer.BEST, r.state().bestEpoch()),
                String.format("  %-20s model after epoch %d, with optimizer state (for --resume)", Trainer.LAST, r.state().epoch()),
                String.format("  %-20s one JSON object per epoch, then the test figures", Trainer.METRICS),
                String.format("  %-20s loss and accuracy per epoch", Trainer.PLOT),
                String.format("  %-20s empty; locked while a training writes here, so a second one is refused",
                        dev.recur.app.run.RunFolder.LOCK)));
        io.progress().command("try: ", Launcher.command() + " predict --checkpoint " + out.resolve(Trainer.BEST)
                + " \"A wonderful, moving film.\"");
        return 0;
    }

    /** How the embedded sample is recorded as a run's data source. */
    public static final String DATA_SAMPLE = "embedded sample";
}
