package dev.recur.props.reference;

/**
 * Attention in double precision, from the equations of {@code dev.recur.layers.Attention}: for
 * decoder step s and sentence b, {@code e[t] = score(q, k[t·B+b])} over {@code t < len_b},
 * {@code α = softmax(e)}, {@code c = Σ_t α[t] k[t·B+b]}. Scores: dot {@code q·k}; general
 * {@code q·(W k)} with {@code key.weight} [qd × kd]; additive {@code v·tanh(W_q q + U_k k + b)} with
 * {@code query.weight} [A × qd], {@code key.weight} [A × kd], {@code key.bias} [A], {@code v.weight} [1 × A].
 * Parameters and inputs are flat row-major arrays that finite differences perturb in place.
 */
public final class RefAttention {
    /** 0 dot, 1 general, 2 additive (the layer's enum order). */
    public final int kind;
    public final int qd, kd, a;
    public final RefParam keyWeight, keyBias, queryWeight, v;

    public RefAttention(int kind, int qd, int kd, int a) {
        this.kind = kind;
        this.qd = qd;
        this.kd = kd;
        this.a = a;
        keyWeight = kind == 1 ? new RefParam("attention.key.weight", new int[] {qd, kd}, new double[qd * kd])
                : kind == 2 ? new RefParam("attention.key.weight", new int[] {a, kd}, new double[a * kd]) : null;
        keyBias = kind == 2 ? new RefParam("attention.key.bias", new int[] {a}, new double[a]) : null;
        queryWeight = kind == 2 ? new RefParam("attention.query.weight", new int[] {a, qd}, new double[a * qd]) : null;
        v = kind == 2 ? new RefParam("attention.v.weight", new int[] {1, a}, new double[a]) : null;
    }

    /** The parameter named {@code name}. */
    public RefParam param(String name) {
        for (RefParam p : new RefParam[] {keyWeight, keyBias, queryWeight, v}) if (p != null && p.name().equals(name)) return p;
        throw new IllegalArgumentException("no parameter " + name);
    }

    private double score(double[] q, int qo, double[] k, int ko) {
        double e = 0;
        switch (kind) {
            case 0 -> { for (int i = 0; i < qd; i++) e += q[qo + i] * k[ko + i]; }
            case 1 -> {
                for (int i = 0; i < qd; i++) {
                    double wk = 0;
                    for (int j = 0; j < kd; j++) wk += keyWeight.data()[i * kd + j] * k[ko + j];
                    e += q[qo + i] * wk;
                }
            }
            default -> {
                for (int h = 0; h < a; h++) {
                    double z = keyBias.data()[h];
                    for (int i = 0; i < qd; i++) z += queryWeight.data()[h * qd + i] * q[qo + i];
                    for (int j = 0; j < kd; j++) z += keyWeight.data()[h * kd + j] * k[ko + j];
                    e += v.data()[h] * Math.tanh(z);
                }
            }
        }
        return e;
    }

    /** Weights α (S·B × T, zero past each length) of queries (S·B × qd) over keys (T·B × kd). */
    public double[] weights(double[] queries, double[] keys, int[] lengths, int steps, int batch) {
        int rows = queries.length / qd;
        double[] w = new double[rows * steps];
        for (int r = 0; r < rows; r++) {
            int b = r % batch, len = lengths[b];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < len; t++) max = Math.max(max, w[r * steps + t] = score(queries, r * qd, keys, (t * batch + b) * kd));
            double sum = 0;
            for (int t = 0; t < len; t++) sum += w[r * steps + t] = Math.exp(w[r * steps + t] - max);
            for (int t = 0; t < len; t++) w[r * steps + t] /= sum;
        }
        return w;
    }

    /** Contexts (S·B × kd). */
    public double[] context(double[] queries, double[] keys, int[] lengths, int steps, int batch) {
        double[] w = weights(queries, keys, lengths, steps, batch);
        int rows = queries.length / qd;
        double[] c = new double[rows * kd];
        for (int r = 0; r < rows; r++) {
            int b = r % batch;
            for (int t = 0; t < steps; t++) {
                for (int j = 0; j < kd; j++) c[r * kd + j] += w[r * steps + t] * keys[(t * batch + b) * kd + j];
            }
        }
        return c;
    }
}
