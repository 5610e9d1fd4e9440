package dev.recur.app.forecast;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.Fingerprint;
import dev.recur.app.run.Json;
import dev.recur.app.run.LrSchedule;
import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.progress.Progress;
import dev.recur.layers.forecast.EncoderDecoderForecaster;
import dev.recur.layers.forecast.ForecastConfig;
import dev.recur.layers.forecast.ForecastModel;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.rnn.CellType;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a forecasting model on a series with the long-term forecasting protocol, on the shared
 * {@link TrainingLoop} ({@link ForecastTask}: training windows in a seeded order every epoch, the
 * validation loss after each epoch, early stopping after {@code patience} epochs without
 * improvement), then scores the test windows once with the best checkpoint next to the naive
 * baselines, in normalised and original units. Writes what every task writes: {@code last}/{@code
 * best} checkpoints (with the normaliser), {@code metrics.jsonl}, a curve picture.
 */
public final class ForecastTrainer {
    /** The checkpoint task name. */
    public static final String TASK = "forecast";

    /** The model families of {@code --model}. */
    public enum Kind { lstm, gru, segrnn, encdec }

    /** Everything {@code forecast} is told. */
    public record Options(Path data, String timeColumn, String target, Features features, Fill fill, int lookback,
                          int horizon, Integer season, Kind model, int hidden, int layers, int segment, double dropout,
                          double teacherForcing,
                          boolean channelIndependent, ForecastConfig.Norm norm, String loss, int epochs, int patience, double lr,
                          OptimizerKind optimizer, double clipNorm, int batch, long seed, Path out, boolean resume,
                          boolean json, Map<String, String> runOptions, LrSchedule schedule, Double momentum,
                          Double weightDecay, double clipValue, double timeLimitMinutes) {
        public Options {
            runOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runOptions));
            if (schedule == null) schedule = LrSchedule.constant(lr);
        }
    }

    /** One row of the results table: a model or a baseline on the test windows. */
    public record Score(String name, double mse, double mae, double mseOriginal, double maeOriginal) {
        static Score of(String name, ForecastErrors e) {
            return new Score(name, e.mse(), e.mae(), e.mseOriginal(), e.maeOriginal());
        }
    }

    /** What a run ended with: the model's test score and the baselines'. */
    public record Result(Score model, List<Score> baselines, int epochs, int bestEpoch, Path best) { }

    private final Io io;

    public ForecastTrainer(Io io) { this.io = io; }

    /** The series of {@code --data}, or the generated one when none is given. */
    static TimeSeries load(Options o) {
        if (o.data() == null) return SyntheticSeries.generate();
        return new SeriesCsv(o.timeColumn(), o.fill()).read(o.data(), "--data");
    }

    static String fingerprint(ForecastData d) {
        Fingerprint f = new Fingerprint().add(d.series().rows());
        for (String n : d.inputNames()) f.add(n);
        for (int r = 0; r < d.series().rows(); r++) {
            for (int c = 0; c < d.inputNames().size(); c++) f.add(Float.floatToIntBits(d.value(r, c)));
        }
        return f.hex();
    }

    public Result run(Options o) {
        boolean ci = o.channelIndependent() || o.model() == Kind.segrnn;
        if (ci && o.features() == Features.MS) {
            throw AppException.usage((o.model() == Kind.segrnn ? "--model segrnn is channel-independent" : "--channel-independent")
                    + " forecasts every input channel from its own past, so it needs --features M or S, not MS");
        }
        if (o.model() == Kind.encdec && !ci && o.features() == Features.MS) {
            throw AppException.usage("--model encdec feeds each forecast step back as the next input, so it needs --features M or S"
                    + " (or --channel-independent), not MS");
        }
        if (o.norm() != ForecastConfig.Norm.NONE && !ci && o.features() == Features.MS) {
            throw AppException.usage((o.norm() == ForecastConfig.Norm.REVIN ? "--revin" : "--subtract-last")
                    + " maps the forecast back with the input channels' own statistics, so it needs "
                    + "--features M or S (or --channel-independent), not MS");
        }
        TimeSeries series = load(o);
        Split.Rule rule = o.data() == null ? Split.Rule.RATIO : Split.Rule.forFile(o.data().getFileName().toString());
        ForecastData data = ForecastData.prepare(series, o.features(), o.target(), o.lookback(), o.horizon(), rule);
        int channels = data.inputNames().size();
        ForecastConfig cfg = config(o, channels, data.outputNames().size(), ci);
        int perWindow = ci ? channels : 1;
        Windows train = data.windows(Split.TRAIN), val = data.windows(Split.VALIDATION), test = data.windows(Split.TEST);
        List<NaiveForecast> baselines = NaiveForecast.baselines(data, o.season());

        Path last = RunFolder.prepare(o.out(), o.resume()), best = o.out().resolve(RunFolder.BEST);
        Checkpoint resumed = o.resume() ? Checkpoint.read(last, TASK, "forecast") : null;
        String fingerprint = fingerprint(data);
        if (resumed != null) {
            resumed.requireData(fingerprint, "other data than " + series.source() + "; resume with the same --data and data options");
        }
        int maxSeq = o.batch() * perWindow;
        try (Arena arena = Arena.ofShared();
             ForecastModel model = ForecastModel.create(cfg, o.seed(), maxSeq);
             Optimizer opt = Optimizers.create(o.optimizer(), model.parameters(), o.lr(), o.momentum(), o.weightDecay())) {
            Batches batches = new Batches(arena, cfg, o.batch(), ci, channels);
            if (model instanceof EncoderDecoderForecaster ed) ed.setTeacherForcing((float) o.teacherForcing());
            TrainingLoop.Position from = TrainingLoop.Position.START;
            if (resumed != null) {
                resumed.loadTraining(model.parameters(), opt);
                model.restoreRandomState(randomState(resumed.metadata()));
                from = ForecastTask.position(resumed, opt.steps());
                io.progress().info(String.format(Locale.ROOT, "resuming %s after epoch %d", last, from.epochsDone()));
            }
            io.progress().info(String.format(Locale.ROOT, "forecast %s (%s): %s, features %s, %d → %d channels%s%s, look-back %d, "
                            + "horizon %d; %,d train / %,d validation / %,d test windows; %,d parameters",
                    series.source(), rule.label(), describe(cfg), o.features(), channels, data.outputNames().size(),
                    ci ? ", channel-independent" : "", normDescription(cfg.norm()), o.lookback(), o.horizon(),
                    train.count(), val.count(), test.count(), parameterCount(model)));
            ForecastTask task = new ForecastTask(model, batches, train, val, data.outputStd(), metadata(o, cfg, data, fingerprint, ci),
                    o.seed(), o.batch());
            TrainingLoop.Settings settings = TrainingLoop.Settings.of(o.out(), TASK, o.epochs(), o.lr())
                    .withSchedule(o.schedule()).withClipping(o.clipNorm(), o.clipValue()).withPatience(o.patience())
                    .withTimeLimit(o.timeLimitMinutes()).withUnit("batches").withPlot("Forecaster", PLOT);
            // with --json standard output holds the one JSON object: the loop's epoch summaries go to standard error
            Io loopIo = o.json() ? new Io(io.err(), io.err(), io.in(), Progress.off(io.err(), io.err())) : io;
            TrainingLoop.Outcome outcome = new TrainingLoop(settings, task, opt, model.parameters(), model.parameters(), loopIo)
                    .run(from);
            int bestEpoch = outcome.at().bestAt();
            Path metricsFile = o.out().resolve(RunFolder.METRICS);
            Checkpoint.read(best, TASK, "forecast").loadParameters(model.parameters());
            ForecastErrors testErrors = evaluate(model, batches, test, data.outputStd()).errors();
            Score score = Score.of(describe(cfg), testErrors);
            List<Score> base = new ArrayList<>();
            for (NaiveForecast f : baselines) base.add(Score.of(f.name(), ForecastErrors.evaluate(test, f, data.outputStd())));
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("split", "test");
            rec.put("checkpoint", best.toString());
            rec.put("best_epoch", bestEpoch);
            rec.put("test_mse", score.mse());
            rec.put("test_mae", score.mae());
            rec.put("test_mse_original", score.mseOriginal());
            rec.put("test_mae_original", score.maeOriginal());
            for (Score sc : base) {
                String key = sc.name().startsWith("last") ? "last_value" : "seasonal_naive";
                rec.put(key + "_mse", sc.mse());
                rec.put(key + "_mae", sc.mae());
            }
            rec.put("windows_per_s", task.windowsPerSecond());
            try (MetricsLog metrics = MetricsLog.append(metricsFile)) {
                metrics.write(rec);
            }
            report(io, o.json(), data, score, base, testErrors, "best epoch " + bestEpoch + " by validation", bestEpoch, best,
                    String.format(Locale.ROOT, "checkpoints: %s, %s%nmetrics: %s", last, best, metricsFile));
            return new Result(score, base, outcome.at().epochsDone(), bestEpoch, best);
        }
    }

    /**
     * Prints the test results: a table (model, baselines, step groups; normalised and original
     * units) or, with {@code json}, one JSON object.
     */
    static void report(Io io, boolean json, ForecastData data, Score model, List<Score> base, ForecastErrors errors, String which,
                       int bestEpoch, Path checkpoint, String footer) {
        int lookback = data.split().lookback(), horizon = data.split().horizon();
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("data", data.series().source());
            j.put("features", data.features().name());
            j.put("target", data.target());
            j.put("lookback", lookback);
            j.put("horizon", horizon);
            j.put("best_epoch", bestEpoch);
            j.put("test_windows", errors.windows());
            j.put("model", row(model));
            List<Map<String, Object>> b = new ArrayList<>();
            for (Score s : base) b.add(row(s));
            j.put("baselines", b);
            List<Map<String, Object>> groups = new ArrayList<>();
            for (ForecastErrors.StepGroup g : errors.groups(groupSize(horizon))) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("steps", g.firstStep() + "-" + g.lastStep());
                m.put("mse", g.mse());
                m.put("mae", g.mae());
                m.put("mse_original", g.mseOriginal());
                m.put("mae_original", g.maeOriginal());
                groups.add(m);
            }
            j.put("step_groups", groups);
            j.put("checkpoint", checkpoint.toString());
            io.out().println(Json.write(j));
            io.out().flush();
            return;
        }
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "test, %,d windows (%s; normalised | original units)%n", errors.windows(), which));
        t.append(String.format(Locale.ROOT, "%-28s %10s %10s | %12s %12s%n", "", "MSE", "MAE", "MSE", "MAE"));
        for (Score s : concat(model, base)) {
            t.append(String.format(Locale.ROOT, "%-28s %10.4f %10.4f | %12.4f %12.4f%n", s.name(), s.mse(), s.mae(),
                    s.mseOriginal(), s.maeOriginal()));
        }
        t.append("by horizon step:\n");
        for (ForecastErrors.StepGroup g : errors.groups(groupSize(horizon))) {
            t.append(String.format(Locale.ROOT, "  steps %3d-%-3d %19.4f %10.4f | %12.4f %12.4f%n", g.firstStep(), g.lastStep(),
                    g.mse(), g.mae(), g.mseOriginal(), g.maeOriginal()));
        }
        t.append(footer);
        io.progress().result(t.toString());
    }

    private static List<Score> concat(Score first, List<Score> rest) {
        List<Score> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private static int groupSize(int horizon) { return horizon >= 48 ? 24 : Math.max(1, horizon / 4); }

    private static Map<String, Object> row(Score s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("mse", s.mse());
        m.put("mae", s.mae());
        m.put("mse_original", s.mseOriginal());
        m.put("mae_original", s.maeOriginal());
        return m;
    }

    /** The loss curves' file in the run folder. */
    static final String PLOT = "curve.png";

    /** Prefix of the checkpoint keys that hold the model's random stream positions ({@link ForecastModel#randomState()}). */
    static final String RANDOM_PREFIX = "train.random.";

    static Map<String, Long> randomState(Map<String, String> meta) {
        Map<String, Long> m = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(RANDOM_PREFIX)) {
                try {
                    m.put(k.substring(RANDOM_PREFIX.length()), Long.parseLong(v));
                } catch (NumberFormatException e) {
                    throw new AppException("checkpoint metadata " + k + " is not a count ('" + v + "'); the file is damaged");
                }
            }
        });
        return m;
    }

    static ForecastConfig config(Options o, int channels, int outputs, boolean ci) {
        if (o.model() == Kind.segrnn) {
            if (o.lookback() % o.segment() != 0 || o.horizon() % o.segment() != 0) {
                throw AppException.usage("--segment " + o.segment() + " must divide --lookback " + o.lookback()
                        + " and --horizon " + o.horizon() + " (SegRNN cuts both into whole segments)");
            }
            if (o.hidden() % 2 != 0) throw AppException.usage("--hidden must be even for segrnn (half position, half channel embedding), got " + o.hidden());
            return ForecastConfig.segment(channels, o.lookback(), o.horizon(), o.hidden(), o.segment(), (float) o.dropout(),
                    o.norm(), o.loss());
        }
        if (o.model() == Kind.encdec) {
            return ForecastConfig.encoderDecoder(ci ? 1 : channels, o.lookback(), o.horizon(), o.hidden(), o.layers(),
                    (float) o.dropout(), o.norm(), o.loss());
        }
        CellType cell = o.model() == Kind.lstm ? CellType.LSTM : CellType.GRU;
        return new ForecastConfig(ForecastConfig.Architecture.DIRECT, cell, ci ? 1 : channels, ci ? 1 : outputs, 1,
                o.lookback(), o.horizon(), o.hidden(), o.layers(), 0, (float) o.dropout(), o.norm(), o.loss());
    }

    private static String normDescription(ForecastConfig.Norm n) {
        return switch (n) {
            case NONE -> "";
            case REVIN -> ", RevIN";
            case LAST -> ", last value subtracted";
        };
    }

    static String describe(ForecastConfig c) {
        return switch (c.architecture()) {
            case SEGMENT -> String.format(Locale.ROOT, "SegRNN (GRU %d, segment %d)", c.hidden(), c.segment());
            case ENCODER_DECODER -> String.format(Locale.ROOT, "GRU %d×%d encoder → GRU decoder", c.layers(), c.hidden());
            case DIRECT -> String.format(Locale.ROOT, "%s %d×%d → linear", c.cell(), c.layers(), c.hidden());
        };
    }

    private static long parameterCount(ForecastModel m) {
        long n = 0;
        for (var p : m.parameters()) n += p.size();
        return n;
    }

    private static Map<String, String> metadata(Options o, ForecastConfig cfg, ForecastData data, String fingerprint, boolean ci) {
        Map<String, String> meta = Checkpoint.runMetadata(cfg.toMetadata(), o.runOptions(), fingerprint);
        Normaliser n = data.normaliser();
        double[] mean = new double[n.columns()], std = new double[n.columns()];
        for (int c = 0; c < n.columns(); c++) {
            mean[c] = n.mean(c);
            std[c] = n.std(c);
        }
        meta.put("forecast.inputs", Json.write(n.names()));
        meta.put("forecast.outputs", Json.write(data.outputNames()));
        meta.put("forecast.mean", Json.write(mean));
        meta.put("forecast.std", Json.write(std));
        meta.put("forecast.features", data.features().name());
        meta.put("forecast.channel_independent", Boolean.toString(ci));
        return meta;
    }

    /** A seeded permutation of the training windows for one epoch (Fisher–Yates). */
    static int[] shuffled(int n, long seed, int epoch) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** Mean loss (the model's own) and the errors over every window of a part. */
    record Evaluation(double loss, ForecastErrors errors) { }

    static Evaluation evaluate(ForecastModel model, Batches batches, Windows windows, double[] outputStd) {
        ForecastErrors e = new ForecastErrors(windows.horizon(), outputStd);
        int[] order = new int[windows.count()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        double lossSum = 0;
        int size = batches.maxWindows();
        for (int from = 0; from < order.length; from += size) {
            int b = Math.min(size, order.length - from);
            batches.fill(windows, order, from, b);
            float loss = model.forward(batches.input(), batches.target(), b * batches.perWindow(), false);
            lossSum += (double) loss * b;
            e.add(batches.asWindows(model.prediction(), b), batches.asWindows(batches.target(), b), b);
        }
        return new Evaluation(lossSum / order.length, e);
    }
}
