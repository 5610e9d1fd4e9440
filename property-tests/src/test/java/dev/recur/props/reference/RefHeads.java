package dev.recur.props.reference;

/**
 * The model heads on top of a recurrent layer's output {@code y[T][B][C]}, as scalar losses.
 * <pre>
 * classifier (BCE):  L = BCEWithLogits(fc(pool(y)), labels)            fc: C → 1
 * classifier (CE):   L = CrossEntropy(fc(pool(y)), classes)             fc: C → K
 * labeler:           L = CrossEntropy(fc(y[t][b]) for t &lt; len[b], tags[t][b], ignoreIndex)
 * </pre>
 */
public final class RefHeads {
    private RefHeads() {}

    public static double classifierBce(double[][][] y, int[] lengths, int directions, RefPooling pooling,
                                       RefLinear fc, double[] labels) {
        double[][] logits = fc.apply(pooling.pool(y, lengths, directions));
        double[] z = new double[logits.length];
        for (int b = 0; b < z.length; b++) z[b] = logits[b][0];
        return RefLoss.bceWithLogits(z, labels);
    }

    public static double classifierCe(double[][][] y, int[] lengths, int directions, RefPooling pooling,
                                      RefLinear fc, int[] classes) {
        return RefLoss.softmaxCrossEntropy(fc.apply(pooling.pool(y, lengths, directions)), classes, Integer.MIN_VALUE);
    }

    /** Per-step tagging loss; steps at or past a sequence's length count as ignored. */
    public static double labeler(double[][][] y, int[] lengths, RefLinear fc, int[][] tags, int ignoreIndex) {
        int steps = y.length, batch = lengths.length;
        double[][] rows = new double[steps * batch][];
        int[] targets = new int[steps * batch];
        for (int t = 0; t < steps; t++) {
            double[][] logits = fc.apply(y[t]);
            for (int b = 0; b < batch; b++) {
                rows[t * batch + b] = logits[b];
                targets[t * batch + b] = t < lengths[b] ? tags[t][b] : ignoreIndex;
            }
        }
        return RefLoss.softmaxCrossEntropy(rows, targets, ignoreIndex);
    }
}
