package dev.recur.app.forecast;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.recur.app.core.AppException;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Json;
import dev.recur.layers.forecast.ForecastConfig;
import dev.recur.layers.forecast.ForecastModel;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Forecasts the H rows after the end of a series with a trained {@code forecast} checkpoint, as CSV in original units. */
public final class ForecastPredictor {
    private ForecastPredictor() {}

    /** A trained model's checkpoint with what predicting needs besides the weights. */
    record Trained(Checkpoint checkpoint, ForecastConfig config, Normaliser normaliser, List<String> outputs, boolean channelIndependent,
                   Features features) {
        int perWindow() { return channelIndependent ? normaliser.columns() : 1; }
    }

    /** Reads and checks a {@code forecast} checkpoint; a damaged configuration is a clear error. */
    static Trained load(Path checkpoint) {
        Checkpoint ck = Checkpoint.read(checkpoint, ForecastTrainer.TASK, "forecast");
        Map<String, String> meta = ck.metadata();
        try {
            ForecastConfig cfg = ForecastConfig.fromMetadata(meta);
            List<String> inputs = Json.MAPPER.readValue(require(meta, "forecast.inputs"), new TypeReference<List<String>>() { });
            List<String> outputs = Json.MAPPER.readValue(require(meta, "forecast.outputs"), new TypeReference<List<String>>() { });
            double[] mean = Json.MAPPER.readValue(require(meta, "forecast.mean"), double[].class);
            double[] std = Json.MAPPER.readValue(require(meta, "forecast.std"), double[].class);
            return new Trained(ck, cfg, new Normaliser(inputs, mean, std), outputs,
                    Boolean.parseBoolean(require(meta, "forecast.channel_independent")), Features.valueOf(require(meta, "forecast.features")));
        } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AppException("checkpoint '" + checkpoint + "' has a damaged forecast configuration ("
                    + AppException.plain(e.getMessage()) + "); use a checkpoint written by 'forecast'");
        }
    }

    /** What {@code info} shows of a {@code forecast} checkpoint, after loading its weights into a model. */
    public static Map<String, Object> describe(Path checkpoint) {
        Trained t = load(checkpoint);
        try (ForecastModel model = ForecastModel.create(t.config(), 0, t.perWindow())) {
            t.checkpoint().loadParameters(model.parameters());
        }
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("model", ForecastTrainer.describe(t.config()));
        m.put("lookback", t.config().lookback());
        m.put("horizon", t.config().horizon());
        m.put("inputs", t.normaliser().names());
        m.put("outputs", t.outputs());
        m.put("channel_independent", t.channelIndependent());
        m.put("revin", t.config().norm() == dev.recur.layers.forecast.ForecastConfig.Norm.REVIN);
        m.put("norm", t.config().norm().id());
        m.put("loss", t.config().loss());
        m.put("epochs_done", Integer.parseInt(t.checkpoint().meta("train.epoch")));
        m.put("run_options", t.checkpoint().runOptions());
        return m;
    }

    /** The forecast CSV ({@code date,<outputs>}, the next H timestamps at the series' inferred step). */
    public static String predict(Path checkpoint, TimeSeries series) { return predict(checkpoint, series, null); }

    /**
     * The forecast CSV; with {@code plot}, also a picture of the file's last L rows and the forecast
     * of up to {@value #PLOTTED_COLUMNS} output columns (the last ones, the target first).
     */
    public static String predict(Path checkpoint, TimeSeries series, Path plot) {
        Trained t = load(checkpoint);
        ForecastConfig cfg = t.config();
        Normaliser normaliser = t.normaliser();
        Windows window = LatestWindow.of(series, normaliser, t.outputs(), cfg.lookback(), cfg.horizon());
        try (Arena arena = Arena.ofShared(); ForecastModel model = ForecastModel.create(cfg, 0, t.perWindow())) {
            t.checkpoint().loadParameters(model.parameters());
            Batches batch = new Batches(arena, cfg, 1, t.channelIndependent(), normaliser.columns());
            batch.fill(window, new int[] {0}, 0, 1);
            model.forward(batch.input(), null, t.perWindow(), false);
            float[] forecast = batch.asWindows(model.prediction(), 1).toArray();
            if (plot != null) plot(plot, window, forecast, normaliser, series);
            return ForecastCsv.format(window, forecast, normaliser, series.times()[series.rows() - 1], series.step());
        }
    }

    /** Output columns drawn by {@code predict --plot}. */
    static final int PLOTTED_COLUMNS = 4;

    private static void plot(Path png, Windows window, float[] forecast, Normaliser normaliser, TimeSeries series) {
        int C = window.outputChannels(), L = window.lookback(), H = window.horizon();
        String from = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", java.util.Locale.ROOT)
                .format(series.step().next(series.times()[series.rows() - 1]));
        List<ForecastPlot.Panel> panels = new java.util.ArrayList<>();
        for (int k = C - 1; k >= Math.max(0, C - PLOTTED_COLUMNS); k--) {
            int channel = window.inputOf(k);
            double[] history = new double[L], f = new double[H];
            for (int t = 0; t < L; t++) history[t] = normaliser.denormalise(channel, window.input(0, t, channel));
            for (int h = 0; h < H; h++) f[h] = normaliser.denormalise(channel, forecast[h * C + k]);
            String column = normaliser.names().get(channel);
            panels.add(new ForecastPlot.Panel(column + ": the last " + L + " rows of " + series.source() + " and the forecast from " + from,
                    column, history, f, null));
        }
        ForecastPlot.save(png, series.step().toString(), panels);
    }

    private static String require(Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) throw new IllegalArgumentException("no " + key);
        return v;
    }
}
