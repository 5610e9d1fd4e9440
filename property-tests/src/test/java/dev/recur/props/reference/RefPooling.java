package dev.recur.props.reference;

/**
 * Pooling of a sequence layer's output {@code y[T][B][C]} over each sequence's valid steps
 * {@code 0 … len−1} into {@code p[B][C]}:
 * <pre>
 * LAST:  p = y[len−1]    (bidirectional, C = 2H: forward half y[len−1][0:H], reverse half y[0][H:2H],
 *                         i.e. each direction's final hidden state, PyTorch's cat(h_n[-2], h_n[-1]))
 * MEAN:  p = (1/len) Σ_{t<len} y[t]
 * MAX:   p_j = max_{t<len} y[t]_j
 * </pre>
 */
public enum RefPooling {
    LAST, MEAN, MAX;

    public double[][] pool(double[][][] y, int[] lengths, int directions) {
        int batch = lengths.length;
        int half = y[0][0].length / directions;
        int cols = y[0][0].length;
        double[][] p = new double[batch][cols];
        for (int b = 0; b < batch; b++) {
            int len = lengths[b];
            for (int j = 0; j < cols; j++) {
                double v = switch (this) {
                    case LAST -> directions == 2 && j >= half ? y[0][b][j] : y[len - 1][b][j];
                    case MEAN -> {
                        double s = 0;
                        for (int t = 0; t < len; t++) s += y[t][b][j];
                        yield s / len;
                    }
                    case MAX -> {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int t = 0; t < len; t++) m = Math.max(m, y[t][b][j]);
                        yield m;
                    }
                };
                p[b][j] = v;
            }
        }
        return p;
    }

    /**
     * For MAX: the smallest gap between the largest and the second largest value of any pooled
     * column (infinity otherwise, or with a single step). Finite differences across a tie are
     * meaningless, so gradient checks keep away from small gaps.
     */
    public double tieMargin(double[][][] y, int[] lengths) {
        if (this != MAX) return Double.POSITIVE_INFINITY;
        double margin = Double.POSITIVE_INFINITY;
        for (int b = 0; b < lengths.length; b++) {
            for (int j = 0; j < y[0][0].length; j++) {
                double first = Double.NEGATIVE_INFINITY, second = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < lengths[b]; t++) {
                    double v = y[t][b][j];
                    if (v > first) { second = first; first = v; } else if (v > second) second = v;
                }
                if (lengths[b] > 1) margin = Math.min(margin, first - second);
            }
        }
        return margin;
    }
}
