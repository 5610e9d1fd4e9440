package dev.recur.app.forecast;

import dev.recur.app.core.AppException;
import java.util.List;

/**
 * Z-scores per column, {@code z = (x − mean)/std}, with the mean and the population standard
 * deviation (ddof = 0, as sklearn's {@code StandardScaler}) of the training rows only; applied to
 * every row. Immutable.
 */
public final class Normaliser {
    private final List<String> names;
    private final double[] mean;
    private final double[] std;

    /** A normaliser with given statistics (from a checkpoint); every std must be positive. */
    public Normaliser(List<String> names, double[] mean, double[] std) {
        if (names.size() != mean.length || mean.length != std.length) throw new IllegalArgumentException("one mean and std per column");
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("column " + names.get(c) + ": mean " + mean[c] + ", std " + std[c] + " are not a usable scale");
            }
        }
        this.names = List.copyOf(names);
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /**
     * Fits the statistics of {@code columns[c][0 .. trainRows)}. A column that is constant there is
     * refused with a one-line error (its z-score would divide by zero).
     */
    public static Normaliser fit(List<String> names, double[][] columns, int trainRows, String source) {
        double[] mean = new double[columns.length];
        double[] std = new double[columns.length];
        for (int c = 0; c < columns.length; c++) {
            double[] x = columns[c];
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < trainRows; i++) {
                sum += x[i];
                min = Math.min(min, x[i]);
                max = Math.max(max, x[i]);
            }
            if (min == max) {
                throw new AppException(source + ": column '" + names.get(c) + "' is constant (" + min + ") in the " + trainRows
                        + " training rows, so its z-score would divide by zero; remove the column or forecast the target alone with --features S");
            }
            double m = sum / trainRows, sq = 0;
            for (int i = 0; i < trainRows; i++) sq += (x[i] - m) * (x[i] - m);
            mean[c] = m;
            std[c] = Math.sqrt(sq / trainRows);
        }
        return new Normaliser(names, mean, std);
    }

    public List<String> names() { return names; }

    public int columns() { return mean.length; }

    public double mean(int c) { return mean[c]; }

    public double std(int c) { return std[c]; }

    /** (x − mean)/std of column c. */
    public double normalise(int c, double x) { return (x - mean[c]) / std[c]; }

    /** z·std + mean of column c: the inverse of {@link #normalise}. */
    public double denormalise(int c, double z) { return z * std[c] + mean[c]; }
}
