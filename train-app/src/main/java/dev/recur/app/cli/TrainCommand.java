package dev.recur.app.cli;

import dev.recur.app.AppException;
import dev.recur.app.cli.Choices.TruncateKind;
import dev.recur.app.run.Launcher;
import dev.recur.app.train.Checkpoint;
import dev.recur.app.train.TrainConfig;
import dev.recur.app.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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
    @Mixin public TrainingOptions training = new TrainingOptions();

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data. Default: ${DEFAULT-VALUE}.")
    public int epochs = Defaults.EPOCHS;

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

    @Option(names = "--resume", description = "Continue the run in --out from its last.safetensors (model, optimizer, data order); --epochs may be raised.")
    public boolean resume;

    private final Io io;

    public TrainCommand(Io io) { this.io = io; }

    /** Options that define the run; they cannot change when resuming. */
    private static final List<String> FIXED_ON_RESUME = List.of("--model", "--layers", "--bidirectional", "--hidden", "--embed",
            "--vocab-size", "--pool", "--dropout", "--max-len", "--truncate", "--batch", "--lr", "--optimizer", "--momentum",
            "--weight-decay", "--clip-norm", "--clip-value", "--tbptt", "--seed", "--validation-split", "--lr-schedule");

    @Override
    public Integer call() {
        model.check();
        training.check();
        Checks.range("--epochs", epochs, 1, 100_000);
        Checks.range("--max-len", maxLen, 1, 1_000_000);
        Checks.range("--validation-split", validationSplit, 0.0, 0.5);
        TrainConfig cfg;
        Checkpoint from = null;
        if (resume) {
            if (out == null) throw AppException.usage("--resume needs --out: the folder of the run to continue");
            Path last = out.resolve(Trainer.LAST);
            if (!Files.exists(last)) {
                throw new AppException("nothing to resume in '" + out + "': it has no " + Trainer.LAST
                        + ". Start a new run without --resume, or point --out at an earlier run's folder.");
            }
            from = Checkpoint.load(last);
            TrainConfig stored = from.trainConfig();
            List<String> given = new ArrayList<>();
            for (String o : FIXED_ON_RESUME) if (spec.commandLine().getParseResult().hasMatchedOption(o)) given.add(o);
            if (!given.isEmpty()) {
                throw AppException.usage("when resuming, the run's settings come from " + last + "; drop " + String.join(", ", given)
                        + " (only --epochs, --threads and --data may be given)");
            }
            int e = spec.commandLine().getParseResult().hasMatchedOption("--epochs") ? epochs : stored.epochs();
            int th = spec.commandLine().getParseResult().hasMatchedOption("--threads") ? training.threads : stored.threads();
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
            if (Files.exists(out.resolve(Trainer.LAST))) {
                throw AppException.usage("'" + out + "' already holds a run (" + Trainer.LAST + "); pass --resume to continue it "
                        + "or choose another --out");
            }
            cfg = TrainConfig.of(model, training, maxLen, truncate, epochs, validationSplit,
                    data == null ? DATA_SAMPLE : data.toString());
        }
        Checks.range("--stop-after-epoch", stopAfterEpoch, 1, Integer.MAX_VALUE);
        Trainer.Result r = new Trainer(cfg, out, io).stopAfterEpoch(stopAfterEpoch).run(data, from);
        io.progress().result(String.join("\n", "",
                "outputs in " + out + "/:",
                String.format("  %-20s model with the best validation accuracy (epoch %d)", Trainer.BEST, r.state().bestEpoch()),
                String.format("  %-20s model after epoch %d, with optimizer state (for --resume)", Trainer.LAST, r.state().epoch()),
                String.format("  %-20s one JSON object per epoch, then the test figures", Trainer.METRICS),
                String.format("  %-20s loss and accuracy per epoch", Trainer.PLOT)));
        io.progress().command("try: ", Launcher.command() + " predict --checkpoint " + out.resolve(Trainer.BEST)
                + " \"A wonderful, moving film.\"");
        return 0;
    }

    /** How the embedded sample is recorded as a run's data source. */
    public static final String DATA_SAMPLE = "embedded sample";
}
