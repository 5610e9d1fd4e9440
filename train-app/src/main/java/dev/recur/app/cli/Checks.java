package dev.recur.app.cli;

import dev.recur.app.core.AppException;

/** Range checks for options; each failure is a usage error (exit 2) naming the option. */
public final class Checks {
    private Checks() {}

    public static AppException usage(String message) { return AppException.usage(message); }

    /** {@code lo ≤ value ≤ hi}, else a usage error. */
    public static void range(String option, long value, long lo, long hi) {
        if (value < lo || value > hi) {
            throw usage(option + " must be " + (hi == Long.MAX_VALUE || hi == Integer.MAX_VALUE ? "at least " + lo
                    : "between " + lo + " and " + hi) + ", got " + value);
        }
    }

    /** A finite value with {@code lo ≤ value ≤ hi}. */
    public static void range(String option, double value, double lo, double hi) {
        if (!(value >= lo && value <= hi) || !Double.isFinite(value)) {
            throw usage(option + " must be between " + lo + " and " + hi + ", got " + value);
        }
    }

    /** A finite value {@code > 0}. */
    public static void positive(String option, double value) {
        if (!(value > 0) || !Double.isFinite(value)) throw usage(option + " must be a positive number, got " + value);
    }
}
