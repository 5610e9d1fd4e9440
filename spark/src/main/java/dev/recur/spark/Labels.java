package dev.recur.spark;

import dev.recur.app.core.AppException;
import java.util.Locale;

/** Reads a label cell as 0 or 1: numbers 0/1, booleans, or the words neg/negative/pos/positive. */
final class Labels {
    private Labels() {}

    static int of(Object v, String column, long row) {
        if (v instanceof Boolean b) return b ? 1 : 0;
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == 0 || d == 1) return (int) d;
        }
        if (v instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "0", "neg", "negative", "false": return 0;
                case "1", "pos", "positive", "true": return 1;
                default: break;
            }
        }
        throw new AppException("row " + (row + 1) + ": label column '" + column + "' holds " + (v == null ? "nothing" : "'" + v + "'")
                + ", not 0/1, true/false or neg/pos; fix the data or choose another --label-col");
    }
}
