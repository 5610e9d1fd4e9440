package dev.recur.layers.loss;

import dev.recur.engine.Activations;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.RowOps;
import dev.recur.engine.VectorOps;
import java.lang.foreign.MemorySegment;

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

    /**
     * Mean cross-entropy with label smoothing ε over the first {@code n} rows, as
     * {@code torch.nn.CrossEntropyLoss(ignore_index=…, label_smoothing=ε)}: with {@code p = softmax(x)}
     * and C classes, a row with target y costs {@code −(1−ε)·log p_y − (ε/C)·Σ_j log p_j}; ε = 0 is
     * plain cross-entropy. The gradient {@code ∂L/∂x = (p − (1−ε)·onehot(y) − ε/C) / V} (V valid
     * rows; 0 on ignored rows) is written into {@code work} when {@code gradient}, else work only
     * holds log p. Runs on the engine's row log-softmax and exp kernels (for the large vocabularies
     * of translation); {@code logits} and {@code work} are n × C (work may not be logits).
     */
    public static float forwardSmoothed(FloatMatrix logits, int[] targets, int n, int ignoreIndex, float smoothing,
                                        FloatMatrix work, boolean gradient) {
        int classes = logits.cols();
        if (!(smoothing >= 0f && smoothing < 1f)) throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
        logits.requireShape("cross-entropy logits", n, classes);
        work.requireShape("cross-entropy workspace", n, classes);
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
        RowOps.logSoftmaxRows(logits, work);
        MemorySegment w = work.segment();
        float invV = valid == 0 ? 0f : 1f / valid, uniform = smoothing / classes;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int y = targets[i];
            long row = work.index(i, 0);
            if (y == ignoreIndex) {
                if (gradient) VectorOps.fill(0f, w, row, classes);
                continue;
            }
            double lossRow = -(1.0 - smoothing) * work.get(i, y);
            if (smoothing > 0f) {
                double all = 0;
                for (int j = 0; j < classes; j++) all += work.get(i, j);
                lossRow -= uniform * all;
            }
            sum += lossRow;
            if (gradient) {
                Activations.exp(w, row, w, row, classes);
                VectorOps.scale(invV, w, row, classes);
                if (smoothing > 0f) {
                    float u = uniform * invV;
                    for (int j = 0; j < classes; j++) w.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, row + j, work.get(i, j) - u);
                }
                work.set(i, y, work.get(i, y) - (1f - smoothing) * invV);
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
