package dev.recur.props.reference;

/** The losses, in double precision, as PyTorch defines them (reduction: mean). */
public final class RefLoss {
    private RefLoss() {}

    /**
     * {@code BCEWithLogitsLoss}: mean over n of {@code −[y log σ(z) + (1−y) log(1−σ(z))]}, computed
     * stably as {@code max(z, 0) − z·y + log(1 + exp(−|z|))}.
     */
    public static double bceWithLogits(double[] logits, double[] targets) {
        double s = 0;
        for (int n = 0; n < logits.length; n++) {
            double z = logits[n];
            s += Math.max(z, 0) - z * targets[n] + Math.log1p(Math.exp(-Math.abs(z)));
        }
        return s / logits.length;
    }

    /**
     * {@code CrossEntropyLoss} on raw logits {@code [N][C]}: mean over the rows whose target is not
     * {@code ignoreIndex} of {@code −log softmax(z)[target] = logsumexp(z) − z[target]}. 0 when
     * every row is ignored.
     */
    public static double softmaxCrossEntropy(double[][] logits, int[] targets, int ignoreIndex) {
        double s = 0;
        int count = 0;
        for (int n = 0; n < logits.length; n++) {
            if (targets[n] == ignoreIndex) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits[n]) max = Math.max(max, v);
            double sum = 0;
            for (double v : logits[n]) sum += Math.exp(v - max);
            s += max + Math.log(sum) - logits[n][targets[n]];
            count++;
        }
        return count == 0 ? 0 : s / count;
    }
}
