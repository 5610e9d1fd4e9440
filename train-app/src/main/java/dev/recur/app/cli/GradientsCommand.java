package dev.recur.app.cli;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.data.CharCorpus;
import dev.recur.app.lab.ExplodingExperiment;
import dev.recur.app.lab.LabSettings;
import dev.recur.app.lab.LongRangeExperiment;
import dev.recur.app.lab.VanishingExperiment;
import dev.recur.app.lm.LmTrainer;
import dev.recur.app.run.Choices;
import dev.recur.app.run.Choices.ModelKind;
import dev.recur.app.run.RunFolder;
import dev.recur.engine.Engine;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train-app gradients}: the vanishing/exploding gradient lab. */
@Command(name = "gradients", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "The vanishing/exploding gradient lab. Experiments (--experiment):",
            "  vanishing   ‖∂L/∂h_k‖ against the distance T−k for RNN, LSTM and GRU (loss at the last step),",
            "              averaged over batches: gradients.csv and gradients.png (log scale). Inputs: the",
            "              adding problem (default), a UTF-8 text (--data), or an lm checkpoint (--checkpoint).",
            "  long-range  trains each cell on the adding problem at several lengths (--lengths) and shows",
            "              where the plain RNN stops learning: long_range.csv and long_range.png.",
            "  exploding   a tanh RNN with recurrent weights scaled by --recurrent-scale, trained by SGD with",
            "              and without --clip-norm: loss and gradient norm per step, exploding.csv/.png.",
            "  all         the three in turn."})
public final class GradientsCommand implements Callable<Integer> {
    /** Which experiment to run. */
    public enum Experiment { vanishing, long_range, exploding, all }

    @Option(names = "--experiment", paramLabel = "NAME", converter = ExperimentConverter.class,
            description = "vanishing, long-range, exploding or all. Default: vanishing.")
    Experiment experiment = Experiment.vanishing;

    @Option(names = "--models", split = ",", paramLabel = "rnn,lstm,gru", description = "Cells to compare. Default: rnn,lstm,gru.")
    List<ModelKind> models = List.of(ModelKind.rnn, ModelKind.lstm, ModelKind.gru);

    @Option(names = "--hidden", paramLabel = "N", description = "Hidden units. Default: ${DEFAULT-VALUE}.")
    int hidden = 64;

    @Option(names = "--length", paramLabel = "T", description = "Sequence length (vanishing, exploding). Default: ${DEFAULT-VALUE}.")
    int length = 50;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences per batch. Default: ${DEFAULT-VALUE}.")
    int batch = 32;

    @Option(names = "--batches", paramLabel = "N", description = "Batches averaged over (vanishing). Default: ${DEFAULT-VALUE}.")
    int batches = 4;

    @Option(names = "--pretrain-steps", paramLabel = "N", description = "Vanishing: train each fresh model this many steps on the adding problem first (0 = measure at initialisation). Default: ${DEFAULT-VALUE}.")
    int pretrainSteps = 0;

    @Option(names = "--no-forget-bias", description = "Start LSTM forget gates at PyTorch's default bias instead of 1 (the usual practice, on by default in the lab).")
    boolean noForgetBias;

    @Option(names = "--data", paramLabel = "FILE", description = "Vanishing: measure on this UTF-8 text (characters through a fixed random embedding) instead of the adding problem.")
    Path data;

    @Option(names = "--imdb", paramLabel = "PATH|sample", description = "Vanishing: measure on IMDB reviews (aclImdb folder or .tar.gz, or 'sample' for the embedded sample): the last --length words of each review through a fixed random embedding, loss = sentiment at the last word.")
    String imdb;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Vanishing: measure a trained 'lm' model (on --data, or the embedded text) instead of fresh ones.")
    Path checkpoint;

    @Option(names = "--lengths", split = ",", paramLabel = "T,T,...", description = "Long-range: adding-problem lengths. Default: 10,25,50,100.")
    List<Integer> lengths = List.of(10, 25, 50, 100);

    @Option(names = "--train-steps", paramLabel = "N", description = "Long-range: Adam steps per model and length. Default: ${DEFAULT-VALUE}.")
    int trainSteps = 1500;

