package dev.recur.app.sentiment;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one finished epoch. Validation figures are NaN when there is no validation split.
 *
 * @param epoch         1-based epoch number
 * @param steps         optimizer steps taken so far in the whole run
 * @param trainLoss     mean training loss over the epoch (nats per review)
 * @param trainAccuracy training accuracy over the epoch (with dropout on, as seen while training)
 * @param valLoss       validation loss after the epoch
 * @param valAccuracy   validation accuracy after the epoch
 * @param valF1         validation F1 of the positive class
 * @param gradNorm      mean global gradient norm before clipping
 * @param seconds       wall time of the training part of the epoch
 * @param seqPerSec     training sequences per second
 * @param tokensPerSec  training tokens (non-padding) per second
 */
public record EpochStats(int epoch, long steps, double trainLoss, double trainAccuracy, double valLoss,
                         double valAccuracy, double valF1, double gradNorm, double seconds, double seqPerSec,
                         double tokensPerSec) {

    /** The record as written to metrics.jsonl ({@code "event": "epoch"}; NaN becomes null). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "epoch");
        m.put("epoch", epoch);
        m.put("steps", steps);
        m.put("train_loss", num(trainLoss));
        m.put("train_accuracy", num(trainAccuracy));
        m.put("val_loss", num(valLoss));
        m.put("val_accuracy", num(valAccuracy));
        m.put("val_f1", num(valF1));
        m.put("grad_norm", num(gradNorm));
        m.put("seconds", num(seconds));
        m.put("seq_per_s", num(seqPerSec));
        m.put("tokens_per_s", num(tokensPerSec));
        return m;
    }

    /** Reads {@link #toMap()}'s output back (null becomes NaN). */
    public static EpochStats fromMap(Map<String, ?> m) {
        return new EpochStats(((Number) m.get("epoch")).intValue(), ((Number) m.get("steps")).longValue(),
                d(m.get("train_loss")), d(m.get("train_accuracy")), d(m.get("val_loss")), d(m.get("val_accuracy")),
                d(m.get("val_f1")), d(m.get("grad_norm")), d(m.get("seconds")), d(m.get("seq_per_s")),
                d(m.get("tokens_per_s")));
    }

    private static Object num(double v) { return Double.isFinite(v) ? v : null; }

    private static double d(Object o) { return o == null ? Double.NaN : ((Number) o).doubleValue(); }

    public boolean hasValidation() { return !Double.isNaN(valAccuracy); }
}
