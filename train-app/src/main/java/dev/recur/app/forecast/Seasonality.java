package dev.recur.app.forecast;

import java.util.OptionalInt;

/**
 * Infers the season of a series for the seasonal naive baseline from the autocorrelation of its
 * first differences (differencing removes a trend, which would otherwise make every lag look
 * alike), over the training rows of the output channels.
 */
public final class Seasonality {
    /** Below this autocorrelation no lag counts as a season. */
    static final double MIN_CORRELATION = 0.2;
    /** Among the peaks within this fraction of the best, the shortest lag wins (a season, not its multiple). */
    static final double NEAR_BEST = 0.8;

    private Seasonality() {}

    /**
     * The season in [2, maxLag]: among the lags after the autocorrelation first drops below zero,
     * the shortest local peak within a factor {@value #NEAR_BEST} of the best; empty when no such
     * lag reaches {@value #MIN_CORRELATION}.
     * Uses the training rows of {@code data}'s output channels; {@code maxLag} is usually the look-back.
     */
    public static OptionalInt infer(ForecastData data, int maxLag) {
        int rows = data.split().trainRows();
        Windows w = data.windows(Split.TRAIN);
        int channels = w.outputChannels();
        double[][] series = new double[channels][rows];
        for (int k = 0; k < channels; k++) for (int r = 0; r < rows; r++) series[k][r] = data.value(r, w.inputOf(k));
        return infer(series, maxLag);
    }

    /** The same on raw series {@code series[channel][t]}; the correlations are averaged over the channels. */
    public static OptionalInt infer(double[][] series, int maxLag) {
        int n = series[0].length - 1;
        int top = Math.min(maxLag, n / 3);
        if (top < 2) return OptionalInt.empty();
        double[] acf = new double[top + 2];
        for (double[] x : series) {
            double[] d = new double[n];
            double mean = 0;
            for (int t = 0; t < n; t++) mean += d[t] = x[t + 1] - x[t];
            mean /= n;
            double var = 0;
            for (int t = 0; t < n; t++) var += (d[t] - mean) * (d[t] - mean);
            if (var <= 1e-9 * n * mean * mean) continue; // constant differences (a straight line), up to rounding
            for (int k = 1; k <= top + 1 && k < n; k++) {
                double s = 0;
                for (int t = 0; t + k < n; t++) s += (d[t] - mean) * (d[t + k] - mean);
                acf[k] += s / var / series.length;
            }
        }
        // a smooth series correlates with itself at short lags: seasons are peaks after the first dip below zero
        int first = 1;
        while (first <= top && acf[first] >= 0) first++;
        first = Math.max(first, 2);
        double best = Double.NEGATIVE_INFINITY;
        for (int k = first; k <= top; k++) best = Math.max(best, acf[k]);
        if (best < MIN_CORRELATION) return OptionalInt.empty();
        for (int k = first; k <= top; k++) {
            boolean peak = acf[k] >= acf[k - 1] && (k == top || acf[k] >= acf[k + 1]);
            if (peak && acf[k] >= NEAR_BEST * best) return OptionalInt.of(k);
        }
        return OptionalInt.empty(); // unreachable: the best lag is a peak
    }
}
