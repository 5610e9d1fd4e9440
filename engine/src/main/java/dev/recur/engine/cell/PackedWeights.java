package dev.recur.engine.cell;

import dev.recur.engine.Engine;
import dev.recur.engine.Gemm;
import dev.recur.engine.Transpose;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A weight matrix packed once for many small products {@code C = beta·C + A·B} that share it: the
 * recurrent product of every time step ({@code h·W_hhᵀ} forward, {@code dG·W_hh} backward) uses the
 * same B for all T steps, so packing it per step (as a general GEMM must) would cost about as much as
 * the multiply itself. B is K×N; it is packed in panels of {@code 2·lanes} columns, K rows each.
 *
 * <p>Without the Vector API {@link #multiply} is a plain {@link Gemm#sgemmSerial} on the source
 * matrix (the scalar twin). Not thread-safe to {@link #pack} while multiplying; {@link #multiply}
 * may run on several threads at once, each with its own scratch array ({@link #newScratch()}).
 */
public final class PackedWeights {
    private final int k, n;
    private final float[] packed;     // SIMD only
    private final boolean simd = Engine.vectorApiAvailable();
    private MemorySegment source;
    private long sourceOff;
    private int sourceLd;
    private boolean transposed;

    /** Room for a K×N operand B. */
    public PackedWeights(int k, int n) {
        if (k < 1 || n < 1) throw new IllegalArgumentException("PackedWeights: K and N must be ≥ 1, got " + k + ", " + n);
        this.k = k;
        this.n = n;
        this.packed = simd ? new float[VectorPackedMultiply.packedSize(k, n)] : null;
    }

    public int k() { return k; }

    public int n() { return n; }

    /**
     * Packs {@code B = W} ({@code transposed = false}, W stored K×N) or {@code B = Wᵀ}
     * ({@code transposed = true}, W stored N×K), W row-major with leading dimension {@code ldw}
     * starting at float {@code off}. Call again whenever W changes.
     */
    public void pack(MemorySegment w, long off, int ldw, boolean transposed) {
        this.source = Objects.requireNonNull(w, "w");
        this.sourceOff = off;
        this.sourceLd = ldw;
        this.transposed = transposed;
        if (simd) VectorPackedMultiply.pack(w, off, ldw, transposed, k, n, packed);
    }

    /** A scratch array for one thread's calls to {@link #multiply}. */
    public float[] newScratch() { return new float[simd ? VectorPackedMultiply.scratchSize(k) : 1]; }

    /**
     * {@code C = beta·C + A·B} on the calling thread, A {@code rows × K} (leading dimension lda),
     * C {@code rows × N} (ldc); offsets in floats. beta is 0 (C not read) or 1. Allocates nothing.
     */
    public void multiply(int rows, MemorySegment a, long aOff, int lda, float beta,
                         MemorySegment c, long cOff, int ldc, float[] scratch) {
        if (rows <= 0) return;
        if (source == null) throw new IllegalStateException("PackedWeights.multiply before pack");
        if (beta != 0f && beta != 1f) throw new IllegalArgumentException("beta must be 0 or 1, got " + beta);
        if (simd) {
            VectorPackedMultiply.multiply(rows, k, n, a, aOff, lda, packed, beta == 1f, c, cOff, ldc, scratch);
        } else {
            Gemm.sgemmSerial(Transpose.N, transposed ? Transpose.T : Transpose.N, rows, n, k, 1f,
                    a, aOff, lda, source, sourceOff, sourceLd, beta, c, cOff, ldc);
        }
    }
}
