package dev.recur.app.forecast;

import dev.recur.engine.FloatMatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * MSE and MAE of forecasts against targets, kept per horizon step and output channel, in
 * normalised units (the published tables' scale) and in original units (the errors scaled by each
 * channel's training standard deviation: the same numbers as computing on denormalised values).
 * Means are over windows, steps and channels, as TSLib's {@code metric()}.
 */
public final class ForecastErrors {
    private final int horizon;
    private final double[] std;
    private final double[] squared;
    private final double[] absolute;
    private long windows;

    /** @param outputStd the training standard deviation of each output channel */
    public ForecastErrors(int horizon, double[] outputStd) {
        this.horizon = horizon;
        this.std = outputStd.clone();
        squared = new double[horizon * std.length];
        absolute = new double[horizon * std.length];
    }

    /** Every window of {@code windows} forecast by {@code forecaster}. */
    public static ForecastErrors evaluate(Windows windows, Forecaster forecaster, double[] outputStd) {
        ForecastErrors e = new ForecastErrors(windows.horizon(), outputStd);
        float[] prediction = new float[windows.horizon() * windows.outputChannels()];
        float[] target = new float[prediction.length];
        for (int w = 0; w < windows.count(); w++) {
            forecaster.forecast(windows, w, prediction);
            windows.copyTarget(w, target, 0);
            e.add(prediction, target);
        }
        return e;
    }

    /** Adds one window: prediction and target {@code H × C_out} row-major, normalised. */
    public void add(float[] prediction, float[] target) {
        if (prediction.length != squared.length || target.length != squared.length) {
            throw new IllegalArgumentException("a window is " + horizon + "×" + std.length + " values, got " + prediction.length + " and " + target.length);
        }
        for (int i = 0; i < squared.length; i++) {
            double d = (double) prediction[i] - target[i];
            squared[i] += d * d;
            absolute[i] += Math.abs(d);
        }
        windows++;
    }

    /**
     * Adds a batch of B windows in the model stack's time-major layout: {@code prediction} and
     * {@code target} are {@code H·B × C_out}, row {@code h·B + b} (as {@link Windows#fillBatch} writes).
     */
    public void add(FloatMatrix prediction, FloatMatrix target, int batch) {
        int c = std.length;
        prediction.requireShape("forecast batch", horizon * batch, c);
        target.requireShape("target batch", horizon * batch, c);
        for (int h = 0; h < horizon; h++) {
            for (int b = 0; b < batch; b++) {
                for (int k = 0; k < c; k++) {
                    double d = (double) prediction.get(h * batch + b, k) - target.get(h * batch + b, k);
                    squared[h * c + k] += d * d;
                    absolute[h * c + k] += Math.abs(d);
                }
            }
        }
        windows += batch;
    }

    public long windows() { return windows; }

    public int horizon() { return horizon; }

    /** MSE over every step, normalised. */
    public double mse() { return mean(squared, 0, horizon, false); }

    /** MAE over every step, normalised. */
    public double mae() { return mean(absolute, 0, horizon, false); }

    /** MSE over every step in original units (averaged over channels, which may differ in units). */
    public double mseOriginal() { return mean(squared, 0, horizon, true); }

    /** MAE over every step in original units. */
    public double maeOriginal() { return mean(absolute, 0, horizon, true); }

    /** The errors of steps {@code [from, to)} (0-based). */
    public StepGroup group(int from, int to) {
        if (from < 0 || to > horizon || from >= to) throw new IllegalArgumentException("steps [" + from + ", " + to + ") outside [0, " + horizon + ")");
        return new StepGroup(from + 1, to, mean(squared, from, to, false), mean(absolute, from, to, false),
                mean(squared, from, to, true), mean(absolute, from, to, true));
    }

    /** The horizon cut into groups of {@code size} steps (the last may be shorter). */
    public List<StepGroup> groups(int size) {
        if (size < 1) throw new IllegalArgumentException("group size must be ≥ 1");
        List<StepGroup> out = new ArrayList<>();
        for (int from = 0; from < horizon; from += size) out.add(group(from, Math.min(horizon, from + size)));
        return out;
    }

    private double mean(double[] sums, int from, int to, boolean original) {
        if (windows == 0) return Double.NaN;
        int c = std.length;
        double s = 0;
        for (int h = from; h < to; h++) {
            for (int k = 0; k < c; k++) {
                double scale = original ? (sums == squared ? std[k] * std[k] : std[k]) : 1;
                s += sums[h * c + k] * scale;
            }
        }
        return s / ((double) windows * (to - from) * c);
    }

    /**
     * Errors of horizon steps {@code firstStep..lastStep} (1-based, inclusive).
     */
    public record StepGroup(int firstStep, int lastStep, double mse, double mae, double mseOriginal, double maeOriginal) {}
}
