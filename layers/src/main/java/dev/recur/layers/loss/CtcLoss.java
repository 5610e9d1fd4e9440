package dev.recur.layers.loss;

import dev.recur.engine.FloatMatrix;

/**
 * Connectionist temporal classification (Graves et al. 2006) over unnormalised logits, as
 * {@code torch.nn.CTCLoss} applied to {@code log_softmax(logits)}: the loss of sequence b is
 * {@code −ln p(l_b | x_b)}, the sum over every frame-level path that collapses (repeats merged,
 * blanks dropped) to the label sequence {@code l_b}.
 *
 * <p>Forward–backward in log space on the extended labels {@code l' = (blank, l1, blank, l2, …,
 * blank)} of length S = 2L + 1, in double:
 * <pre>
 *   α_t(s) = lse(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) if l'_s ≠ blank and l'_s ≠ l'_{s−2}) + ln y_t(l'_s)
 *   β_t(s) = lse(β_{t+1}(s), β_{t+1}(s+1), β_{t+1}(s+2) if l'_s ≠ blank and l'_s ≠ l'_{s+2}) + ln y_t(l'_s)
 *   ln p   = lse(α_{T−1}(S−1), α_{T−1}(S−2))
 *   ∂(−ln p)/∂u_t(k) = y_t(k) − exp(lse_{s: l'_s = k}(α_t(s) + β_t(s)) − ln y_t(k) − ln p)
 * </pre>
 * (lse = log-sum-exp; −∞ terms drop out; the softmax is folded into the gradient w.r.t. the
 * logits u). A label sequence needs at least {@code L + (number of adjacent repeats)} frames (a
 * repeat needs a blank between); with fewer the sequence is <em>infeasible</em>: its loss is +∞
 * and its gradient 0, or, with {@code zeroInfinity}, both 0 (torch's {@code zero_infinity=True}).
 *
 * <p>Rows are time-major: row {@code t·B + b} holds frame t of sequence b; frames at or past
 * {@code inputLengths[b]} are padding (gradient 0). Targets are concatenated as in torch's 1-D form:
 * sequence b's labels follow those of sequences 0…b−1, {@code targetLengths[b]} of them, each in
 * [0, C) and not the blank. Reductions as torch: {@link Reduction#MEAN} averages
 * {@code loss_b / max(L_b, 1)} over the batch, {@link Reduction#SUM} adds the losses.
 *
 * <p>Workspaces are sized at construction: a call allocates nothing. One caller at a time.
 */
public final class CtcLoss {

    /** How the per-sequence losses are combined, as torch's {@code reduction}. */
    public enum Reduction {
        /** Mean over the batch of each loss divided by its target length (at least 1). */
        MEAN,
        /** Sum of the losses. */
        SUM
    }

    private final int classes, blank, maxSteps, maxBatch, maxLabels;
    private final Reduction reduction;
    private final boolean zeroInfinity;
    private final double[] logProbs;   // maxSteps × classes: ln y_t(k) of one sequence
    private final double[] alpha, beta; // maxSteps × (2·maxLabels + 1)
    private final int[] extended;      // l'
    private final double[] losses;     // −ln p per sequence of the last call
    private final double[] column;     // one frame's lse accumulation per class

    /**
     * @param classes      C, output classes including the blank
     * @param blank        the blank's class index
     * @param maxSteps     largest T
     * @param maxBatch     largest B
     * @param maxLabels    largest target length
     * @param reduction    how sequence losses combine
     * @param zeroInfinity infeasible sequences count 0 (loss and gradient) instead of +∞
     */
    public CtcLoss(int classes, int blank, int maxSteps, int maxBatch, int maxLabels, Reduction reduction, boolean zeroInfinity) {
        if (classes < 2) throw new IllegalArgumentException("CTC needs at least 2 classes (the blank and one label), got " + classes);
        if (blank < 0 || blank >= classes) throw new IllegalArgumentException("CTC blank " + blank + " is outside [0, " + classes + ")");
        if (maxSteps < 1 || maxBatch < 1 || maxLabels < 0) {
            throw new IllegalArgumentException("CTC workspace needs maxSteps, maxBatch ≥ 1 and maxLabels ≥ 0, got "
                    + maxSteps + ", " + maxBatch + " and " + maxLabels);
        }
        if (reduction == null) throw new IllegalArgumentException("CTC reduction is missing (mean or sum)");
        this.classes = classes;
        this.blank = blank;
        this.maxSteps = maxSteps;
        this.maxBatch = maxBatch;
        this.maxLabels = maxLabels;
        this.reduction = reduction;
        this.zeroInfinity = zeroInfinity;
        int s = 2 * maxLabels + 1;
        logProbs = new double[Math.multiplyExact(maxSteps, classes)];
        alpha = new double[Math.multiplyExact(maxSteps, s)];
        beta = new double[alpha.length];
        extended = new int[s];
        losses = new double[maxBatch];
        column = new double[classes];
    }

