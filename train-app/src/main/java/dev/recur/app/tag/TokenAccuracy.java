package dev.recur.app.tag;

/** Fraction of tokens whose predicted tag id equals the gold id; padding positions are skipped. */
public final class TokenAccuracy {
    private long correct, total;

    /** Counts one prediction. */
    public void add(int gold, int predicted) {
        total++;
        if (gold == predicted) correct++;
    }

    public long correct() { return correct; }

    public long total() { return total; }

    /** Accuracy in [0, 1] (0 when nothing was counted). */
    public double value() { return total == 0 ? 0 : (double) correct / total; }
}
