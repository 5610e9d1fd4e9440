package dev.recur.engine;

/**
 * Row-wise matrix operations the layers need around a GEMM: bias broadcast, bias gradient, and
 * softmax / log-softmax per row (for cross-entropy). All accept views (any leading dimension).
 *
 * <p>Runs {@link SimdRowOps} when the Vector API is present, else {@link ScalarRowOps}.
 */
public final class RowOps {
    private RowOps() {}

    private static final boolean SIMD = Engine.vectorApiAvailable();

    /** m[r][c] += bias[c] for every row r; bias is 1 × m.cols(). */
    public static void addRowVector(FloatMatrix m, FloatMatrix bias) {
        Spans.requireRowVector("addRowVector", "bias", bias, m.cols());
        if (SIMD) SimdRowOps.addRowVector(m.segment(), 0, m.rows(), m.cols(), m.ld(), bias.segment(), 0);
        else ScalarRowOps.addRowVector(m.segment(), 0, m.rows(), m.cols(), m.ld(), bias.segment(), 0);
    }

    /** acc[c] += Σ_r m[r][c], rows added in order (bias gradient db += Σ_rows dY); acc is 1 × m.cols(). */
    public static void addColumnSums(FloatMatrix m, FloatMatrix acc) {
        Spans.requireRowVector("addColumnSums", "acc", acc, m.cols());
        if (SIMD) SimdRowOps.addColumnSums(m.segment(), 0, m.rows(), m.cols(), m.ld(), acc.segment(), 0);
        else ScalarRowOps.addColumnSums(m.segment(), 0, m.rows(), m.cols(), m.ld(), acc.segment(), 0);
    }

    /**
     * y[r] = softmax(x[r]) = e^(x[r] − max) / Σ e^(x[r] − max) per row; y may be x. A row of all −∞
     * gives NaN (as PyTorch); +∞ or NaN in a row gives NaN in that row.
     */
    public static void softmaxRows(FloatMatrix x, FloatMatrix y) {
        Spans.requireSameShape("softmaxRows", x, "x", y, "y");
        if (SIMD) SimdRowOps.softmaxRows(x.segment(), 0, x.ld(), x.rows(), x.cols(), y.segment(), 0, y.ld());
        else ScalarRowOps.softmaxRows(x.segment(), 0, x.ld(), x.rows(), x.cols(), y.segment(), 0, y.ld());
    }

    /** y[r] = log softmax(x[r]) = x[r] − max − log Σ e^(x[r] − max) per row; y may be x. */
    public static void logSoftmaxRows(FloatMatrix x, FloatMatrix y) {
        Spans.requireSameShape("logSoftmaxRows", x, "x", y, "y");
        if (SIMD) SimdRowOps.logSoftmaxRows(x.segment(), 0, x.ld(), x.rows(), x.cols(), y.segment(), 0, y.ld());
        else ScalarRowOps.logSoftmaxRows(x.segment(), 0, x.ld(), x.rows(), x.cols(), y.segment(), 0, y.ld());
    }
}
