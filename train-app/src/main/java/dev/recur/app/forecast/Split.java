package dev.recur.app.forecast;

import dev.recur.app.core.AppException;
import java.util.Locale;

/**
 * The chronological train/validation/test split of the long-term forecasting protocol, with the
 * reference loaders' borders (Informer's and TSLib's {@code Dataset_ETT_hour},
 * {@code Dataset_ETT_minute} and {@code Dataset_Custom}): part {@code p} covers rows
 * {@code [start(p), end(p))}, where validation and test start {@code L} rows before their first
 * target so that the first window's look-back reaches back into the previous part. Windows of a
 * part: {@code end − start − L − H + 1}.
 *
 * @param rule     the convention that set the borders
 * @param lookback L
 * @param horizon  H
 * @param starts   border1s: first row of each part (train, val, test), look-back included
 * @param ends     border2s: end (exclusive) of each part
 */
public record Split(Rule rule, int lookback, int horizon, int[] starts, int[] ends) {
    /** Index of the training part in {@link #starts} and {@link #ends}. */
    public static final int TRAIN = 0, VALIDATION = 1, TEST = 2;

    /** How the borders are set. */
    public enum Rule {
        /** ETT hourly files: 12/4/4 months of 30 days, borders [0, 8640, 11520, 14400]. */
        ETT_HOUR("ETT hourly 12/4/4 months"),
        /** ETT 15-minute files: the same months at 4 rows per hour, borders [0, 34560, 46080, 57600]. */
        ETT_MINUTE("ETT 15-minute 12/4/4 months"),
        /** Any other file: 70 % train, 20 % test, the rest validation (Dataset_Custom). */
        RATIO("70/10/20 %");

        private final String label;

        Rule(String label) { this.label = label; }

        /** How a message names it. */
        public String label() { return label; }

        /** The reference's choice by file name: {@code ETTh*} and {@code ETTm*} have their own borders. */
        public static Rule forFile(String fileName) {
            if (fileName.startsWith("ETTh")) return ETT_HOUR;
            if (fileName.startsWith("ETTm")) return ETT_MINUTE;
            return RATIO;
        }
    }

    /** Train, validation and test borders of a file of {@code rows} rows; a one-line error when a part would have no window. */
    public static Split of(Rule rule, int rows, int lookback, int horizon) {
        if (lookback < 1 || horizon < 1) throw AppException.usage("look-back and horizon must be ≥ 1, got " + lookback + " and " + horizon);
        int[] b = borders(rule, rows);
        if (b == null || !fits(b, lookback, horizon)) {
            int needed = minimumRows(rule, lookback, horizon);
            String why = needed < 0
                    ? "the " + rule.label() + " split cannot hold look-back " + lookback + " and horizon " + horizon
                            + " (the training part is " + borders(rule, Integer.MAX_VALUE)[1] + " rows and the validation and test parts "
                            + (borders(rule, Integer.MAX_VALUE)[2] - borders(rule, Integer.MAX_VALUE)[1]) + "); lower --lookback or --horizon"
                    : String.format(Locale.ROOT, "the %s split with look-back %d and horizon %d needs at least %,d rows (one window in each part), the data has %,d",
                            rule.label(), lookback, horizon, needed, rows);
            throw new AppException(why);
        }
        return new Split(rule, lookback, horizon,
                new int[] {0, b[1] - lookback, b[2] - lookback},
                new int[] {b[1], b[2], b[3]});
    }

    /** [0, end of train, end of val, end of test] (targets), or null when the rule needs more rows than there are. */
    private static int[] borders(Rule rule, int rows) {
        return switch (rule) {
            case ETT_HOUR -> ett(rows, 1);
            case ETT_MINUTE -> ett(rows, 4);
            case RATIO -> {
                int train = (int) (rows * 0.7); // Python's int(len * 0.7): the same IEEE product, truncated
                int test = (int) (rows * 0.2);
                int val = rows - train - test;
                yield new int[] {0, train, train + val, rows};
            }
        };
    }

    private static int[] ett(int rows, int perHour) {
        int month = 30 * 24 * perHour;
        int[] b = {0, 12 * month, 16 * month, 20 * month};
        return rows >= b[3] ? b : null;
    }

    private static boolean fits(int[] b, int lookback, int horizon) {
        if (b[1] - lookback < 0) return false;
        for (int p = 0; p < 3; p++) {
            int start = p == 0 ? 0 : b[p] - lookback;
            if (b[p + 1] - start - lookback - horizon + 1 < 1) return false;
        }
        return true;
    }

    /** The fewest rows for which every part has a window, or −1 when no number of rows is enough (ETT's fixed borders). */
    static int minimumRows(Rule rule, int lookback, int horizon) {
        if (rule != Rule.RATIO) {
            int[] b = borders(rule, Integer.MAX_VALUE);
            return fits(b, lookback, horizon) ? b[3] : -1;
        }
        // the conditions are monotone in rows up to rounding: scan up from the smallest candidate
        long n = lookback + horizon;
        while (!fits(borders(rule, (int) n), lookback, horizon)) n++;
        return (int) n;
    }

    public int start(int part) { return starts[part]; }

    public int end(int part) { return ends[part]; }

    /** Number of sliding windows (stride 1) in {@code part}: {@code end − start − L − H + 1}. */
    public int windows(int part) { return ends[part] - starts[part] - lookback - horizon + 1; }

    /** Rows whose statistics the normaliser uses: the training part, [0, end(TRAIN)). */
    public int trainRows() { return ends[TRAIN]; }
}
