package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * Row-wise matrix operations the layers need around a GEMM: bias broadcast, bias gradient, and
 * softmax / log-softmax per row (for cross-entropy), transposed accumulation and row copies. All
 * accept views (any leading dimension).
 *
 * <p>Runs {@link SimdRowOps} when the Vector API is present, else {@link ScalarRowOps}.
 */
public final class RowOps {
    private RowOps() {}

    private static final RowOpsSupport K = Kernels.rowOps();

    /** m[r][c] += bias[c] for every row r; bias is 1 × m.cols(). */
    public static void addRowVector(FloatMatrix m, FloatMatrix bias) {
        Spans.requireRowVector("addRowVector", "bias", bias, m.cols());
        K.addRowVector(m.segment(), 0, m.rows(), m.cols(), m.ld(), bias.segment(), 0);
    }

    /** acc[c] += Σ_r m[r][c], rows added in order (bias gradient db += Σ_rows dY); acc is 1 × m.cols(). */
    public static void addColumnSums(FloatMatrix m, FloatMatrix acc) {
        Spans.requireRowVector("addColumnSums", "acc", acc, m.cols());
        K.addColumnSums(m.segment(), 0, m.rows(), m.cols(), m.ld(), acc.segment(), 0);
    }

    /**
     * y[r] = softmax(x[r]) = e^(x[r] − max) / Σ e^(x[r] − max) per row; y may be x. A row of all −∞
     * gives NaN (as PyTorch); +∞ or NaN in a row gives NaN in that row.
     */
    public static void softmaxRows(FloatMatrix x, FloatMatrix y) {
        Spans.requireSameShape("softmaxRows", x, "x", y, "y");
        K.softmaxRows(x.segment(), 0, x.ld(), x.rows(), x.cols(), y.segment(), 0, y.ld());
    }

    /** y[r] = log softmax(x[r]) = x[r] − max − log Σ e^(x[r] − max) per row; y may be x. */
    public static void logSoftmaxRows(FloatMatrix x, FloatMatrix y) {
        Spans.requireSameShape("logSoftmaxRows", x, "x", y, "y");
        K.logSoftmaxRows(x.segment(), 0, x.ld(), x.rows(), x.cols(), y.segment(), 0, y.ld());
    }

    /**
     * dst += srcᵀ: {@code dst[c][r] += src[r][c]} for r &lt; rows, c &lt; cols, where src is
     * rows × cols with leading dimension {@code ldSrc} and dst cols × rows with {@code ldDst}
     * (offsets and leading dimensions in floats). One add per element, so both twins give the same
     * bits. src and dst must not overlap.
     */
    public static void addTransposed(MemorySegment src, long srcOff, int rows, int cols, int ldSrc,
                                     MemorySegment dst, long dstOff, int ldDst) {
        checkMatrix("addTransposed", "src", src, srcOff, rows, cols, ldSrc);
        checkMatrix("addTransposed", "dst", dst, dstOff, cols, rows, ldDst);
        K.addTransposed(src, srcOff, rows, cols, ldSrc, dst, dstOff, ldDst);
    }

    /** dst += srcᵀ on matrices: src is r × c, dst c × r (views allowed). */
    public static void addTransposed(FloatMatrix src, FloatMatrix dst) {
        if (dst.rows() != src.cols() || dst.cols() != src.rows()) {
            throw new IllegalArgumentException("addTransposed: dst is " + dst.rows() + "×" + dst.cols()
                    + " but src is " + src.rows() + "×" + src.cols() + "; dst must be " + src.cols() + "×" + src.rows());
        }
        addTransposed(src.segment(), 0, src.rows(), src.cols(), src.ld(), dst.segment(), 0, dst.ld());
    }

    /**
     * Max pooling over rows: {@code max[c] = max_{r < rows} m[r][c]} and {@code argmax[argOff + c]}
     * = the first r holding it, for c &lt; cols, where row r of m starts at float index
     * {@code mOff + r·ld}. A NaN beats every number and the first NaN stays (the maximum of a column
     * with a NaN is NaN). {@code rows ≥ 1}. Comparisons only, so both twins give the same bits and
     * indices.
     */
    public static void maxOverRows(MemorySegment m, long mOff, int rows, int cols, int ld,
                                   MemorySegment max, long maxOff, int[] argmax, int argOff) {
        if (rows < 1) throw new IllegalArgumentException("maxOverRows: needs at least one row, got " + rows);
        checkMatrix("maxOverRows", "m", m, mOff, rows, cols, ld);
        Spans.check("maxOverRows", "max", max, maxOff, cols);
        if (argOff < 0 || argOff > argmax.length - cols) {
            throw new IndexOutOfBoundsException("maxOverRows: argmax [" + argOff + ", " + (argOff + cols)
                    + ") lies outside its array of " + argmax.length);
        }
        K.maxOverRows(m, mOff, rows, cols, ld, max, maxOff, argmax, argOff);
    }

    /**
     * Copies a block of {@code rows × cols} floats: row r of src (float index
     * {@code srcOff + r·ldSrc}) to row r of dst ({@code dstOff + r·ldDst}). A memory copy, exact.
     */
    public static void copyRows(MemorySegment src, long srcOff, int ldSrc, MemorySegment dst, long dstOff, int ldDst,
                                int rows, int cols) {
        checkMatrix("copyRows", "src", src, srcOff, rows, cols, ldSrc);
        checkMatrix("copyRows", "dst", dst, dstOff, rows, cols, ldDst);
        if (ldSrc == cols && ldDst == cols) {
            MemorySegment.copy(src, srcOff * Float.BYTES, dst, dstOff * Float.BYTES, (long) rows * cols * Float.BYTES);
            return;
        }
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(src, (srcOff + (long) r * ldSrc) * Float.BYTES,
                    dst, (dstOff + (long) r * ldDst) * Float.BYTES, (long) cols * Float.BYTES);
        }
    }

    /** A clear error unless a rows × cols block with this leading dimension lies inside seg. */
    private static void checkMatrix(String op, String name, MemorySegment seg, long off, int rows, int cols, int ld) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": " + name + " shape must be ≥ 0, got " + rows + "×" + cols);
        }
        if (rows > 0 && ld < cols) {
            throw new IllegalArgumentException(op + ": " + name + " leading dimension " + ld
                    + " is smaller than its " + cols + " columns");
        }
        long span = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
        Spans.check(op, name, seg, off, span);
    }
}
