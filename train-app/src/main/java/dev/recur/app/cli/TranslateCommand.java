package dev.recur.app.cli;

import dev.recur.app.core.Io;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Choices;
import dev.recur.app.run.Choices.ModelKind;
import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.RunFolder;
import dev.recur.app.translate.TranslateBench;
import dev.recur.app.translate.TranslateData;
import dev.recur.app.translate.TranslateEval;
import dev.recur.app.translate.TranslatePredict;
import dev.recur.app.translate.TranslateTrainer;
import dev.recur.layers.AttentionScore;
import dev.recur.layers.rnn.CellType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code train-app translate}: an attentional encoder–decoder trained on parallel text; {@code eval}, {@code predict}, {@code bench}. */
@Command(name = "translate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Machine translation with an attentional encoder-decoder (LSTM/GRU, bidirectional encoder, additive",
            "or Luong attention). Trains on parallel text (one sentence per line, line i of --target the translation",
            "of line i of --source), reports validation loss, BLEU and exact match every epoch (BLEU picks",
            "best.safetensors), then BLEU on the test files once. Without files it trains on a generated task:",
            "English number words to digits ('four thousand and twelve' -> '4 0 1 2').",
            "'translate predict' translates sentences, 'translate eval' scores files, 'translate bench' measures speed."})
public final class TranslateCommand implements Callable<Integer> {
    @Option(names = "--source", paramLabel = "FILE", description = "Training sentences in the source language, e.g. ../shared/data/translation/multi30k/train.de.")
    Path source;

    @Option(names = "--target", paramLabel = "FILE", description = "Their translations, line by line, e.g. .../train.en.")
    Path target;

    @Option(names = "--valid-source", paramLabel = "FILE", description = "Validation source sentences (needed with --source), e.g. .../val.de.")
    Path validSource;

    @Option(names = "--valid-target", paramLabel = "FILE", description = "Validation translations, e.g. .../val.en.")
    Path validTarget;

    @Option(names = "--test-source", paramLabel = "FILE", description = "Test source sentences, scored once at the end with the best checkpoint, e.g. .../test_2016_flickr.de.")
    Path testSource;

    @Option(names = "--test-target", paramLabel = "FILE", description = "Test translations, e.g. .../test_2016_flickr.en.")
    Path testTarget;

