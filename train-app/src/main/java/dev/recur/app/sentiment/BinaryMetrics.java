package dev.recur.app.sentiment;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Running confusion matrix and mean loss of a binary classifier (positive = class 1). A prediction
 * is positive when its probability is at least 0.5.
 */
public final class BinaryMetrics {
    private long tp, fp, tn, fn;
    private double lossSum;

    /** Counts one example: its true label (0/1), the predicted probability of 1, and its loss. */
    public void add(int label, double probPositive, double loss) {
        boolean predicted = probPositive >= 0.5;
        if (label == 1) {
            if (predicted) tp++; else fn++;
        } else {
            if (predicted) fp++; else tn++;
        }
        lossSum += loss;
    }

    /** Adds the summed loss of examples counted with {@link #add(int, double, double)} at loss 0. */
    public void addLoss(double lossSum) { this.lossSum += lossSum; }

    /** Counts a batch's worth of examples with their summed loss. */
    public void addCounts(long tp, long fp, long tn, long fn, double lossSum) {
        this.tp += tp;
        this.fp += fp;
        this.tn += tn;
        this.fn += fn;
        this.lossSum += lossSum;
    }

    public long count() { return tp + fp + tn + fn; }

    public long truePositives() { return tp; }

    public long falsePositives() { return fp; }

    public long trueNegatives() { return tn; }

    public long falseNegatives() { return fn; }

    /** (TP + TN) / all; 0 when empty. */
    public double accuracy() { return ratio(tp + tn, count()); }

    /** TP / (TP + FP): of the reviews called positive, the share that are. 0 when none were called positive. */
    public double precision() { return ratio(tp, tp + fp); }

    /** TP / (TP + FN): of the positive reviews, the share found. */
    public double recall() { return ratio(tp, tp + fn); }

    /** Harmonic mean of precision and recall; 0 when both are 0. */
    public double f1() {
        double p = precision(), r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Mean loss per example (nats). */
    public double loss() { return ratio(lossSum, count()); }

    private static double ratio(double a, double b) { return b == 0 ? 0 : a / b; }

    /** The figures as an ordered map (for JSON). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", count());
        m.put("accuracy", accuracy());
        m.put("precision", precision());
        m.put("recall", recall());
        m.put("f1", f1());
        m.put("loss", loss());
        Map<String, Long> cm = new LinkedHashMap<>();
        cm.put("true_negative", tn);
        cm.put("false_positive", fp);
        cm.put("false_negative", fn);
        cm.put("true_positive", tp);
        m.put("confusion", cm);
        return m;
    }

    /** A small human-readable table: rows are the true class, columns the predicted class. */
    public String confusionTable() {
        int w = Math.max(11, 2 + String.valueOf(Math.max(Math.max(tp, fp), Math.max(tn, fn))).length() + 2);
        String f = "%-14s%" + w + "s%" + w + "s%n";
        return String.format(f, "true \\ pred", "negative", "positive")
                + String.format(f, "negative", tn, fp)
                + String.format(f, "positive", fn, tp);
    }
}
