package dev.recur.app.cli;

import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Choices;
import dev.recur.app.run.RunFolder;
import dev.recur.app.tag.ConllReader;
import dev.recur.app.tag.TagTrainer;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import dev.recur.app.run.Choices.ModelKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.core.Io;
import dev.recur.engine.Engine;
import dev.recur.layers.rnn.CellType;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train-app tag}: POS tagging or chunking on CoNLL-2000 files with a bidirectional RNN. */
@Command(name = "tag", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Sequence labelling (many-to-many): predicts the POS or the chunk column of a CoNLL-2000 file",
            "(WORD POS CHUNK per line, blank line between sentences) with a bidirectional LSTM/GRU/RNN over",
            "word, word-shape and suffix embeddings (plus the POS tags as input when predicting chunks).",
            "Reports token accuracy, and chunk precision/recall/F1 exactly as conlleval counts them.",
            "Without --train/--test it runs on a small embedded synthetic sample."})
public final class TagCommand implements Callable<Integer> {
    @Option(names = "--train", paramLabel = "FILE", description = "Training file, e.g. ../shared/data/tagging/conll2000/train.txt. Default: embedded sample.")
    Path train;

    @Option(names = "--test", paramLabel = "FILE", description = "Test file, scored once at the end. Default: embedded sample.")
    Path test;

    @Option(names = "--column", paramLabel = "pos|chunk", description = "What to predict. Default: ${DEFAULT-VALUE}.")
    String column = "pos";




    @Option(names = "--word-dim", paramLabel = "N", description = "Word embedding size. Default: ${DEFAULT-VALUE}.")
    int wordDim = 100;

    @Option(names = "--feature-dim", paramLabel = "N", description = "Size of the shape, suffix and POS embeddings. Default: ${DEFAULT-VALUE}.")
    int featureDim = 24;

    @Option(names = "--no-pos-input", description = "When predicting chunks, do not feed the POS column as an input.")
    boolean noPosInput;


    @Option(names = "--word-dropout", paramLabel = "P", description = "In training, replace a word by <unk> with this probability (teaches the model unknown words). Default: ${DEFAULT-VALUE}.")
    double wordDropout = 0.05;



    @Option(names = "--time-limit", paramLabel = "MINUTES", description = "Stop (validate, save) at the first batch after this many minutes; 0 = no limit. Default: ${DEFAULT-VALUE}.")
    double timeLimit = 0;




    @Option(names = "--validation-split", paramLabel = "F", description = "Fraction of training sentences, from the end, held out to pick the best epoch. Default: ${DEFAULT-VALUE}.")
    double validationSplit = 0.05;

    @Mixin ModelOptions shape = new ModelOptions(ModelKind.lstm, 1, 128, 0.25);

    @Mixin TrainingOptions training = new TrainingOptions(8, 32, 2e-3, LrScheduleKind.constant, OptimizerKind.adam, 5.0);

    @Mixin SeedOption seed = new SeedOption();

    @Mixin ThreadsOption threads = new ThreadsOption();

    @Mixin RunFolderOptions run = new RunFolderOptions(Path.of("runs", "tag"));


    /** Options that define the run: recorded in its checkpoints, compared by --resume. */
    static final List<String> RUN_OPTIONS = List.of("--column", "--model", "--layers", "--hidden", "--word-dim",
            "--feature-dim", "--no-pos-input", "--dropout", "--word-dropout", "--batch", "--lr", "--optimizer",
            "--clip-norm", "--validation-split", "--seed", "--patience", "--momentum", "--weight-decay", "--clip-value",
            "--lr-schedule", "--lr-warmup", "--lr-step-after", "--lr-step-factor");

    @Spec CommandSpec spec;

    private final Io io;

    public TagCommand(Io io) { this.io = io; }

    @Override
    public Integer call() {
        ConllReader.Column col = ConllReader.Column.parse(column);
        shape.check();
        training.check();
        Checks.range("--word-dim", wordDim, 1, 4096);
        Checks.range("--feature-dim", featureDim, 1, 4096);
        Checks.range("--word-dropout", wordDropout, 0, 0.95);
        Checks.range("--time-limit", timeLimit, 0, 1e6);
        Checks.range("--validation-split", validationSplit, 1e-6, 0.9);
        threads.apply();
        CellType cell = Choices.cell(shape.model);
        if (run.resume) {
            Path last = RunFolder.prepare(run.out, true);
            RunOptions.checkResume(spec.commandLine().getParseResult(),
                    Checkpoint.read(last, TagTrainer.TASK, "tag").runOptions(), RUN_OPTIONS, last);
        }
        new TagTrainer(io).run(new TagTrainer.Options(train, test, col, cell, shape.layers, shape.hidden, wordDim, featureDim,
                col == ConllReader.Column.CHUNK && !noPosInput, shape.dropout, wordDropout, training.batch, training.epochs, timeLimit,
                training.lr, training.optimizer, training.clipNorm, validationSplit, seed.seed, run.out, run.resume,
                RunOptions.of(spec, RUN_OPTIONS), training.patience, training.schedule((float) training.lr), training.momentum,
                training.weightDecay, training.clipValue));
        return 0;
    }
}
