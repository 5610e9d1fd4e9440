package dev.recur.app.forecast;

import java.time.LocalDateTime;

/** Writes a forecast as CSV: the next H timestamps after the data and the output columns in original units. */
public final class ForecastCsv {
    private ForecastCsv() {}

    /**
     * The forecast of one window as CSV text with header {@code date,<outputs>}: row h has the
     * timestamp h + 1 steps after {@code last} and the values denormalised with {@code normaliser}.
     *
     * @param forecast {@code H × C_out} row-major, normalised (what a {@link Forecaster} writes)
     */
    public static String format(Windows windows, float[] forecast, Normaliser normaliser, LocalDateTime last, TimeStep step) {
        int channels = windows.outputChannels();
        if (forecast.length != windows.horizon() * channels) {
            throw new IllegalArgumentException("a forecast of " + windows.horizon() + "×" + channels + " values, got " + forecast.length);
        }
        StringBuilder b = new StringBuilder((channels + 1) * 20 * (windows.horizon() + 1));
        b.append(SeriesCsv.DEFAULT_TIME_COLUMN);
        for (int k = 0; k < channels; k++) b.append(',').append(normaliser.names().get(windows.inputOf(k)));
        b.append('\n');
        LocalDateTime t = last;
        for (int h = 0; h < windows.horizon(); h++) {
            t = step.next(t);
            b.append(SeriesCsv.TIMESTAMP.format(t));
            for (int k = 0; k < channels; k++) {
                // float precision: the model computes in float
                b.append(',').append((float) normaliser.denormalise(windows.inputOf(k), forecast[h * channels + k]));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