    public int classes() { return classes; }

    public int blank() { return blank; }

    public int maxLabels() { return maxLabels; }

    public Reduction reduction() { return reduction; }

    /**
     * The reduced loss of a batch of {@code batch} sequences over {@code steps} frames; writes the
     * gradient w.r.t. the logits into {@code dLogits} (same rows as {@code logits}, overwritten,
     * padding rows 0) when it is not null.
     *
     * @param logits        at least {@code steps·batch} rows × C, row t·B + b
     * @param inputLengths  frames per sequence, in [1, steps]
     * @param targets       the label sequences concatenated
     * @param targetLengths labels per sequence, in [0, maxLabels]
     */
    public float forward(FloatMatrix logits, int steps, int batch, int[] inputLengths, int[] targets, int[] targetLengths,
                         FloatMatrix dLogits) {
        check(logits, steps, batch, inputLengths, targets, targetLengths, dLogits);
        double total = 0;
        int offset = 0;
        for (int b = 0; b < batch; b++) {
            int len = targetLengths[b];
            double nll = sequence(logits, steps, batch, b, inputLengths[b], targets, offset, len, dLogits);
            offset += len;
            double weight = reduction == Reduction.MEAN ? 1.0 / ((double) Math.max(len, 1) * batch) : 1.0;
            losses[b] = nll;
            if (Double.isInfinite(nll) && zeroInfinity) {
                losses[b] = 0;
                nll = 0;
            }
            total += weight * nll;
            if (dLogits != null) {
                float w = (float) weight;
                for (int t = 0; t < steps; t++) {
                    int row = t * batch + b;
                    for (int k = 0; k < classes; k++) dLogits.set(row, k, dLogits.get(row, k) * w);
                }
            }
        }
        return (float) total;
    }

    /** {@code −ln p(l_b | x_b)} of sequence b in the last call (before reduction; 0 for an infeasible one under zeroInfinity). */
    public double sequenceLoss(int b) { return losses[b]; }

    /** Fewest frames a label sequence needs: its length plus one blank between each pair of equal neighbours. */
    public static int minimumFrames(int[] labels, int offset, int length) {
        int need = length;
        for (int j = 1; j < length; j++) if (labels[offset + j] == labels[offset + j - 1]) need++;
        return need;
    }

    /** −ln p of one sequence; its gradient rows (unscaled) when dLogits is not null. */
    private double sequence(FloatMatrix logits, int steps, int batch, int b, int frames, int[] targets, int offset, int len,
                            FloatMatrix dLogits) {
        int c = classes, s = 2 * len + 1;
        if (dLogits != null) {
            for (int t = frames; t < steps; t++) {
                int row = t * batch + b;
                for (int k = 0; k < c; k++) dLogits.set(row, k, 0f);
            }
        }
        if (frames < minimumFrames(targets, offset, len)) {
            if (dLogits != null) {
                for (int t = 0; t < frames; t++) {
                    int row = t * batch + b;
                    for (int k = 0; k < c; k++) dLogits.set(row, k, 0f);
                }
            }
            return Double.POSITIVE_INFINITY;
        }
        for (int t = 0; t < frames; t++) {          // ln y_t(k) = u_t(k) − lse_j u_t(j)
            int row = t * batch + b;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) max = Math.max(max, logits.get(row, k));
            double z = 0;
            for (int k = 0; k < c; k++) z += Math.exp(logits.get(row, k) - max);
            double lz = max + Math.log(z);
            for (int k = 0; k < c; k++) logProbs[t * c + k] = logits.get(row, k) - lz;
        }
        for (int i = 0; i < s; i++) extended[i] = (i & 1) == 0 ? blank : targets[offset + (i >> 1)];

