package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * The B operand of a GEMM, op(B) (k×n), packed once into the micro-kernel's panel layout so that
 * many GEMMs can reuse it: a recurrent layer multiplies by the same {@code W_hhᵀ} at every time
 * step, and packing it once per forward pass instead of once per step (and per thread) removes
 * that cost. Made by {@link Gemm#packB}; used by the {@code PackedB} forms of {@link Gemm#sgemm}
 * and {@link Gemm#sgemmSerial}; {@link #repack} refreshes it in place after the weights change.
 *
 * <p>Read-only while GEMMs use it, so threads may share it. Lives on the Java heap (k·n floats,
 * rounded up to the register tile width).
 */
public final class PackedB {
    private final Transpose tb;
    private final int k;
    private final int n;
    private final float[] data;
    /** {@link #data} as a segment (the scalar twin reads op(B) from it as a row-major k×n matrix). */
    private final MemorySegment plain;
    private static final GemmSupport K = Kernels.gemm();

    PackedB(Transpose tb, int k, int n) {
        this.tb = tb;
        this.k = k;
        this.n = n;
        this.data = new float[Math.toIntExact(K.packedFloats(k, n))];
        this.plain = MemorySegment.ofArray(data);
    }

    /** Rows of op(B): the depth k of the products it takes part in. */
    public int rows() { return k; }

    /** Columns of op(B): the width n of C. */
    public int cols() { return n; }

    /** Whether B was stored transposed ({@code op(B) = Bᵀ}). */
    public Transpose transpose() { return tb; }

    /**
     * Packs new values from memory of the same layout as at creation: element (r, c) of the stored
     * B (k×n when {@code N}, n×k when {@code T}) at float index {@code bOffset + r·ldb + c}.
     * Allocates nothing.
     */
    public void repack(MemorySegment b, long bOffset, int ldb) {
        Gemm.checkOperand("B", b, bOffset, ldb, tb == Transpose.N ? k : n, tb == Transpose.N ? n : k, -1, n, k);
        if (k == 0 || n == 0) return;
        K.packB(tb == Transpose.T, k, n, b, bOffset, ldb, data);
    }

    /** Repacks from a matrix of the creation shape (B k×n for {@code N}, n×k for {@code T}). */
    public void repack(FloatMatrix b) {
        b.requireShape("PackedB.repack: B", tb == Transpose.N ? k : n, tb == Transpose.N ? n : k);
        repack(b.segment(), 0, b.ld());
    }

    /** The packed panels in the chosen GEMM's layout ({@link GemmSupport#packB}); not for callers. */
    public float[] data() { return data; }

    MemorySegment plain() { return plain; }

    @Override
    public String toString() {
        return "PackedB[op(B) " + k + "×" + n + ", op=" + tb + "]";
    }
}
