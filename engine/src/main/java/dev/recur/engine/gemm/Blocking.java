package dev.recur.engine.gemm;

/**
 * Block sizes of the packed GEMM (see docs/gemm.md). The register tile is {@link #MR} rows by
 * {@code NR = 2 × lanes} columns; the packed B block ({@link #KC} × {@link #NC}) is sized for the
 * L2 cache and one packed A micro-panel ({@code MR × KC}) for L1.
 *
 * <p>This class imports no vector type, so the scalar path may read it.
 */
public final class Blocking {
    private Blocking() {}

    /** Rows of the register tile (one broadcast of A per row and k step). */
    public static final int MR = 8;
    /** Depth of one packed block: the k-extent of the A and B panels. */
    public static final int KC = 256;
    /** Rows of A packed at once. */
    public static final int MC = 256;
    /** Columns of B packed at once: KC × NC floats = 512 KiB, half of a 1 MiB L2. */
    public static final int NC = 512;
}
