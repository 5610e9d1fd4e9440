package dev.recur.layers.loss;

import dev.recur.engine.FloatMatrix;

/**
 * Softmax cross-entropy with an ignore index, mean over the valid targets, as
 * {@code torch.nn.CrossEntropyLoss(ignore_index=…)}: for a row with target {@code y},
 * {@code ℓ = logΣ_j e^{x_j} − x_y}; rows whose target is the ignore index contribute nothing.
 * {@code ∂L/∂x = (softmax(x) − onehot(y)) / V} for valid rows (V = number of valid rows) and 0 for
 * ignored rows. With no valid row the loss is 0 and the gradient zero (PyTorch returns NaN there).
 */
public final class SoftmaxCrossEntropyLoss {
    private SoftmaxCrossEntropyLoss() {}

    /** PyTorch's default ignore index. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    /**
     * Mean loss of the first {@code n} rows of {@code logits} (rows × C); writes {@code dLogits}
     * (same shape) when not null. A target outside [0, C) other than {@code ignoreIndex} is an error.
     */
    public static float forward(FloatMatrix logits, int[] targets, int n, int ignoreIndex, FloatMatrix dLogits) {
        int classes = logits.cols();
        if (logits.rows() < n) throw new IllegalArgumentException("cross-entropy: " + n + " targets but only " + logits.rows() + " logit rows");
        if (dLogits != null) logits.requireSameShape("cross-entropy logits gradient", dLogits);
        int valid = 0;
        for (int i = 0; i < n; i++) {
            int y = targets[i];
            if (y == ignoreIndex) continue;
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("target " + y + " at row " + i + " is outside the " + classes
                        + " classes [0, " + classes + ") and is not the ignore index " + ignoreIndex);
            }
            valid++;
        }
        double sum = 0;
        float invV = valid == 0 ? 0f : 1f / valid;
        for (int i = 0; i < n; i++) {
            int y = targets[i];
            if (y == ignoreIndex) {
                if (dLogits != null) for (int j = 0; j < classes; j++) dLogits.set(i, j, 0f);
                continue;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) max = Math.max(max, logits.get(i, j));
            double z = 0;
            for (int j = 0; j < classes; j++) z += Math.exp(logits.get(i, j) - max);
            double logZ = Math.log(z) + max;
            sum += logZ - logits.get(i, y);
            if (dLogits != null) {
                for (int j = 0; j < classes; j++) {
                    float pj = (float) Math.exp(logits.get(i, j) - logZ);
                    dLogits.set(i, j, (pj - (j == y ? 1f : 0f)) * invV);
                }
            }
        }
        return valid == 0 ? 0f : (float) (sum / valid);
    }

    /** Number of rows among the first n whose target is not the ignore index. */
    public static int validCount(int[] targets, int n, int ignoreIndex) {
        int v = 0;
        for (int i = 0; i < n; i++) if (targets[i] != ignoreIndex) v++;
        return v;
    }
}
