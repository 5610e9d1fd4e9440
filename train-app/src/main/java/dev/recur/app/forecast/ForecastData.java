package dev.recur.app.forecast;

import java.util.ArrayList;
import java.util.List;

/**
 * A series made ready for the protocol: the channels chosen by {@link Features}, the
 * {@link Split}, the {@link Normaliser} fitted on the training rows and the normalised values of
 * every row, with the {@link Windows} of each part. Immutable.
 */
public final class ForecastData {
    private final TimeSeries series;
    private final Features features;
    private final String target;
    private final List<String> inputNames;
    private final int[] outputs;
    private final Split split;
    private final Normaliser normaliser;
    private final float[] normalised;
    private final TimeStep step;

    private ForecastData(TimeSeries series, Features features, String target, List<String> inputNames, int[] outputs,
                         Split split, Normaliser normaliser, float[] normalised, TimeStep step) {
        this.series = series;
        this.features = features;
        this.target = target;
        this.inputNames = inputNames;
        this.outputs = outputs;
        this.split = split;
        this.normaliser = normaliser;
        this.normalised = normalised;
        this.step = step;
    }

    /**
     * Chooses the channels, splits by {@code rule}, fits the normaliser on the training rows and
     * normalises every row.
     *
     * @param target the column to forecast; null for the last column (for {@link Features#M} it only has to exist)
     */
    public static ForecastData prepare(TimeSeries series, Features features, String target, int lookback, int horizon, Split.Rule rule) {
        String targetName = target != null ? series.names().get(series.column(target)) : series.names().getLast();
        int targetColumn = series.column(targetName);
        int[] columns;
        int[] outputs;
        switch (features) {
            case S -> {
                columns = new int[] {targetColumn};
                outputs = new int[] {0};
            }
            case MS -> {
                columns = all(series.columnCount());
                outputs = new int[] {targetColumn};
            }
            case M -> {
                columns = all(series.columnCount());
                outputs = all(series.columnCount());
            }
            default -> throw new IllegalStateException();
        }
        Split split = Split.of(rule, series.rows(), lookback, horizon);
        List<String> names = new ArrayList<>();
        double[][] selected = new double[columns.length][];
        for (int i = 0; i < columns.length; i++) {
            names.add(series.names().get(columns[i]));
            selected[i] = series.columns()[columns[i]];
        }
        Normaliser normaliser = Normaliser.fit(names, selected, split.trainRows(), series.source());
        int rows = series.rows(), c = columns.length;
        float[] data = new float[rows * c];
        for (int j = 0; j < c; j++) {
            for (int r = 0; r < rows; r++) data[r * c + j] = (float) normaliser.normalise(j, selected[j][r]);
        }
        return new ForecastData(series, features, targetName, List.copyOf(names), outputs, split, normaliser, data, series.step());
    }

    private static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    public TimeSeries series() { return series; }

    public Features features() { return features; }

    /** The target column's name. */
    public String target() { return target; }

    public Split split() { return split; }

    /** Statistics of the input channels (fitted on the training rows). */
    public Normaliser normaliser() { return normaliser; }

    public TimeStep step() { return step; }

    /** Input channel names, in order. */
    public List<String> inputNames() { return inputNames; }

    /** Output channel names, in order. */
    public List<String> outputNames() {
        List<String> out = new ArrayList<>(outputs.length);
        for (int k : outputs) out.add(inputNames.get(k));
        return List.copyOf(out);
    }

    /** The training standard deviation of each output channel: the factor from normalised to original units. */
    public double[] outputStd() {
        double[] s = new double[outputs.length];
        for (int k = 0; k < outputs.length; k++) s[k] = normaliser.std(outputs[k]);
        return s;
    }

    /** Normalised value at {@code row} of input channel c. */
    public float value(int row, int c) { return normalised[row * inputNames.size() + c]; }

    /** The windows of {@link Split#TRAIN}, {@link Split#VALIDATION} or {@link Split#TEST}. */
    public Windows windows(int part) {
        return new Windows(normalised, inputNames.size(), outputs, split.start(part), split.windows(part), split.lookback(), split.horizon());
    }
}
