package dev.recur.app.forecast;

import java.util.Locale;

/** What the CSV reader does with a missing value (an empty cell, {@code NaN}, {@code NA}, {@code null}). */
public enum Fill {
    /** Refuse the file, naming the first missing value's line and column (the default). */
    NONE,
    /** Repeat the column's last value before the gap. */
    PREVIOUS,
    /** Interpolate on the row index between the values on either side of the gap. */
    LINEAR;

    /** The name as the command line spells it: {@code none}, {@code previous}, {@code linear}. */
    public String label() { return name().toLowerCase(Locale.ROOT); }
}
