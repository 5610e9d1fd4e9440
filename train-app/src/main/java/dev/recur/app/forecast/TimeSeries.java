package dev.recur.app.forecast;

import dev.recur.app.core.AppException;
import java.time.LocalDateTime;
import java.util.List;

/**
 * A table of numeric columns at increasing timestamps, in original units: what {@link SeriesCsv}
 * reads and {@link SyntheticSeries} generates. The arrays are shared, not copied: nobody modifies
 * them after construction.
 *
 * @param source  where it came from (a file name), for messages
 * @param times   one strictly increasing timestamp per row
 * @param names   the numeric columns' names, in file order
 * @param columns {@code columns[c][row]}, finite
 */
public record TimeSeries(String source, LocalDateTime[] times, List<String> names, double[][] columns) {

    public TimeSeries {
        names = List.copyOf(names);
        if (columns.length != names.size()) throw new IllegalArgumentException(columns.length + " columns for " + names.size() + " names");
        for (double[] col : columns) {
            if (col.length != times.length) throw new IllegalArgumentException("a column of " + col.length + " values for " + times.length + " timestamps");
        }
    }

    public int rows() { return times.length; }

    public int columnCount() { return names.size(); }

    /** The index of the column named {@code name}, or a one-line error listing the columns. */
    public int column(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new AppException("no numeric column '" + name + "' in " + source + "; the columns are: " + String.join(", ", names)
                    + " (names are case-sensitive)");
        }
        return i;
    }

    /** The inferred time step between rows. */
    public TimeStep step() { return TimeStep.infer(times); }
}