    @Option(names = "--lowercase", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Lower-case both sides before tokenizing (--no-lowercase keeps case). Default: ${DEFAULT-VALUE}.")
    boolean lowercase;

    @Option(names = "--min-count", paramLabel = "N", description = "A word enters a vocabulary when it occurs at least N times in the training pairs; rarer ones are <unk>. Default: ${DEFAULT-VALUE}.")
    int minCount = 2;

    @Option(names = "--max-length", paramLabel = "N", description = "Pairs with a side longer than N tokens are skipped (and counted); decoding stops after N tokens. Default: ${DEFAULT-VALUE}.")
    int maxLength = 50;

    /** --model (lstm or gru: the encoder's and the decoder's cell), --layers (stacked encoder layers), --hidden, --dropout. */
    @Mixin ModelOptions shape = new ModelOptions(ModelKind.gru, 1, 128, 0.0);

    @Option(names = "--bidirectional", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Bidirectional encoder (its final states reach the decoder through a learned bridge). Default: ${DEFAULT-VALUE}.")
    boolean bidirectional;

    @Option(names = "--embed", paramLabel = "N", description = "Width of the source and target embeddings. Default: ${DEFAULT-VALUE}.")
    int embed = 64;

    @Option(names = "--attention", paramLabel = "additive|dot|general", description = "Attention score: additive (Bahdanau), dot or general (Luong). Default: ${DEFAULT-VALUE}.")
    String attention = "additive";

    @Option(names = "--attention-dim", paramLabel = "N", description = "Hidden width of the additive score. Default: --hidden.")
    Integer attentionDim;

    @Option(names = "--input-feeding", description = "Luong's input feeding: the previous attentional state joins the decoder's input.")
    boolean inputFeeding;

    @Option(names = "--tie-embeddings", description = "The output layer's weight is the target embedding (needs --embed equal to --hidden).")
    boolean tieEmbeddings;

    @Option(names = "--teacher-forcing", paramLabel = "R", description = "Probability that a decoder step reads the reference word rather than its own previous guess. Default: ${DEFAULT-VALUE}.")
    double teacherForcing = 1.0;

    @Option(names = "--label-smoothing", paramLabel = "E", description = "Label smoothing of the cross-entropy. Default: ${DEFAULT-VALUE}.")
    double labelSmoothing = 0.0;

    /**
     * --batch, --lr, --optimizer, --momentum, --weight-decay, --clip-norm, --clip-value, --epochs
     * (10; 3 for the generated task when not given), --lr-schedule, --lr-warmup, --patience.
     */
    @Mixin TrainingOptions training = trainingDefaults();

    /** The name --lr-warmup had here before translate used the shared options. */
    @Option(names = "--warmup", paramLabel = "STEPS", hidden = true, description = "The same as --lr-warmup.")
    Integer warmup;

    @Option(names = "--time-limit", paramLabel = "MINUTES", description = "Evaluate, checkpoint and stop at the first batch after this many minutes (0 = none). Default: ${DEFAULT-VALUE}.")
    double timeLimit = 0;

    @Option(names = "--beam", paramLabel = "K", description = "Beam size for the test translations (1 = greedy; validation is always greedy). Default: ${DEFAULT-VALUE}.")
    int beam = 1;

    @Option(names = "--length-penalty", paramLabel = "A", description = "Beam search ranks a finished translation by log P / length^A (0: no normalisation). Default: ${DEFAULT-VALUE}.")
    double lengthPenalty = 1.0;

    @Mixin SeedOption seed = new SeedOption();

    @Mixin ThreadsOption threads = new ThreadsOption();

    @Mixin RunFolderOptions run = new RunFolderOptions(Path.of("runs", "translate"));

    /** Options that define the run: recorded in its checkpoints, compared by --resume. */
    static final List<String> RUN_OPTIONS = List.of("--lowercase", "--min-count", "--max-length", "--model", "--layers",
            "--bidirectional", "--embed", "--hidden", "--attention", "--attention-dim", "--input-feeding", "--tie-embeddings",
            "--teacher-forcing", "--label-smoothing", "--dropout", "--batch", "--lr", "--lr-schedule", "--lr-warmup", "--lr-step-after", "--lr-step-factor", "--warmup",
            "--optimizer", "--momentum", "--weight-decay", "--clip-norm", "--clip-value", "--patience", "--seed");

    /** How the test pairs are decoded: recorded and taken again by --resume when not given, but free to change. */
    static final List<String> TEST_OPTIONS = List.of("--beam", "--length-penalty");

    @Spec CommandSpec spec;

    /** translate's defaults of the shared training options: 10 epochs, batch 64, Adam 3e-3 constant, clip 1, patience 3. */
    private static TrainingOptions trainingDefaults() {
        TrainingOptions t = new TrainingOptions(10, 64, 3e-3, LrScheduleKind.constant, OptimizerKind.adam, 1.0);
        t.patience = 3;
        return t;
    }

    private final Io io;

    public TranslateCommand(Io io) { this.io = io; }

    @Override
    public Integer call() {
        Map<String, String> stored = null;
        if (run.resume) {   // the run's own settings, before anything reads the options
            Path last = RunFolder.prepare(run.out, true);
            stored = Checkpoint.read(last, TranslateTrainer.TASK, "translate").runOptions();
            RunOptions.checkResume(spec.commandLine().getParseResult(), stored, RUN_OPTIONS, last);
            RunOptions.restore(spec, stored, RUN_OPTIONS);
            RunOptions.restore(spec, stored, TEST_OPTIONS);
        }
        if (shape.model == ModelKind.rnn) throw Checks.usage("--model must be lstm or gru for translate, got 'rnn'");
        CellType cell = Choices.cell(shape.model);
        AttentionScore score = score(attention);
        shape.check();
        if (warmup != null) training.lrWarmup = warmup;
        training.check();
        Checks.range("--min-count", minCount, 1, 1_000_000);
        Checks.range("--max-length", maxLength, 1, 1000);
        Checks.range("--embed", embed, 1, 8192);
        Checks.range("--hidden", shape.hidden, 1, 8192);
        if (attentionDim != null) Checks.range("--attention-dim", attentionDim, 1, 8192);
        Checks.range("--teacher-forcing", teacherForcing, 0, 1);
        Checks.range("--label-smoothing", labelSmoothing, 0, 0.99);
        Checks.range("--dropout", shape.dropout, 0, 0.95);
        TranslateData.Files files = new TranslateData.Files(source, target, validSource, validTarget, testSource, testTarget);
        boolean epochsGiven = spec.commandLine().getParseResult().hasMatchedOption("--epochs");
        int passes = epochsGiven || !files.none() ? training.epochs : 3;
        if (!epochsGiven && stored != null && stored.containsKey("--epochs")) passes = Integer.parseInt(stored.get("--epochs"));
        Checks.range("--time-limit", timeLimit, 0, 1e6);
        Checks.range("--beam", beam, 1, 100);
        Checks.range("--length-penalty", lengthPenalty, 0, 10);
        if (score == AttentionScore.DOT && bidirectional) {
            throw Checks.usage("--attention dot needs encoder states as wide as the decoder: use --no-bidirectional, "
                    + "or --attention general or additive");
        }
        if (tieEmbeddings && embed != shape.hidden) {
            throw Checks.usage("--tie-embeddings needs --embed equal to --hidden, got " + embed + " and " + shape.hidden);
        }
        threads.apply();
        Map<String, String> record = new LinkedHashMap<>(RunOptions.of(spec, RUN_OPTIONS));
        record.put("--epochs", Integer.toString(passes));   // restored, not checked, by --resume: it may grow
        record.putAll(RunOptions.of(spec, TEST_OPTIONS));
        new TranslateTrainer(io).run(new TranslateTrainer.Options(
                files, lowercase, minCount,
                maxLength, cell, shape.layers, bidirectional, embed, shape.hidden, score,
                attentionDim != null ? attentionDim : shape.hidden, inputFeeding, tieEmbeddings, teacherForcing, labelSmoothing,
                shape.dropout, training.batch, passes, timeLimit, training.schedule(training.lr), training.optimizer,
                training.momentum, training.weightDecay, training.clipNorm, training.clipValue, training.patience, beam,
                lengthPenalty, seed.seed, run.out, run.resume, record));
        return 0;
    }

    /** {@code translate predict}: translations of sentences given as arguments or lines of standard input. */
    @Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Translates sentences given as arguments, or each line of standard input, with a trained model:",
                "one translation per line (blank lines are skipped). --json prints one object per sentence with the",
                "tokens and scores; --attention draws each sentence's attention matrix into a PNG."})
    int predict(@Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "A checkpoint written by translate, e.g. runs/translate/best.safetensors.") Path checkpoint,
                @Option(names = "--beam", paramLabel = "K", defaultValue = "1", description = "Beam size (1 = greedy). Default: ${DEFAULT-VALUE}.") int beamSize,
                @Option(names = "--length-penalty", paramLabel = "A", defaultValue = "1.0", description = "Beam search: rank by log P / length^A. Default: ${DEFAULT-VALUE}.") double penalty,
                @Option(names = "--json", description = "One JSON object per sentence: source, tokens, translation, log_prob, score, ended.") boolean asJson,
                @Option(names = "--attention", paramLabel = "PNG", description = "Draw the attention matrix of each sentence (at most " + dev.recur.app.translate.AttentionPlot.MAX_SENTENCES + ") into this PNG file.") Path png,
                @Mixin ThreadsOption predictThreads,
                @Parameters(paramLabel = "SENTENCE", arity = "0..*", description = "Sentences to translate. None: read lines from standard input.") List<String> sentences) {
        Checks.range("--beam", beamSize, 1, 100);
        Checks.range("--length-penalty", penalty, 0, 10);
        predictThreads.apply();
        new TranslatePredict(io).run(checkpoint, sentences == null ? new ArrayList<>() : sentences, beamSize, penalty, asJson, png);
        return 0;
    }

    /** {@code translate eval}: BLEU and exact match of a checkpoint on a pair of files. */
    @Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Scores a trained model on parallel files: corpus BLEU-4 on the tokenized text (as sacreBLEU",
                "with tokenize='none') and exact match, greedy or with beam search. --write-text DIR also writes the",
                "translations (tokenized and detokenized) and references, for reading and for the sacreBLEU check script."})
    int eval(@Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "A checkpoint written by translate.") Path checkpoint,
             @Option(names = "--source", required = true, paramLabel = "FILE", description = "Source sentences, e.g. .../test_2016_flickr.de.") Path src,
             @Option(names = "--target", required = true, paramLabel = "FILE", description = "Their reference translations, e.g. .../test_2016_flickr.en.") Path tgt,
             @Option(names = "--beam", paramLabel = "K", defaultValue = "1", description = "Beam size (1 = greedy). Default: ${DEFAULT-VALUE}.") int beamSize,
             @Option(names = "--length-penalty", paramLabel = "A", defaultValue = "1.0", description = "Beam search: rank by log P / length^A. Default: ${DEFAULT-VALUE}.") double penalty,
             @Option(names = "--batch", paramLabel = "N", defaultValue = "64", description = "Sentences decoded at once. Default: ${DEFAULT-VALUE}.") int batchSize,
             @Option(names = "--write-text", paramLabel = "DIR", description = "Write NAME.hyp.tok, .ref.tok, .hyp.txt, .ref.txt and .bleu.json there (NAME: the target file's name).") Path dir,
             @Option(names = "--json", description = "Print one JSON object.") boolean asJson,
             @Mixin ThreadsOption evalThreads) {
        Checks.range("--beam", beamSize, 1, 100);
        Checks.range("--batch", batchSize, 1, 100_000);
        Checks.range("--length-penalty", penalty, 0, 10);
        evalThreads.apply();
        new TranslateEval(io).run(checkpoint, src, tgt, beamSize, penalty, batchSize, dir, asJson);
        return 0;
    }

    /** {@code translate bench}: training and greedy-decoding pairs/s of a model shape on synthetic pairs. */
    @Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Measures training pairs/s (forward, backward, clipping, Adam step) and greedy-decoding pairs/s",
                "of an encoder-decoder on synthetic pairs of fixed length, and the process's peak resident memory.",
                "The defaults are the PyTorch tutorial's model (jmh/pytorch/bench_translate.py is its peer):",
                "bidirectional GRU encoder, additive attention, embed 256, hidden 512, vocabularies 7,853 and 5,893,",
                "batch 128, length 24. Warm-up first, then the median of --repeats timed runs of --steps batches."})
    int bench(@Option(names = "--mode", paramLabel = "train|decode|both", defaultValue = "both", description = "What to measure. Default: ${DEFAULT-VALUE}.") String mode,
              @Option(names = "--model", paramLabel = "lstm|gru", defaultValue = "gru", description = "Cell. Default: ${DEFAULT-VALUE}.") String cellName,
              @Option(names = "--embed", paramLabel = "N", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}.") int e,
              @Option(names = "--hidden", paramLabel = "N", defaultValue = "512", description = "Default: ${DEFAULT-VALUE}.") int h,
              @Option(names = "--attention", paramLabel = "additive|dot|general", defaultValue = "additive", description = "Default: ${DEFAULT-VALUE}.") String att,
              @Option(names = "--input-feeding", description = "Luong's input feeding.") boolean feed,
              @Option(names = "--source-vocab", paramLabel = "N", defaultValue = "7853", description = "Default: ${DEFAULT-VALUE}.") int sv,
              @Option(names = "--target-vocab", paramLabel = "N", defaultValue = "5893", description = "Default: ${DEFAULT-VALUE}.") int tv,
              @Option(names = "--batch", paramLabel = "N", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.") int b,
              @Option(names = "--length", paramLabel = "N", defaultValue = "24", description = "Source and target tokens per sentence. Default: ${DEFAULT-VALUE}.") int len,
              @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Untimed batches first. Default: ${DEFAULT-VALUE}.") int warm,
              @Option(names = "--steps", paramLabel = "N", defaultValue = "3", description = "Batches per timed run. Default: ${DEFAULT-VALUE}.") int steps,
              @Option(names = "--repeats", paramLabel = "N", defaultValue = "3", description = "Timed runs; the median is reported. Default: ${DEFAULT-VALUE}.") int repeats,
              @Option(names = "--json", description = "Print one JSON object.") boolean asJson,
              @Mixin ThreadsOption benchThreads) {
        String m = mode.toLowerCase(Locale.ROOT);
        if (!List.of("train", "decode", "both").contains(m)) throw Checks.usage("--mode must be train, decode or both, got '" + mode + "'");
        Checks.range("--embed", e, 1, 8192);
        Checks.range("--hidden", h, 1, 8192);
        Checks.range("--source-vocab", sv, 5, 10_000_000);
        Checks.range("--target-vocab", tv, 5, 10_000_000);
        Checks.range("--batch", b, 1, 100_000);
        Checks.range("--length", len, 1, 1000);
        Checks.range("--warmup", warm, 0, 1_000_000);
        Checks.range("--steps", steps, 1, 1_000_000);
        Checks.range("--repeats", repeats, 1, 1000);
        benchThreads.apply();
        new TranslateBench(io).run(new TranslateBench.Options(!m.equals("decode"), !m.equals("train"), cell(cellName), e, h,
                score(att), feed, sv, tv, b, len, warm, steps, repeats), asJson);
        return 0;
    }

    static CellType cell(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "lstm" -> CellType.LSTM;
            case "gru" -> CellType.GRU;
            default -> throw Checks.usage("--model must be lstm or gru, got '" + name + "'");
        };
    }

    static AttentionScore score(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "additive" -> AttentionScore.ADDITIVE;
            case "dot" -> AttentionScore.DOT;
            case "general" -> AttentionScore.GENERAL;
            default -> throw Checks.usage("--attention must be additive, dot or general, got '" + name + "'");
        };
    }
}
