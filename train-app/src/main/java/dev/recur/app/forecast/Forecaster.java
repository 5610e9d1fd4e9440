package dev.recur.app.forecast;

/** Anything that forecasts a window's horizon from its look-back: a baseline or (later) a model. */
public interface Forecaster {

    /** A short name for tables, like {@code last value} or {@code seasonal naive (24)}. */
    String name();

    /** Writes window w's forecast, {@code H × C_out} row-major in normalised units, to {@code out}. */
    void forecast(Windows windows, int w, float[] out);
}
