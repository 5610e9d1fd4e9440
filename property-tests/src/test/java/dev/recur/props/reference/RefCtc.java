package dev.recur.props.reference;

/**
 * The CTC loss of one sequence in double precision, straight from Graves et al. (2006), in plain
 * probabilities (no log space, no rescaling: fine for the short sequences the properties use):
 * y = softmax(u) per frame, the extended labels l' = (blank, l1, blank, …, blank),
 * <pre>
 *   α_1(1) = y_1(blank), α_1(2) = y_1(l1)
 *   α_t(s) = (α_{t−1}(s) + α_{t−1}(s−1) [+ α_{t−1}(s−2) if l'_s ≠ blank, l'_s ≠ l'_{s−2}]) · y_t(l'_s)
 *   β_T(S) = y_T(blank), β_T(S−1) = y_T(l_L)
 *   β_t(s) = (β_{t+1}(s) + β_{t+1}(s+1) [+ β_{t+1}(s+2) if l'_s ≠ blank, l'_s ≠ l'_{s+2}]) · y_t(l'_s)
 *   p = α_T(S) + α_T(S−1),   loss = −ln p
 *   ∂loss/∂u_t(k) = y_t(k) − Σ_{s: l'_s = k} α_t(s) β_t(s) / (p · y_t(k))
 * </pre>
 */
public final class RefCtc {
    private RefCtc() {}

    /** −ln p(labels | u) of logits {@code u[t][k]} (frames × classes). */
    public static double loss(double[][] u, int[] labels, int blank) {
        return compute(u, labels, blank, null);
    }

    /** The loss, writing ∂loss/∂u into {@code grad} (same shape). */
    public static double loss(double[][] u, int[] labels, int blank, double[][] grad) {
        return compute(u, labels, blank, grad);
    }

    private static double compute(double[][] u, int[] labels, int blank, double[][] grad) {
        int frames = u.length, classes = u[0].length, s = 2 * labels.length + 1;
        double[][] y = new double[frames][classes];
        for (int t = 0; t < frames; t++) {
            double z = 0;
            for (int k = 0; k < classes; k++) z += Math.exp(u[t][k]);
            for (int k = 0; k < classes; k++) y[t][k] = Math.exp(u[t][k]) / z;
        }
        int[] l = new int[s];
        for (int i = 0; i < s; i++) l[i] = i % 2 == 0 ? blank : labels[i / 2];
        double[][] alpha = new double[frames][s], beta = new double[frames][s];
        alpha[0][0] = y[0][blank];
        if (s > 1) alpha[0][1] = y[0][l[1]];
        for (int t = 1; t < frames; t++) {
            for (int i = 0; i < s; i++) {
                double sum = alpha[t - 1][i];
                if (i >= 1) sum += alpha[t - 1][i - 1];
                if (i >= 2 && l[i] != blank && l[i] != l[i - 2]) sum += alpha[t - 1][i - 2];
                alpha[t][i] = sum * y[t][l[i]];
            }
        }
        double p = alpha[frames - 1][s - 1] + (s > 1 ? alpha[frames - 1][s - 2] : 0);
        if (grad != null) {
            beta[frames - 1][s - 1] = y[frames - 1][l[s - 1]];
            if (s > 1) beta[frames - 1][s - 2] = y[frames - 1][l[s - 2]];
            for (int t = frames - 2; t >= 0; t--) {
                for (int i = 0; i < s; i++) {
                    double sum = beta[t + 1][i];
                    if (i + 1 < s) sum += beta[t + 1][i + 1];
                    if (i + 2 < s && l[i] != blank && l[i] != l[i + 2]) sum += beta[t + 1][i + 2];
                    beta[t][i] = sum * y[t][l[i]];
                }
            }
            for (int t = 0; t < frames; t++) {
                for (int k = 0; k < classes; k++) {
                    double occ = 0;
                    for (int i = 0; i < s; i++) if (l[i] == k) occ += alpha[t][i] * beta[t][i];
                    grad[t][k] = y[t][k] - occ / (p * y[t][k]);
                }
            }
        }
        return -Math.log(p);
    }
}