    @Option(names = "--lr", paramLabel = "X", description = "Long-range: Adam learning rate. Default: ${DEFAULT-VALUE}.")
    double lr = 5e-3;

    @Option(names = "--learned-below", paramLabel = "F", description = "Long-range: a model has learned when its test MSE is below F × the baseline 1/6. Default: ${DEFAULT-VALUE}.")
    double learnedBelow = 0.2;

    @Option(names = "--recurrent-scale", paramLabel = "X", description = "Exploding: factor on the initial recurrent weights. Default: ${DEFAULT-VALUE}.")
    double recurrentScale = 2.5;

    @Option(names = "--sgd-lr", paramLabel = "X", description = "Exploding: SGD learning rate. Default: ${DEFAULT-VALUE}.")
    double sgdLr = 0.05;

    @Option(names = "--exploding-steps", paramLabel = "N", description = "Exploding: SGD steps per run. Default: ${DEFAULT-VALUE}.")
    int explodingSteps = 300;

    @Option(names = "--clip-norm", paramLabel = "X", description = "Clipping threshold (exploding: the clipped run; long-range: always). Default: ${DEFAULT-VALUE}.")
    double clipNorm = 1.0;

    @Mixin SeedOption seed = new SeedOption();

    @Mixin ThreadsOption threads = new ThreadsOption();

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out = Path.of("runs", "lab");

    private final Io io;

    public GradientsCommand(Io io) { this.io = io; }

    /** Accepts {@code long-range} as well as {@code long_range}. */
    static final class ExperimentConverter implements picocli.CommandLine.ITypeConverter<Experiment> {
        @Override
        public Experiment convert(String s) {
            try {
                return Experiment.valueOf(s.toLowerCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + s
                        + "' is not an experiment; use vanishing, long-range, exploding or all");
            }
        }
    }

    @Override
    public Integer call() {
        Checks.range("--hidden", hidden, 1, 4096);
        Checks.range("--length", length, 2, 100_000);
        Checks.range("--batch", batch, 1, 100_000);
        Checks.range("--batches", batches, 1, 100_000);
        Checks.range("--pretrain-steps", pretrainSteps, 0, 10_000_000);
        Checks.range("--train-steps", trainSteps, 1, 10_000_000);
        Checks.range("--exploding-steps", explodingSteps, 1, 10_000_000);
        Checks.positive("--lr", lr);
        Checks.positive("--sgd-lr", sgdLr);
        Checks.positive("--recurrent-scale", recurrentScale);
        Checks.range("--clip-norm", clipNorm, 1e-9, 1e9);
        Checks.range("--learned-below", learnedBelow, 1e-9, 1);
        if (models.isEmpty()) throw AppException.usage("--models needs at least one of rnn, lstm, gru");
        for (int l : lengths) Checks.range("--lengths", l, 2, 100_000);
        threads.apply();
        RunFolder.results(out);
        LabSettings s = new LabSettings(models.stream().map(Choices::cell).toList(), hidden, length, batch, batches,
                pretrainSteps, !noForgetBias, seed.seed, lr, clipNorm, lengths, trainSteps, learnedBelow, recurrentScale, sgdLr,
                explodingSteps, out);
        boolean all = experiment == Experiment.all;
        if (all || experiment == Experiment.vanishing) {
            if (checkpoint != null) {
                try (LmTrainer.Loaded lm = LmTrainer.load(checkpoint, batch, length)) {
                    lm.model().recurrent().setStateful(false); // the probe gives each run its initial state
                    CharCorpus text = LmTrainer.corpus(data, 0.1);
                    new VanishingExperiment(s, io).run(new VanishingExperiment.TrainedModel("lm checkpoint "
                            + checkpoint.getFileName() + " on " + text.name(), lm.config().cell(), lm.config().layers(),
                            lm.model().embedding(), lm.model().recurrent(), lm.model().output(), lm.config().vocabulary(), text),
                            null, null);
                }
            } else {
                new VanishingExperiment(s, io).run(null, imdb, data);
            }
        }
        if (all || experiment == Experiment.long_range) new LongRangeExperiment(s, io).run();
        if (all || experiment == Experiment.exploding) new ExplodingExperiment(s, io).run();
        return 0;
    }
}
