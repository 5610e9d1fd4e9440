package dev.recur.app.forecast;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.layers.forecast.ForecastConfig;
import dev.recur.layers.forecast.ForecastModel;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code forecast eval}: a trained checkpoint on the test part of a series with the protocol the
 * checkpoint was trained with (the file's split, its training part's statistics, the model's
 * look-back and horizon, its features and outputs), next to the naive baselines; optionally a
 * picture of a few test windows.
 */
public final class ForecastEvaluator {
    /** Test windows drawn by {@code --plot}: the first, the middle and the last. */
    static final int PLOTTED_WINDOWS = 3;
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private final Io io;

    public ForecastEvaluator(Io io) { this.io = io; }

    /** What eval reports. */
    public record Result(ForecastTrainer.Score model, List<ForecastTrainer.Score> baselines) { }

    /**
     * @param season the seasonal baseline's season, or null to infer it
     * @param plot   where to draw the test windows, or null
     */
    public Result run(Path checkpoint, Path dataFile, TimeSeries series, Integer season, boolean json, Path plot) {
        ForecastPredictor.Trained t = ForecastPredictor.load(checkpoint);
        ForecastConfig cfg = t.config();
        Features features = t.features();
        String target = t.outputs().getLast();
        Split.Rule rule = Split.Rule.forFile(dataFile.getFileName().toString());
        for (String name : t.normaliser().names()) {
            if (!series.names().contains(name)) {
                throw new AppException(series.source() + " lacks the column " + name + " that the model was trained on ("
                        + String.join(", ", t.normaliser().names()) + ")");
            }
        }
        ForecastData data = ForecastData.prepare(restrict(series, t.normaliser().names()), features, target, cfg.lookback(),
                cfg.horizon(), rule);
        if (!data.outputNames().equals(t.outputs())) {
            throw new AppException(checkpoint + " forecasts " + String.join(", ", t.outputs()) + " but " + series.source()
                    + " with --features " + features + " gives " + String.join(", ", data.outputNames()));
        }
        Windows test = data.windows(Split.TEST);
        List<NaiveForecast> baselines = NaiveForecast.baselines(data, season);
        try (Arena arena = Arena.ofShared(); ForecastModel model = ForecastModel.create(cfg, 0, 64 * t.perWindow())) {
            t.checkpoint().loadParameters(model.parameters());
            Batches batches = new Batches(arena, cfg, 64, t.channelIndependent(), data.inputNames().size());
            ForecastErrors errors = ForecastTrainer.evaluate(model, batches, test, data.outputStd()).errors();
            ForecastTrainer.Score score = ForecastTrainer.Score.of(ForecastTrainer.describe(cfg), errors);
            List<ForecastTrainer.Score> base = new ArrayList<>();
            for (NaiveForecast f : baselines) base.add(ForecastTrainer.Score.of(f.name(), ForecastErrors.evaluate(test, f, data.outputStd())));
            if (plot != null) plotWindows(plot, model, batches, data, test);
            String epoch = t.checkpoint().metadata().getOrDefault("train.epoch", "?");
            ForecastTrainer.report(io, json, data, score, base, errors, checkpoint.getFileName() + " after epoch " + epoch,
                    -1, checkpoint, plot != null ? "plot: " + plot : "");
            return new Result(score, base);
        }
    }

    /** The series with only the named columns, in that order (the model's inputs). */
    static TimeSeries restrict(TimeSeries s, List<String> names) {
        double[][] cols = new double[names.size()][];
        for (int i = 0; i < cols.length; i++) cols[i] = s.columns()[s.column(names.get(i))];
        return new TimeSeries(s.source(), s.times(), names, cols);
    }

    private static void plotWindows(Path png, ForecastModel model, Batches batches, ForecastData data, Windows test) {
        int n = Math.min(PLOTTED_WINDOWS, test.count());
        int[] chosen = new int[n];
        for (int i = 0; i < n; i++) chosen[i] = n == 1 ? 0 : (int) ((long) i * (test.count() - 1) / (n - 1));
        batches.fill(test, chosen, 0, n);
        model.forward(batches.input(), null, n * batches.perWindow(), false);
        float[] pred = batches.asWindows(model.prediction(), n).toArray();   // row h·n + b, column k
        int k = test.outputChannels() - 1;   // the target: the last output
        int channel = test.inputOf(k), L = test.lookback(), H = test.horizon(), C = test.outputChannels();
        Normaliser norm = data.normaliser();
        String column = data.inputNames().get(channel);
        List<ForecastPlot.Panel> panels = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            int w = chosen[b];
            double[] history = new double[L], forecast = new double[H], truth = new double[H];
            for (int s = 0; s < L; s++) history[s] = norm.denormalise(channel, test.input(w, s, channel));
            for (int h = 0; h < H; h++) {
                forecast[h] = norm.denormalise(channel, pred[(h * n + b) * C + k]);
                truth[h] = norm.denormalise(channel, test.target(w, h, k));
            }
            String start = WHEN.format(data.series().times()[test.firstRow(w) + L]);
            panels.add(new ForecastPlot.Panel(String.format(Locale.ROOT, "%s: test window %,d of %,d, forecast from %s", column, w + 1,
                    test.count(), start), column, history, forecast, truth));
        }
        ForecastPlot.save(png, data.step().toString(), panels);
    }
}
