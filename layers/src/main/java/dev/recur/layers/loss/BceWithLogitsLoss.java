package dev.recur.layers.loss;

import dev.recur.engine.FloatMatrix;

/**
 * Binary cross-entropy on logits, mean over the batch, as {@code torch.nn.BCEWithLogitsLoss}:
 * {@code ℓ = max(x, 0) − x·y + log(1 + e^{−|x|})} (the stable form of
 * {@code −y·log σ(x) − (1−y)·log(1−σ(x))}), and {@code ∂L/∂x = (σ(x) − y) / N}.
 */
public final class BceWithLogitsLoss {
    private BceWithLogitsLoss() {}

    /**
     * Mean loss of the first {@code n} rows of {@code logits} (n × 1) against {@code targets} in
     * [0, 1]; writes {@code dLogits} (n × 1) when not null.
     */
    public static float forward(FloatMatrix logits, float[] targets, int n, FloatMatrix dLogits) {
        if (logits.cols() != 1 || logits.rows() < n) {
            throw new IllegalArgumentException("BCE with logits needs n×1 logits, got " + logits.rows() + "×" + logits.cols() + " for n=" + n);
        }
        if (dLogits != null) dLogits.requireShape("BCE logits gradient", logits.rows(), 1);
        if (n == 0) return 0f;
        double sum = 0;
        float invN = 1f / n;
        for (int i = 0; i < n; i++) {
            float x = logits.get(i, 0);
            float y = targets[i];
            sum += Math.max(x, 0f) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
            if (dLogits != null) dLogits.set(i, 0, (sigmoid(x) - y) * invN);
        }
        return (float) (sum / n);
    }

    /** σ(x) = 1 / (1 + e^{−x}), computed without overflow. */
    public static float sigmoid(float x) {
        if (x >= 0) return (float) (1.0 / (1.0 + Math.exp(-x)));
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }
}
