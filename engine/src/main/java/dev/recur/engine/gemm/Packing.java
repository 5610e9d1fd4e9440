package dev.recur.engine.gemm;

import dev.recur.engine.Simd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of A and B into the contiguous, zero-padded micro-panels the micro-kernel reads.
 * The transposes are absorbed here: the kernel always sees op(A) and op(B).
 *
 * <p>Packed A: strips of h = 12 or 8 rows ({@link Blocking#stripRows}; rows past the edge are 0).
 * When op(A) = A a strip holds its h rows one after the other (a straight copy); when op(A) = Aᵀ,
 * k step p holds {@code op(A)[i0+r][p0+p]} for r = 0..h-1 (a straight copy of row p of A). Packed B: strips of NR columns; within a strip, k step p
 * holds {@code op(B)[p0+p][j0+j]} for j = 0..NR-1 (NR = 2 or 3 vectors, {@link Blocking#NR};
 * columns past the edge are 0).
 */
final class Packing {
    private Packing() {}

    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.LANES;
    private static final int NR = MicroKernel.NR;
    private static final int KC = Blocking.KC;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * Packs op(A)[i0..i0+mc) × [p0..p0+kc) into {@code dst}; A element (r, c) of the stored matrix
     * is at float index {@code a0 + r·lda + c}. Strips of {@link Blocking#stripRows} rows (12 or
     * 8), strip starting at row ir at {@code ir·KC}; rows past the edge are 0. Not transposed: a
     * strip is stored by rows (row r at {@code r·KC}, a constant stride the kernel folds into its
     * addresses); transposed: by k steps (h values per step).
     */
    static void packA(boolean transposed, MemorySegment a, long a0, int lda,
                      int i0, int mc, int p0, int kc, float[] dst) {
        packA(transposed, a, a0, lda, i0, mc, p0, kc, dst, 0);
    }

    /** {@link #packA} into {@code dst} from float index {@code d0} on (a strip starting at row ir at {@code d0 + ir·KC}). */
    static void packA(boolean transposed, MemorySegment a, long a0, int lda,
                      int i0, int mc, int p0, int kc, float[] dst, int d0) {
        if (transposed) {
            packATransposed(a, a0, lda, i0, mc, p0, kc, dst, d0);
            return;
        }
        for (int ir = 0, h; ir < mc; ir += h) {
            h = Blocking.stripRows(mc - ir);
            int rows = Math.min(h, mc - ir);
            int base = d0 + ir * KC;
            // op(A)[i][p] = A[i][p]: rows copy straight in, KC apart whatever kc (see MicroKernel.multiplyRows12).
            for (int r = 0; r < rows; r++) {
                long src = (a0 + (long) (i0 + ir + r) * lda + p0) * Float.BYTES;
                MemorySegment.copy(a, F, src, dst, base + r * KC, kc);
            }
            for (int r = rows; r < h; r++) java.util.Arrays.fill(dst, base + r * KC, base + r * KC + kc, 0f);
        }
    }

    /** Rows the strips of {@link Blocking#stripRows} cover for an m-row block (m rounded up to whole strips). */
    static int paddedRows(int m) {
        int covered = 0;
        while (covered < m) covered += Blocking.stripRows(m - covered);
        return covered;
    }

    /**
     * op(A)[i][p] = A[p][i]: row p of the stored A holds the h values of k step p of every strip.
     * The rows are read once each, in memory order (so the hardware prefetcher streams them), and
     * every strip's part of a row is moved with masked vectors (lanes past the edge load as 0).
     */
    private static void packATransposed(MemorySegment a, long a0, int lda, int i0, int mc, int p0, int kc,
                                        float[] dst, int d0) {
        for (int p = 0; p < kc; p++) {
            long row = (a0 + (long) (p0 + p) * lda + i0) * Float.BYTES;
            for (int ir = 0, h; ir < mc; ir += h) {
                h = Blocking.stripRows(mc - ir);
                int rows = Math.min(h, mc - ir), d = d0 + ir * KC + p * h;
                for (int v = 0; v < h; v += L) {
                    VectorMask<Float> load = S.indexInRange(v, rows), store = S.indexInRange(v, h);
                    FloatVector.fromMemorySegment(S, a, row + (long) (ir + v) * Float.BYTES, ORDER, load)
                            .intoArray(dst, d + v, store);
                }
            }
        }
    }

    /**
     * Lane-index vectors of the transpose stages: stage s (block size d = 2^s) swaps bit s of the
     * row index with bit s of the column index. For a row pair (r, r+d) with bit s of r clear,
     * {@code new[r] = LO[s].selectFrom(old[r], old[r+d])} and {@code new[r+d] = HI[s].selectFrom(…)},
     * where index i < L picks lane i of the first vector and L + i lane i of the second.
     */
    private static final float[][] LO, HI;
    private static final int STAGES = Integer.numberOfTrailingZeros(L);
    /** Per-thread scratch of one L×L block between transpose stages. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[L * L]);

    static {
        if (Integer.bitCount(L) != 1) throw new AssertionError("lane count must be a power of two: " + L);
        LO = new float[STAGES][L];
        HI = new float[STAGES][L];
        for (int s = 0; s < STAGES; s++) {
            int d = 1 << s;
            for (int j = 0; j < L; j++) {
                boolean set = (j & d) != 0;
                LO[s][j] = set ? L + j - d : j;
                HI[s][j] = set ? L + j : j + d;
            }
        }
    }

    /**
     * Transposes the L×L block whose row i starts at float index {@code src + i·ld} of {@code b}
     * into {@code dst}: column i of the block (L values) goes to {@code dst[d0 + i·NR ..]}.
     */
    private static void transposeBlock(MemorySegment b, long src, int ld, float[] dst, int d0) {
        float[] t = SCRATCH.get();
        for (int i = 0; i < L; i++) {
            FloatVector.fromMemorySegment(S, b, (src + (long) i * ld) * Float.BYTES, ORDER).intoArray(t, i * L);
        }
        for (int s = 0; s < STAGES; s++) {
            int d = 1 << s;
            FloatVector lo = FloatVector.fromArray(S, LO[s], 0), hi = FloatVector.fromArray(S, HI[s], 0);
            boolean last = s == STAGES - 1;
            for (int r = 0; r < L; r++) {
                if ((r & d) != 0) continue;
                FloatVector x = FloatVector.fromArray(S, t, r * L), y = FloatVector.fromArray(S, t, (r + d) * L);
                FloatVector nx = lo.selectFrom(x, y), ny = hi.selectFrom(x, y);
                if (last) {
                    nx.intoArray(dst, d0 + r * NR);
                    ny.intoArray(dst, d0 + (r + d) * NR);
                } else {
                    nx.intoArray(t, r * L);
                    ny.intoArray(t, (r + d) * L);
                }
            }
        }
    }

    /**
     * Packs op(B)[p0..p0+kc) × [j0..j0+nc) into {@code dst}; B element (r, c) of the stored matrix
     * is at float index {@code b0 + r·ldb + c}.
     */
    static void packB(boolean transposed, MemorySegment b, long b0, int ldb,
                      int p0, int kc, int j0, int nc, float[] dst) {
        packB(transposed, b, b0, ldb, p0, kc, j0, nc, dst, 0);
    }

    /** As above, writing the packed block at {@code dst[d0..]}. */
    static void packB(boolean transposed, MemorySegment b, long b0, int ldb,
                      int p0, int kc, int j0, int nc, float[] dst, int d0) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int base = d0 + jr * kc;
            if (!transposed) {
                // op(B)[p][j] = B[p][j]: each k step is a contiguous run of row p, NR/L vectors.
                if (cols == NR) {
                    for (int p = 0; p < kc; p++) {
                        long src = (b0 + (long) (p0 + p) * ldb + j0 + jr) * Float.BYTES;
                        int d = base + p * NR;
                        for (int v = 0; v < NR; v += L) {
                            FloatVector.fromMemorySegment(S, b, src + (long) v * Float.BYTES, ORDER).intoArray(dst, d + v);
                        }
                    }
                    continue;
                }
                for (int v = 0; v < NR; v += L) {
                    VectorMask<Float> mv = S.indexInRange(v, cols);
                    for (int p = 0; p < kc; p++) {
                        long src = (b0 + (long) (p0 + p) * ldb + j0 + jr + v) * Float.BYTES;
                        FloatVector.fromMemorySegment(S, b, src, ORDER, mv).intoArray(dst, base + p * NR + v);
                    }
                }
            } else {
                // op(B)[p][j] = B[j][p]: row j of B is contiguous in p; it becomes column j of the strip.
                int done = 0;
                if (cols == NR) {
                    // whole L×L blocks through the vector transpose, the rest of the depth below
                    done = kc - kc % L;
                    for (int half = 0; half < NR; half += L) {
                        long rows = b0 + (long) (j0 + jr + half) * ldb + p0;
                        for (int p = 0; p < done; p += L) {
                            transposeBlock(b, rows + p, ldb, dst, base + p * NR + half);
                        }
                    }
                }
                for (int j = 0; j < cols; j++) {
                    long src = b0 + (long) (j0 + jr + j) * ldb + p0;
                    for (int p = done; p < kc; p++) dst[base + p * NR + j] = b.getAtIndex(F, src + p);
                }
                for (int j = cols; j < NR; j++) {
                    for (int p = 0; p < kc; p++) dst[base + p * NR + j] = 0f;
                }
            }
        }
    }
}
