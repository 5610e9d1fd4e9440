package dev.recur.props.reference;

/**
 * One direction of one layer's weights, views into the flat parameter arrays of a
 * {@link RefRecurrent} (so perturbing a parameter for finite differences is seen here).
 * Row-major: {@code W_ih[r][c] = wIh[r·inputSize + c]}.
 */
public final class RefWeights {
    final double[] wIh;
    final double[] wHh;
    final double[] bIh;
    final double[] bHh;
    final int input;
    final int hidden;
    final int rows;

    RefWeights(double[] wIh, double[] wHh, double[] bIh, double[] bHh, int input, int hidden, int gates) {
        this.wIh = wIh;
        this.wHh = wHh;
        this.bIh = bIh;
        this.bHh = bHh;
        this.input = input;
        this.hidden = hidden;
        this.rows = gates * hidden;
    }

    /** {@code W_ih x + b_ih}. */
    double[] inputProjection(double[] x) {
        return affine(wIh, bIh, x, input);
    }

    /** {@code W_hh h + b_hh}. */
    double[] recurrentProjection(double[] h) {
        return affine(wHh, bHh, h, hidden);
    }

    private double[] affine(double[] w, double[] b, double[] v, int cols) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = b == null ? 0 : b[r];
            for (int c = 0; c < cols; c++) s += w[r * cols + c] * v[c];
            y[r] = s;
        }
        return y;
    }
}
