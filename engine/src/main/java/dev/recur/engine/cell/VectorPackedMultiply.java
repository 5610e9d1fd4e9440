package dev.recur.engine.cell;

import dev.recur.engine.Simd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD side of {@link PackedWeights}: a register-blocked product of 4 rows × 2 vectors of
 * columns, A packed per 4-row block into the caller's scratch (k-major), B pre-packed in panels.
 * Per k step: two vector loads of B, four broadcasts of A, eight FMAs into eight accumulators.
 * Loaded only when the Vector API is present.
 */
final class VectorPackedMultiply {
    private VectorPackedMultiply() {}

    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.LANES;
    private static final int NR = 2 * L;
    private static final int MR = 4;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    static int panels(int n) { return (n + NR - 1) / NR; }

    static int packedSize(int k, int n) { return panels(n) * k * NR; }

    /** Packed A (MR·K) then a tile (MR·NR) for edge columns. */
    static int scratchSize(int k) { return MR * k + MR * NR; }

    /** pb[p][kk][j] = B[kk][p·NR + j] (0 past column n), B = W or Wᵀ. */
    static void pack(MemorySegment w, long off, int ldw, boolean transposed, int k, int n, float[] pb) {
        for (int p = 0, np = panels(n); p < np; p++) {
            int base = p * k * NR;
            for (int kk = 0; kk < k; kk++) {
                for (int j = 0; j < NR; j++) {
                    int col = p * NR + j;
                    float v = 0f;
                    if (col < n) {
                        long idx = transposed ? off + (long) col * ldw + kk : off + (long) kk * ldw + col;
                        v = w.getAtIndex(F, idx);
                    }
                    pb[base + kk * NR + j] = v;
                }
            }
        }
    }

    static void multiply(int rows, int k, int n, MemorySegment a, long aOff, int lda, float[] pb,
                         boolean accumulate, MemorySegment c, long cOff, int ldc, float[] scratch) {
        for (int i0 = 0; i0 < rows; i0 += MR) {
            int mr = Math.min(MR, rows - i0);
            packA(a, aOff + (long) i0 * lda, lda, mr, k, scratch);
            for (int p = 0, np = panels(n); p < np; p++) {
                int col = p * NR;
                long cRow = cOff + (long) i0 * ldc + col;
                if (col + NR <= n) {
                    block(k, scratch, pb, p * k * NR, mr, accumulate, c, cRow, ldc);
                } else {
                    edgeBlock(k, scratch, pb, p * k * NR, mr, n - col, accumulate, c, cRow, ldc);
                }
            }
        }
    }

    /** scratch[kk·MR + i] = A[i][kk], rows past mr set to 0. */
    private static void packA(MemorySegment a, long aOff, int lda, int mr, int k, float[] ap) {
        for (int i = 0; i < MR; i++) {
            if (i < mr) {
                long row = aOff + (long) i * lda;
                for (int kk = 0; kk < k; kk++) ap[kk * MR + i] = a.getAtIndex(F, row + kk);
            } else {
                for (int kk = 0; kk < k; kk++) ap[kk * MR + i] = 0f;
            }
        }
    }

    /** One MR × NR tile written straight into C (full panel). */
    private static void block(int k, float[] ap, float[] pb, int bi, int mr, boolean accumulate,
                              MemorySegment c, long cRow, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int kk = 0; kk < k; kk++) {
            int bp = bi + kk * NR, aq = kk * MR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bp), b1 = FloatVector.fromArray(S, pb, bp + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[aq]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[aq + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[aq + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[aq + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        put(c00, c01, accumulate, c, cRow, 0);
        if (mr > 1) put(c10, c11, accumulate, c, cRow, ldc);
        if (mr > 2) put(c20, c21, accumulate, c, cRow, 2L * ldc);
        if (mr > 3) put(c30, c31, accumulate, c, cRow, 3L * ldc);
    }

    private static void put(FloatVector v0, FloatVector v1, boolean accumulate, MemorySegment c, long cRow, long rowOff) {
        long byteOff = (cRow + rowOff) * 4L;
        if (accumulate) {
            v0 = v0.add(FloatVector.fromMemorySegment(S, c, byteOff, NO));
            v1 = v1.add(FloatVector.fromMemorySegment(S, c, byteOff + 4L * L, NO));
        }
        v0.intoMemorySegment(c, byteOff, NO);
        v1.intoMemorySegment(c, byteOff + 4L * L, NO);
    }

    /** The last, partial panel: the tile goes through the scratch tile, then its valid columns into C. */
    private static void edgeBlock(int k, float[] ap, float[] pb, int bi, int mr, int cols, boolean accumulate,
                                  MemorySegment c, long cRow, int ldc) {
        int t0 = MR * k;
        for (int i = 0; i < MR * NR; i++) ap[t0 + i] = 0f;
        for (int kk = 0; kk < k; kk++) {
            int bp = bi + kk * NR, aq = kk * MR;
            for (int i = 0; i < mr; i++) {
                float av = ap[aq + i];
                for (int j = 0; j < cols; j++) ap[t0 + i * NR + j] += av * pb[bp + j];
            }
        }
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < cols; j++) {
                long idx = cRow + (long) i * ldc + j;
                float v = ap[t0 + i * NR + j];
                c.setAtIndex(F, idx, accumulate ? c.getAtIndex(F, idx) + v : v);
            }
        }
    }
}
