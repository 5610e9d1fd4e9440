package dev.recur.app.forecast;

import dev.recur.app.core.AppException;
import java.util.List;
import java.util.OptionalInt;

/**
 * The naive baselines, from the look-back alone: the seasonal naive forecast repeats the last
 * season of the look-back, {@code ŷ[h] = x[L − s + (h mod s)]}; with season 1 that is the
 * last-value forecast, {@code ŷ[h] = x[L − 1]}. A model that does not beat them is not worth its
 * training.
 */
public final class NaiveForecast implements Forecaster {
    private final int season;

    private NaiveForecast(int season) {
        if (season < 1) throw AppException.usage("--season must be ≥ 1, got " + season);
        this.season = season;
    }

    /** Repeats the last value of the look-back. */
    public static NaiveForecast lastValue() { return new NaiveForecast(1); }

    /** Repeats the last {@code season} steps of the look-back; the season must fit in the look-back. */
    public static NaiveForecast seasonal(int season) { return new NaiveForecast(season); }

    /**
     * The baselines a model is compared with on {@code data}: the last value, and the seasonal
     * naive forecast with {@code season} when given (not null), else with the season
     * {@link Seasonality#infer inferred} from the training rows within the look-back (left out when
     * none is found).
     */
    public static List<NaiveForecast> baselines(ForecastData data, Integer season) {
        int lookback = data.split().lookback();
        OptionalInt s = season != null ? OptionalInt.of(season) : Seasonality.infer(data, lookback);
        if (s.isEmpty() || s.getAsInt() == 1) return List.of(lastValue());
        NaiveForecast seasonal = seasonal(s.getAsInt());
        seasonal.requireFits(lookback);
        return List.of(lastValue(), seasonal);
    }

    public int season() { return season; }

    @Override
    public String name() { return season == 1 ? "last value" : "seasonal naive (" + season + ")"; }

    @Override
    public void forecast(Windows windows, int w, float[] out) {
        int lookback = windows.lookback();
        requireFits(lookback);
        int channels = windows.outputChannels();
        for (int h = 0; h < windows.horizon(); h++) {
            int t = lookback - season + h % season;
            for (int k = 0; k < channels; k++) out[h * channels + k] = windows.input(w, t, windows.inputOf(k));
        }
    }

    private void requireFits(int lookback) {
        if (season > lookback) {
            throw AppException.usage("the season (" + season + ") is longer than the look-back (" + lookback
                    + "), so its last season is not in it; use a --season of at most " + lookback + " or a longer --lookback");
        }
    }
}