        double[] a = alpha, be = beta;
        for (int i = 0; i < s; i++) a[i] = Double.NEGATIVE_INFINITY;
        a[0] = logProbs[blank];
        if (s > 1) a[1] = logProbs[extended[1]];
        for (int t = 1; t < frames; t++) {
            int cur = t * s, prev = cur - s;
            for (int i = 0; i < s; i++) {
                double v = a[prev + i];
                if (i >= 1) v = lse(v, a[prev + i - 1]);
                if (i >= 2 && extended[i] != blank && extended[i] != extended[i - 2]) v = lse(v, a[prev + i - 2]);
                a[cur + i] = v + logProbs[t * c + extended[i]];
            }
        }
        int last = (frames - 1) * s;
        double logP = s > 1 ? lse(a[last + s - 1], a[last + s - 2]) : a[last];
        if (dLogits == null) return -logP;

        for (int i = 0; i < s; i++) be[last + i] = Double.NEGATIVE_INFINITY;
        be[last + s - 1] = logProbs[(frames - 1) * c + extended[s - 1]];
        if (s > 1) be[last + s - 2] = logProbs[(frames - 1) * c + extended[s - 2]];
        for (int t = frames - 2; t >= 0; t--) {
            int cur = t * s, next = cur + s;
            for (int i = 0; i < s; i++) {
                double v = be[next + i];
                if (i + 1 < s) v = lse(v, be[next + i + 1]);
                if (i + 2 < s && extended[i] != blank && extended[i] != extended[i + 2]) v = lse(v, be[next + i + 2]);
                be[cur + i] = v + logProbs[t * c + extended[i]];
            }
        }
        for (int t = 0; t < frames; t++) {
            for (int k = 0; k < c; k++) column[k] = Double.NEGATIVE_INFINITY;
            int cur = t * s;
            for (int i = 0; i < s; i++) column[extended[i]] = lse(column[extended[i]], a[cur + i] + be[cur + i]);
            int row = t * batch + b;
            for (int k = 0; k < c; k++) {
                double lp = logProbs[t * c + k];
                double occupancy = column[k] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(column[k] - lp - logP);
                dLogits.set(row, k, (float) (Math.exp(lp) - occupancy));
            }
        }
        return -logP;
    }

    /** ln(e^x + e^y), exact when either is −∞. */
    private static double lse(double x, double y) {
        if (x == Double.NEGATIVE_INFINITY) return y;
        if (y == Double.NEGATIVE_INFINITY) return x;
        return x > y ? x + Math.log1p(Math.exp(y - x)) : y + Math.log1p(Math.exp(x - y));
    }

    private void check(FloatMatrix logits, int steps, int batch, int[] inputLengths, int[] targets, int[] targetLengths,
                       FloatMatrix dLogits) {
        if (steps < 1 || steps > maxSteps || batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException("CTC batch of " + steps + " frames × " + batch + " sequences is outside the workspace "
                    + maxSteps + " × " + maxBatch);
        }
        if (logits.cols() != classes) {
            throw new IllegalArgumentException("CTC logits have " + logits.cols() + " columns but the loss has " + classes + " classes");
        }
        if (logits.rows() < steps * batch) {
            throw new IllegalArgumentException("CTC logits have " + logits.rows() + " rows, fewer than " + steps + " frames × " + batch);
        }
        if (dLogits != null && (dLogits.cols() != classes || dLogits.rows() < steps * batch)) {
            throw new IllegalArgumentException("CTC gradient is " + dLogits.rows() + " × " + dLogits.cols() + ", needs at least "
                    + steps * batch + " × " + classes);
        }
        int total = 0;
        for (int b = 0; b < batch; b++) {
            if (inputLengths[b] < 1 || inputLengths[b] > steps) {
                throw new IllegalArgumentException("CTC input length " + inputLengths[b] + " of sequence " + b + " is outside [1, " + steps + "]");
            }
            if (targetLengths[b] < 0 || targetLengths[b] > maxLabels) {
                throw new IllegalArgumentException("CTC target length " + targetLengths[b] + " of sequence " + b
                        + " is outside [0, " + maxLabels + "] (create the loss with a larger maxLabels)");
            }
            for (int j = 0; j < targetLengths[b]; j++) {
                int y = targets[total + j];
                if (y < 0 || y >= classes || y == blank) {
                    throw new IllegalArgumentException("CTC label " + y + " at position " + j + " of sequence " + b
                            + " is the blank or outside [0, " + classes + ")");
                }
            }
            total += targetLengths[b];
        }
    }
}
