package dev.recur.app.cli;

import dev.recur.app.core.Io;
import dev.recur.app.forecast.Features;
import dev.recur.app.forecast.Fill;
import dev.recur.app.forecast.ForecastTrainer;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.RunFolder;
import dev.recur.layers.forecast.ForecastConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train-app forecast}: trains a recurrent forecaster on a CSV time series and tests it against the naive baselines. */
@Command(name = "forecast", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Time-series forecasting with the long-term forecasting protocol: chronological split (ETT files 12/4/4",
            "months, otherwise 70/10/20 %), z-scores from the training part, sliding windows of --lookback rows",
            "forecasting the next --horizon rows. Trains with early stopping on validation, then prints test MSE and",
            "MAE (normalised and in original units, per step group) next to the naive baselines (last value,",
            "seasonal naive). Without --data it runs on a generated hourly series with trend, seasons and noise."})
public final class ForecastCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "FILE", description = "CSV file: a header, a timestamp column, numeric columns, rows in time order. Default: the generated series.")
    Path data;

    @Option(names = "--time-column", paramLabel = "NAME", description = "The timestamp column. Default: ${DEFAULT-VALUE}.")
    String timeColumn = "date";

    @Option(names = "--target", paramLabel = "NAME", description = "The column to forecast. Default: the last numeric column.")
    String target;

    @Option(names = "--features", paramLabel = "M|S|MS", description = "M: every column in and out; S: the target alone; MS: every column in, the target out. Default: ${DEFAULT-VALUE}.")
    String features = "M";

    @Option(names = "--fill", paramLabel = "none|previous|linear", description = "Missing values: refuse the file, repeat the previous value, or interpolate. Default: ${DEFAULT-VALUE}.")
    String fill = "none";

    @Option(names = "--lookback", paramLabel = "L", description = "Rows the model sees. Default: ${DEFAULT-VALUE}.")
    int lookback = 96;

    @Option(names = "--horizon", paramLabel = "H", description = "Rows it forecasts, all at once. Default: ${DEFAULT-VALUE}.")
    int horizon = 96;

    @Option(names = "--season", paramLabel = "S", description = "Season of the seasonal naive baseline. Default: inferred from the training rows.")
    Integer season;

    @Option(names = "--model", paramLabel = "lstm|gru|encdec|segrnn", description = "lstm or gru: a recurrent encoder with a linear head emitting all H steps; "
            + "encdec: a GRU encoder and a GRU decoder emitting the horizon step by step (teacher forcing in training); "
            + "segrnn: the segment-recurrent GRU with parallel decoding (SegRNN; channel-independent). Default: ${DEFAULT-VALUE}.")
    String model = "gru";

    @Option(names = "--hidden", paramLabel = "N", description = "Hidden units. Default: ${DEFAULT-VALUE}.")
    int hidden = 64;

    @Option(names = "--layers", paramLabel = "N", description = "Stacked recurrent layers. Default: ${DEFAULT-VALUE}.")
    int layers = 1;

    @Option(names = "--segment", paramLabel = "W", description = "segrnn: segment length; divides --lookback and --horizon. Default: ${DEFAULT-VALUE}.")
    int segment = 24;

    @Option(names = "--dropout", paramLabel = "P", description = "lstm, gru: dropout between recurrent layers; segrnn: before its output layer. Default: ${DEFAULT-VALUE}.")
    double dropout = 0;

    @Option(names = "--teacher-forcing", paramLabel = "R", description = "encdec: the probability that a training step's decoder input is the true previous value rather than the model's forecast. Default: ${DEFAULT-VALUE}.")
    double teacherForcing = 0.5;

    @Option(names = "--channel-independent", description = "One model shared by every column: each column of each window is a series of its own (features M or S).")
    boolean channelIndependent;

    @Option(names = "--revin", description = "Reversible instance normalisation: each window normalised by its own mean and spread, the forecast mapped back.")
    boolean revin;

    @Option(names = "--subtract-last", description = "Last-value normalisation (NLinear's, and SegRNN's reference default): each window's last look-back value subtracted, added back to the forecast.")
    boolean subtractLast;

    @Option(names = "--loss", paramLabel = "mse|mae|huber", description = "Training loss. Default: ${DEFAULT-VALUE}.")
    String loss = "mse";

    /** --epochs, --lr-schedule, --lr-warmup, --patience, --batch (windows), --lr, --optimizer, --momentum, --weight-decay, --clip-norm, --clip-value. */
    @Mixin TrainingOptions training = defaults();

    @Option(names = "--time-limit", paramLabel = "MINUTES", description = "Validate, checkpoint and stop at the first batch after this many minutes (0 = none). Default: ${DEFAULT-VALUE}.")
    double timeLimit = 0;

    @Mixin SeedOption seed = new SeedOption();

    @Mixin ThreadsOption threads = new ThreadsOption();

    @Mixin RunFolderOptions run = new RunFolderOptions(Path.of("runs", "forecast"));

    @Option(names = "--json", description = "Print the test results as one JSON object instead of a table.")
    boolean json;

    /** Options that define the run: recorded in its checkpoints, compared by --resume. */
    static final List<String> RUN_OPTIONS = List.of("--time-column", "--target", "--features", "--fill", "--lookback",
            "--horizon", "--model", "--hidden", "--layers", "--segment", "--dropout", "--teacher-forcing", "--channel-independent", "--revin", "--subtract-last", "--loss",
            "--patience", "--lr", "--lr-schedule", "--lr-warmup", "--lr-step-after", "--lr-step-factor", "--optimizer", "--momentum", "--weight-decay", "--clip-norm",
            "--clip-value", "--batch", "--seed");

    /** forecast's defaults: 10 epochs, 32 windows, Adam at 3e-3 constant, clipping at norm 1, patience 3. */
    private static TrainingOptions defaults() {
        TrainingOptions t = new TrainingOptions(10, 32, 3e-3, LrScheduleKind.constant, OptimizerKind.adam, 1.0);
        t.patience = 3;
        return t;
    }

    @Spec CommandSpec spec;

    private final Io io;

    public ForecastCommand(Io io) { this.io = io; }

    @Override
    public Integer call() {
        Features f = choice("--features", features, Features.values());
        Fill fl = choice("--fill", fill, Fill.values());
        ForecastTrainer.Kind kind = switch (model.toLowerCase(Locale.ROOT)) {
            case "lstm" -> ForecastTrainer.Kind.lstm;
            case "gru" -> ForecastTrainer.Kind.gru;
            case "segrnn" -> ForecastTrainer.Kind.segrnn;
            case "encdec" -> ForecastTrainer.Kind.encdec;
            default -> throw Checks.usage("--model must be lstm, gru, encdec or segrnn, got '" + model + "'");
        };
        String lossName = loss.toLowerCase(Locale.ROOT);
        if (!List.of("mse", "mae", "huber").contains(lossName)) throw Checks.usage("--loss must be mse, mae or huber, got '" + loss + "'");
        Checks.range("--lookback", lookback, 1, 100_000);
        Checks.range("--horizon", horizon, 1, 100_000);
        if (season != null) Checks.range("--season", season, 1, 100_000);
        Checks.range("--hidden", hidden, 1, 8192);
        Checks.range("--layers", layers, 1, 16);
        Checks.range("--segment", segment, 1, 100_000);
        if (kind == ForecastTrainer.Kind.segrnn && spec.commandLine().getParseResult().hasMatchedOption("--layers") && layers != 1) {
            throw Checks.usage("--model segrnn has one GRU layer; drop --layers " + layers);
        }
        Checks.range("--dropout", dropout, 0, 0.95);
        Checks.range("--teacher-forcing", teacherForcing, 0, 1);
        if (kind != ForecastTrainer.Kind.encdec && spec.commandLine().getParseResult().hasMatchedOption("--teacher-forcing")) {
            throw Checks.usage("--teacher-forcing is for --model encdec (the other models emit the horizon without feeding it back)");
        }
        if (revin && subtractLast) throw Checks.usage("--revin and --subtract-last are two normalisations of a window; give one");
        training.check();
        Checks.range("--time-limit", timeLimit, 0, 1e6);
        threads.apply();
        if (run.resume) {
            Path last = RunFolder.prepare(run.out, true);
            RunOptions.checkResume(spec.commandLine().getParseResult(),
                    Checkpoint.read(last, ForecastTrainer.TASK, "forecast").runOptions(), RUN_OPTIONS, last);
        }
        new ForecastTrainer(io).run(new ForecastTrainer.Options(data, timeColumn, target, f, fl, lookback, horizon, season,
                kind, hidden, kind == ForecastTrainer.Kind.segrnn ? 1 : layers, segment, dropout, teacherForcing, channelIndependent,
                revin ? ForecastConfig.Norm.REVIN : subtractLast ? ForecastConfig.Norm.LAST : ForecastConfig.Norm.NONE, lossName,
                training.epochs, training.patience, training.lr, training.optimizer, training.clipNorm, training.batch, seed.seed, run.out,
                run.resume, json, RunOptions.of(spec, RUN_OPTIONS), training.schedule(training.lr), training.momentum,
                training.weightDecay, training.clipValue, timeLimit));
        return 0;
    }

    /** {@code forecast predict}: the next H rows after the end of a CSV, from a trained checkpoint. */
    @Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Forecasts the --horizon rows after the end of a CSV with a trained model: prints CSV (date and the",
                "forecast columns in original units), the timestamps continuing at the data's time step. The file needs",
                "the model's input columns and at least --lookback rows."})
    int predict(@Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "A checkpoint written by forecast, e.g. runs/forecast/best.safetensors.") Path checkpoint,
                @Option(names = "--data", required = true, paramLabel = "FILE", description = "The CSV whose last rows the forecast starts from.") Path file,
                @Option(names = "--time-column", paramLabel = "NAME", defaultValue = "date", description = "The timestamp column. Default: ${DEFAULT-VALUE}.") String time,
                @Option(names = "--fill", paramLabel = "none|previous|linear", defaultValue = "none", description = "Missing values. Default: ${DEFAULT-VALUE}.") String gaps,
                @Option(names = "--plot", paramLabel = "FILE.png", description = "Also draw the file's last --lookback rows and the forecast (up to 4 output columns, the target first) as PNG.") Path plot) {
        checkPlot(plot);
        var series = new dev.recur.app.forecast.SeriesCsv(time, choice("--fill", gaps, Fill.values())).read(file, "--data");
        io.out().print(dev.recur.app.forecast.ForecastPredictor.predict(checkpoint, series, plot));
        io.out().flush();
        if (plot != null) io.progress().info("plot: " + plot);
        return 0;
    }

    /** {@code forecast eval}: a trained checkpoint on the test part of a series, next to the naive baselines. */
    @Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Tests a trained model on the test part of a CSV with the protocol it was trained with (the file's",
                "chronological split and training statistics, the model's look-back, horizon and features): MSE and MAE,",
                "normalised and in original units, per step group, next to the naive baselines."})
    int eval(@Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "A checkpoint written by forecast, e.g. runs/forecast/best.safetensors.") Path checkpoint,
             @Option(names = "--data", required = true, paramLabel = "FILE", description = "The CSV to test on (ETTh*/ETTm* names take the ETT borders, others 70/10/20 %).") Path file,
             @Option(names = "--time-column", paramLabel = "NAME", defaultValue = "date", description = "The timestamp column. Default: ${DEFAULT-VALUE}.") String time,
             @Option(names = "--fill", paramLabel = "none|previous|linear", defaultValue = "none", description = "Missing values. Default: ${DEFAULT-VALUE}.") String gaps,
             @Option(names = "--season", paramLabel = "S", description = "Season of the seasonal naive baseline. Default: inferred from the training rows.") Integer season,
             @Option(names = "--json", description = "Print the results as one JSON object instead of a table.") boolean asJson,
             @Option(names = "--plot", paramLabel = "FILE.png", description = "Also draw the first, middle and last test windows (history, truth, forecast of the target) as PNG.") Path plot) {
        if (season != null) Checks.range("--season", season, 1, 100_000);
        checkPlot(plot);
        var series = new dev.recur.app.forecast.SeriesCsv(time, choice("--fill", gaps, Fill.values())).read(file, "--data");
        new dev.recur.app.forecast.ForecastEvaluator(io).run(checkpoint, file, series, season, asJson, plot);
        return 0;
    }

    private static void checkPlot(Path plot) {
        if (plot == null) return;
        if (!plot.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw Checks.usage("--plot writes a PNG picture; give a file name ending in .png, got '" + plot + "'");
        }
        Path parent = plot.toAbsolutePath().getParent();
        if (parent != null && !java.nio.file.Files.isDirectory(parent)) {
            throw Checks.usage("--plot " + plot + ": the folder " + parent + " does not exist; create it or choose another");
        }
    }

    private static <E extends Enum<E>> E choice(String option, String value, E[] values) {
        List<String> names = new java.util.ArrayList<>();
        for (E e : values) {
            if (e.name().equalsIgnoreCase(value)) return e;
            names.add(option.equals("--features") ? e.name() : e.name().toLowerCase(Locale.ROOT));
        }
        throw Checks.usage(option + " must be " + String.join(", ", names.subList(0, names.size() - 1)) + " or "
                + names.getLast() + ", got '" + value + "'");
    }
}
