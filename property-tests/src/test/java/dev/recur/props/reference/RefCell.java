package dev.recur.props.reference;

/**
 * The recurrent cells, in double precision, written as PyTorch documents them. This is the
 * readable specification Recur's fused float kernels are checked against.
 *
 * <p>For one sequence and one step, with input {@code x}, previous state {@code h} (and {@code c}
 * for LSTM), weights {@code W_ih} (gates·H × F), {@code W_hh} (gates·H × H), biases {@code b_ih},
 * {@code b_hh} (gates·H), σ the logistic sigmoid and ⊙ the element-wise product:
 * <pre>
 * RNN (tanh/relu):  h' = act(W_ih x + b_ih + W_hh h + b_hh)
 * LSTM (i, f, g, o): [i f g o] = W_ih x + b_ih + W_hh h + b_hh
 *                   c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
 *                   h' = σ(o) ⊙ tanh(c')
 * GRU (r, z, n):    a = W_ih x + b_ih,  u = W_hh h + b_hh      (each split in r, z, n blocks of H)
 *                   r = σ(a_r + u_r),  z = σ(a_z + u_z)
 *                   n = tanh(a_n + r ⊙ u_n)                     (PyTorch: reset after the product)
 *                   h' = (1 − z) ⊙ n + z ⊙ h
 * </pre>
 */
public enum RefCell {
    RNN_TANH(1, "rnn_tanh"),
    RNN_RELU(1, "rnn_relu"),
    LSTM(4, "lstm"),
    GRU(3, "gru");

    /** Number of gate blocks of H rows in the weight matrices. */
    public final int gates;
    /** The name used in fixtures and reports. */
    public final String label;

    RefCell(int gates, String label) {
        this.gates = gates;
        this.label = label;
    }

    /** True for LSTM, the only cell with a second state (the cell state c). */
    public boolean hasCellState() {
        return this == LSTM;
    }

    /**
     * One step: reads {@code x}, {@code h} (and {@code c}), writes the new state into
     * {@code hOut} (and {@code cOut}). {@code w} holds one direction of one layer.
     */
    public void step(RefWeights w, double[] x, double[] h, double[] c, double[] hOut, double[] cOut) {
        int hs = w.hidden;
        double[] a = w.inputProjection(x);      // W_ih x + b_ih
        double[] u = w.recurrentProjection(h);  // W_hh h + b_hh
        switch (this) {
            case RNN_TANH -> {
                for (int j = 0; j < hs; j++) hOut[j] = Math.tanh(a[j] + u[j]);
            }
            case RNN_RELU -> {
                for (int j = 0; j < hs; j++) hOut[j] = Math.max(0.0, a[j] + u[j]);
            }
            case LSTM -> {
                for (int j = 0; j < hs; j++) {
                    double i = sigmoid(a[j] + u[j]);
                    double f = sigmoid(a[hs + j] + u[hs + j]);
                    double g = Math.tanh(a[2 * hs + j] + u[2 * hs + j]);
                    double o = sigmoid(a[3 * hs + j] + u[3 * hs + j]);
                    cOut[j] = f * c[j] + i * g;
                    hOut[j] = o * Math.tanh(cOut[j]);
                }
            }
            case GRU -> {
                for (int j = 0; j < hs; j++) {
                    double r = sigmoid(a[j] + u[j]);
                    double z = sigmoid(a[hs + j] + u[hs + j]);
                    double n = Math.tanh(a[2 * hs + j] + r * u[2 * hs + j]);
                    hOut[j] = (1 - z) * n + z * h[j];
                }
            }
        }
    }

    /**
     * The smallest distance of a relu pre-activation to its kink at 0 in this step (infinity for
     * other cells). Finite differences are only meaningful away from the kink.
     */
    public double reluMargin(RefWeights w, double[] x, double[] h) {
        if (this != RNN_RELU) return Double.POSITIVE_INFINITY;
        double[] a = w.inputProjection(x);
        double[] u = w.recurrentProjection(h);
        double m = Double.POSITIVE_INFINITY;
        for (int j = 0; j < w.hidden; j++) m = Math.min(m, Math.abs(a[j] + u[j]));
        return m;
    }

    public static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }
}
