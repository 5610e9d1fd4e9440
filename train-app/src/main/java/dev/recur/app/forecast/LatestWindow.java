package dev.recur.app.forecast;

import dev.recur.app.core.AppException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one window a forecast past the end of a series starts from: its last L rows, normalised
 * with the statistics a model was trained with. The series needs the model's input columns (by
 * name, in any order; other columns are ignored) and at least L rows.
 */
public final class LatestWindow {
    private LatestWindow() {}

    /**
     * @param normaliser  the trained model's statistics; its names are the input channels
     * @param outputNames the output channels, each one of the inputs
     */
    public static Windows of(TimeSeries series, Normaliser normaliser, List<String> outputNames, int lookback, int horizon) {
        List<String> inputs = normaliser.names();
        List<String> absent = new ArrayList<>();
        for (String name : inputs) if (!series.names().contains(name)) absent.add(name);
        if (!absent.isEmpty()) {
            throw new AppException(series.source() + " lacks the column" + (absent.size() == 1 ? " " : "s ") + String.join(", ", absent)
                    + " that the model was trained on (" + String.join(", ", inputs) + ")");
        }
        if (series.rows() < lookback) {
            throw new AppException(String.format(Locale.ROOT, "the model looks back %,d rows and %s has %,d; give a file that ends with at least %,d rows",
                    lookback, series.source(), series.rows(), lookback));
        }
        int[] outputs = new int[outputNames.size()];
        for (int k = 0; k < outputs.length; k++) {
            outputs[k] = inputs.indexOf(outputNames.get(k));
            if (outputs[k] < 0) throw new IllegalArgumentException("output " + outputNames.get(k) + " is not an input channel");
        }
        int c = inputs.size(), first = series.rows() - lookback;
        float[] data = new float[lookback * c];
        for (int j = 0; j < c; j++) {
            double[] col = series.columns()[series.column(inputs.get(j))];
            for (int t = 0; t < lookback; t++) data[t * c + j] = (float) normaliser.normalise(j, col[first + t]);
        }
        return new Windows(data, c, outputs, 0, 1, lookback, horizon);
    }
}
