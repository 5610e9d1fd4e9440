package dev.recur.app.cli;

import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.ModelKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.core.Io;
import dev.recur.engine.Engine;
import dev.recur.app.lm.LmTrainer;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Choices;
import dev.recur.app.run.RunFolder;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train-app lm}: trains a character-level language model on any UTF-8 text. */
@Command(name = "lm", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Trains a character-level language model (stacked LSTM/GRU/RNN, truncated BPTT with the state",
            "carried across windows, gradient clipping) on a UTF-8 text. The last --validation-split of the",
            "text is held out; loss is reported in nats and bits per character. Writes last.safetensors,",
            "best.safetensors, metrics.jsonl and curve.png under --out, and prints a sample after each epoch.",
            "Without --data it trains on a small embedded text (the opening of Pride and Prejudice)."})
public final class LmCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "FILE", description = "UTF-8 text file, e.g. ../shared/data/text/tinyshakespeare.txt. Default: the embedded tiny text.")
    Path data;




    @Option(names = "--embed", paramLabel = "N", description = "Character embedding size. Default: ${DEFAULT-VALUE}.")
    int embed = 64;



    @Option(names = "--tbptt", paramLabel = "K", description = "Window length (steps) of truncated BPTT. Default: ${DEFAULT-VALUE}.")
    int tbptt = 64;


    @Option(names = "--time-limit", paramLabel = "MINUTES", description = "Stop (validate, save) after this many minutes; 0 = no limit. Default: ${DEFAULT-VALUE}.")
    double timeLimit = 0;




    @Option(names = "--validation-split", paramLabel = "F", description = "Fraction of the text, from its end, held out. Default: ${DEFAULT-VALUE}.")
    double validationSplit = 0.1;

    @Option(names = "--eval-every", paramLabel = "N", description = "Also validate and checkpoint every N windows (0 = once per epoch). Default: ${DEFAULT-VALUE}.")
    int evalEvery = 0;

    @Option(names = "--sample-length", paramLabel = "N", description = "Characters sampled after each validation (0 = none). Default: ${DEFAULT-VALUE}.")
    int sampleLength = 200;

    @Mixin ModelOptions shape = new ModelOptions(ModelKind.lstm, 2, 256, 0.0);

    @Mixin TrainingOptions training = new TrainingOptions(10, 32, 3e-3, LrScheduleKind.constant, OptimizerKind.adam, 5.0);

    @Mixin SeedOption seed = new SeedOption();

    @Mixin ThreadsOption threads = new ThreadsOption();

    @Mixin RunFolderOptions run = new RunFolderOptions(Path.of("runs", "lm"));

    private final Io io;

    public LmCommand(Io io) { this.io = io; }

    /** Options that define the run: recorded in its checkpoints, compared by --resume. */
    static final List<String> RUN_OPTIONS = List.of("--model", "--layers", "--hidden", "--embed", "--dropout",
            "--batch", "--tbptt", "--lr", "--optimizer", "--clip-norm", "--validation-split", "--eval-every", "--seed",
            "--patience", "--momentum", "--weight-decay", "--clip-value", "--lr-schedule", "--lr-warmup", "--lr-step-after", "--lr-step-factor");

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        shape.check();
        training.check();
        Checks.range("--embed", embed, 1, 8192);
        Checks.range("--tbptt", tbptt, 1, 100_000);
        Checks.range("--time-limit", timeLimit, 0, 1e6);
        Checks.range("--eval-every", evalEvery, 0, Integer.MAX_VALUE);
        Checks.range("--sample-length", sampleLength, 0, 1_000_000);
        threads.apply();
        if (run.resume) {
            Path last = RunFolder.prepare(run.out, true);
            RunOptions.checkResume(spec.commandLine().getParseResult(),
                    Checkpoint.read(last, LmTrainer.TASK, "lm").runOptions(), RUN_OPTIONS, last);
        }
        new LmTrainer(io).run(new LmTrainer.Options(data, Choices.cell(shape.model), shape.layers, shape.hidden, embed, shape.dropout,
                training.batch, tbptt, training.epochs, timeLimit, training.lr, training.optimizer, training.clipNorm, validationSplit,
                seed.seed, evalEvery, sampleLength, run.out, run.resume, RunOptions.of(spec, RUN_OPTIONS), training.patience,
                training.schedule((float) training.lr), training.momentum, training.weightDecay, training.clipValue));
        return 0;
    }
}
