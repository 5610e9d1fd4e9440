package dev.recur.engine;

/** Whether a GEMM operand is used as stored ({@code N}) or transposed ({@code T}). */
public enum Transpose {
    /** Used as stored. */
    N,
    /** Used transposed. */
    T;

    /** Rows of {@code op(m)}. */
    public int rows(FloatMatrix m) { return this == N ? m.rows() : m.cols(); }

    /** Columns of {@code op(m)}. */
    public int cols(FloatMatrix m) { return this == N ? m.cols() : m.rows(); }
}
