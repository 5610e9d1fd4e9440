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

    /** The forecast CSV ({@code date,<outputs>}, the next H timestamps at the series' inferred step). */
    public static String predict(Path checkpoint, TimeSeries series) {
        Checkpoint ck = Checkpoint.read(checkpoint, ForecastTrainer.TASK, "forecast");
        Map<String, String> meta = ck.metadata();
        ForecastConfig cfg;
        Normaliser normaliser;
        List<String> outputs;
        boolean ci;
        try {
            cfg = ForecastConfig.fromMetadata(meta);
            List<String> inputs = Json.MAPPER.readValue(require(meta, "forecast.inputs"), new TypeReference<List<String>>() { });
            outputs = Json.MAPPER.readValue(require(meta, "forecast.outputs"), new TypeReference<List<String>>() { });
            double[] mean = Json.MAPPER.readValue(require(meta, "forecast.mean"), double[].class);
            double[] std = Json.MAPPER.readValue(require(meta, "forecast.std"), double[].class);
            normaliser = new Normaliser(inputs, mean, std);
            ci = Boolean.parseBoolean(require(meta, "forecast.channel_independent"));
        } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AppException("checkpoint '" + checkpoint + "' has a damaged forecast configuration ("
                    + AppException.plain(e.getMessage()) + "); use a checkpoint written by 'forecast'");
        }
        Windows window = LatestWindow.of(series, normaliser, outputs, cfg.lookback(), cfg.horizon());
        int perWindow = ci ? normaliser.columns() : 1;
        try (Arena arena = Arena.ofShared(); ForecastModel model = ForecastModel.create(cfg, 0, perWindow)) {
            ck.loadParameters(model.parameters());
            Batches batch = new Batches(arena, cfg, 1, ci, normaliser.columns());
            batch.fill(window, new int[] {0}, 0, 1);
            model.forward(batch.input(), null, perWindow, false);
            float[] forecast = batch.asWindows(model.prediction(), 1).toArray();
            return ForecastCsv.format(window, forecast, normaliser, series.times()[series.rows() - 1], series.step());
        }
    }

    private static String require(Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) throw new IllegalArgumentException("no " + key);
        return v;
    }
}
