package dev.recur.app.run;

/**
 * Early stopping with patience, the same for every task: a run stops when {@code patience}
 * evaluations in a row brought no better validation score than the best one. Patience 0 never stops.
 */
public final class EarlyStopping {
    private EarlyStopping() {}

    /**
     * True when {@code patience > 0} and evaluation {@code current} is {@code patience} or more
     * after {@code best}, the evaluation with the best validation score (both counted from 1).
     */
    public static boolean exhausted(int patience, long current, long best) {
        return patience > 0 && current - best >= patience;
    }

    /** The line a run prints when it stops early. */
    public static String message(int patience, String unit, long best) {
        return "early stop: no better validation score for " + patience + " " + unit + (patience == 1 ? "" : "s")
                + " (best: " + unit + " " + best + ")";
    }
}
