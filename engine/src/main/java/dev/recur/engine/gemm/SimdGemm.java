package dev.recur.engine.gemm;

import dev.recur.engine.GemmSupport;
import dev.recur.engine.PackedB;
import dev.recur.engine.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The single-threaded, cache-blocked, packed SGEMM on the Vector API (BLIS loop structure):
 *
 * <pre>
 * for pc in steps of KC (depth)
 *   pack op(A)[all rows, pc..]                  the A slab: packed once per depth block
 *   for jc in steps of NC (columns of C)        B block KC×NC packed once per (pc, jc): lives in L2
 *     pack op(B)[pc.., jc..]
 *     for ir in strips of 12, 8 or 4 rows        one A micro-panel (12, 8 or 4)×KC: lives in L1
 *       for jr in steps of NR                   streams the B block from L2
 *         tile = Ap·Bp (micro-kernel); C[ir.., jr..] = alpha·tile + beta'·C
 * </pre>
 * An A slab larger than {@link Blocking#SLAB_MAX} floats (over 50,000 rows) is cut into blocks of
 * MC rows instead, with jc outermost and each block packed again for every column block.
 * beta' is beta for the first depth block and 1 after it, so beta = 0 never reads C.
 *
 * <p>Load this class only when the Vector API is present (it imports vector types through its
 * helpers); {@code dev.recur.engine.Gemm} does the check.
 */
public final class SimdGemm implements GemmSupport {
    /** The one instance ({@code Kernels} hands it out to {@code Gemm}). */
    public static final SimdGemm INSTANCE = new SimdGemm();

    private SimdGemm() {}

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                      float beta, MemorySegment c, long c0, int ldc) {
        serial(transA, transB, m, n, k, alpha, a, a0, lda, b, b0, ldb, beta, c, c0, ldc);
    }

    @Override
    public void sgemmStacked(boolean transA, boolean transB, int m1, int m2, int n, int k, float alpha,
                             MemorySegment a1, long a10, int lda1, MemorySegment a2, long a20, int lda2,
                             MemorySegment b, long b0, int ldb, float beta, MemorySegment c, long c0, int ldc) {
        serialStacked(transA, transB, m1, m2, n, k, alpha, a1, a10, lda1, a2, a20, lda2, b, b0, ldb, beta, c, c0, ldc);
    }

    @Override
    public void sgemm(boolean transA, int m, float alpha, MemorySegment a, long a0, int lda, PackedB b,
                      float beta, MemorySegment c, long c0, int ldc) {
        sgemmPrepacked(transA, m, b.cols(), b.rows(), alpha, a, a0, lda, b.data(), beta, c, c0, ldc);
    }

    @Override
    public void sgemmJoined(int m, float alpha, MemorySegment a1, long a10, int lda1, int k1,
                            MemorySegment a2, long a20, int lda2, PackedB b, float beta, MemorySegment c, long c0, int ldc) {
        sgemmPrepackedJoined(m, b.cols(), k1, b.rows() - k1, alpha, a1, a10, lda1, a2, a20, lda2, b.data(), beta, c, c0, ldc);
    }

    @Override
    public long packedFloats(int k, int n) { return packedSize(k, n); }

    @Override
    public void packB(boolean transB, int k, int n, MemorySegment b, long b0, int ldb, float[] dst) {
        packAll(transB, k, n, b, b0, ldb, dst);
    }

    /** {@link ParallelGemm} (work taken dynamically, same bits as serial) when it {@link ParallelGemm#suits} m. */
    @Override
    public boolean sgemmParallel(WorkerPool pool, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                                 float beta, MemorySegment c, long c0, int ldc) {
        if (!ParallelGemm.suits(m, pool.threads())) return false;
        ParallelGemm.forThisThread().sgemm(pool, transA, transB, m, n, k, alpha, a, a0, lda, b, b0, ldb, beta, c, c0, ldc);
        return true;
    }

    private static final int KC = Blocking.KC, MC = Blocking.MC, NC = Blocking.NC;
    private static final int NR = MicroKernel.NR;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Columns of the register tile ({@link Blocking#NR}). */
    public static int nr() { return NR; }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C} on the calling thread; arguments as in the raw
     * {@code Gemm.sgemm} (float offsets, row-major, already checked).
     */
    public static void serial(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                             float beta, MemorySegment c, long c0, int ldc) {
        serialStacked(transA, transB, m, 0, n, k, alpha, a, a0, lda, null, 0, 0, b, b0, ldb, beta, c, c0, ldc);
    }

    /**
     * {@code C = alpha·[op(A1); op(A2)]·op(B) + beta·C} on the calling thread (A2 absent when
     * m2 = 0): each packed B block serves the row blocks of A1, then those of A2. A row's sums are
     * those of a plain {@link #serial} of its own A (same KC cuts, and a tile computes each element
     * the same whatever its height or position).
     */
    public static void serialStacked(boolean transA, boolean transB, int m1, int m2, int n, int k, float alpha,
                                     MemorySegment a1, long a10, int lda1, MemorySegment a2, long a20, int lda2,
                                     MemorySegment b, long b0, int ldb, float beta, MemorySegment c, long c0, int ldc) {
        int m = m1 + m2;
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, c0, ldc);
            return;
        }
        Workspace ws = Workspace.get();
        float[] pb = ws.packedB, tile = ws.tile;
        int rows1 = Packing.paddedRows(m1);
        long slab = (long) (rows1 + Packing.paddedRows(m2)) * KC;
        if (slab <= Blocking.SLAB_MAX) {
            // Depth blocks outermost: all rows of op(A) for a depth block are packed once and serve
            // every column block (jc inside), instead of being packed again for each of them.
            // Every element still takes its depth blocks in order, so the bits are the same.
            float[] pa = ws.aBuffer(slab);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float betaHere = pc == 0 ? beta : 1f;
                Packing.packA(transA, a1, a10, lda1, 0, m1, pc, kc, pa, 0);
                if (m2 > 0) Packing.packA(transA, a2, a20, lda2, 0, m2, pc, kc, pa, rows1 * KC);
                for (int jc = 0; jc < n; jc += NC) {
                    int nc = Math.min(NC, n - jc);
                    Packing.packB(transB, b, b0, ldb, pc, kc, jc, nc, pb);
                    macroKernel(transA, m1, nc, kc, alpha, betaHere, pa, 0, pb, 0, tile, c, c0 + jc, ldc);
                    if (m2 > 0) macroKernel(transA, m2, nc, kc, alpha, betaHere, pa, rows1 * KC, pb, 0, tile,
                            c, c0 + (long) m1 * ldc + jc, ldc);
                }
            }
            return;
        }
        // more rows than a slab holds: blocks of MC rows, packed again for every column block
        float[] pa = ws.packedA;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float betaHere = pc == 0 ? beta : 1f;
                Packing.packB(transB, b, b0, ldb, pc, kc, jc, nc, pb);
                for (int ic = 0; ic < m1; ic += MC) {
                    int mc = Math.min(MC, m1 - ic);
                    Packing.packA(transA, a1, a10, lda1, ic, mc, pc, kc, pa);
                    macroKernel(transA, mc, nc, kc, alpha, betaHere, pa, 0, pb, 0, tile,
                            c, c0 + (long) ic * ldc + jc, ldc);
                }
                for (int ic = 0; ic < m2; ic += MC) {
                    int mc = Math.min(MC, m2 - ic);
                    Packing.packA(transA, a2, a20, lda2, ic, mc, pc, kc, pa);
                    macroKernel(transA, mc, nc, kc, alpha, betaHere, pa, 0, pb, 0, tile,
                            c, c0 + (long) (m1 + ic) * ldc + jc, ldc);
                }
            }
        }
    }

    /**
     * Floats needed to hold op(B) (k×n) packed once for {@link #sgemmPrepacked}: every NC column
     * block padded to a multiple of NR.
     */
    public static long packedSize(int k, int n) {
        long padded = (long) (n + NR - 1) / NR * NR;
        return k * padded;
    }

    /** Start of the packed (jc, pc) block in a fully packed op(B) of depth k and width n. */
    private static int blockStart(int k, int n, int jc, int pc) {
        int nc = Math.min(NC, n - jc);
        int ncPadded = (nc + NR - 1) / NR * NR;
        return k * jc + pc * ncPadded; // every earlier column block is full: NC is a multiple of NR
    }

    /** Packs all of op(B) (k×n) into {@code dst} for {@link #sgemmPrepacked}. */
    public static void packAll(boolean transB, int k, int n, MemorySegment b, long b0, int ldb, float[] dst) {
        if (NC % NR != 0) throw new AssertionError("NC must be a multiple of NR");
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                Packing.packB(transB, b, b0, ldb, pc, kc, jc, nc, dst, blockStart(k, n, jc, pc));
            }
        }
    }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C} on the calling thread with op(B) already packed by
     * {@link #packAll} (k×n); only A is packed here.
     */
    public static void sgemmPrepacked(boolean transA, int m, int n, int k, float alpha,
                                      MemorySegment a, long a0, int lda, float[] pb,
                                      float beta, MemorySegment c, long c0, int ldc) {
        prepacked(transA, m, n, k, k, alpha, a, a0, lda, null, 0, 0, pb, beta, c, c0, ldc);
    }

    /**
     * {@code C = alpha·[A1 | A2]·op(B) + beta·C} with op(B) ((k1 + k2)×n) packed by {@link
     * #packAll}: A1 (m×k1) and A2 (m×k2), not transposed, side by side along k, each packed straight
     * into its columns of the A panels. Every element is one sum over the k1 + k2 terms, cut at the
     * same KC blocks as a plain product of depth k1 + k2.
     */
    public static void sgemmPrepackedJoined(int m, int n, int k1, int k2, float alpha,
                                            MemorySegment a1, long a10, int lda1, MemorySegment a2, long a20, int lda2,
                                            float[] pb, float beta, MemorySegment c, long c0, int ldc) {
        prepacked(false, m, n, k1 + k2, k1, alpha, a1, a10, lda1, a2, a20, lda2, pb, beta, c, c0, ldc);
    }

    /** The prepacked product; op(A)'s columns from k1 on come from A2 (not transposed) when A2 is given. */
    private static void prepacked(boolean transA, int m, int n, int k, int k1, float alpha,
                                  MemorySegment a, long a0, int lda, MemorySegment a2, long a20, int lda2,
                                  float[] pb, float beta, MemorySegment c, long c0, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, c0, ldc);
            return;
        }
        Workspace ws = Workspace.get();
        float[] tile = ws.tile;
        long slab = (long) Packing.paddedRows(m) * KC;
        if (slab <= Blocking.SLAB_MAX) {
            // as in serialStacked: all rows of a depth block packed once, for every column block
            float[] pa = ws.aBuffer(slab);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float betaHere = pc == 0 ? beta : 1f;
                packJoined(transA, m, k1, 0, pc, kc, a, a0, lda, a2, a20, lda2, pa);
                for (int jc = 0; jc < n; jc += NC) {
                    macroKernel(transA, m, Math.min(NC, n - jc), kc, alpha, betaHere, pa, 0, pb, blockStart(k, n, jc, pc), tile,
                            c, c0 + jc, ldc);
                }
            }
            return;
        }
        float[] pa = ws.packedA;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float betaHere = pc == 0 ? beta : 1f;
                int pb0 = blockStart(k, n, jc, pc);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packJoined(transA, mc, k1, ic, pc, kc, a, a0, lda, a2, a20, lda2, pa);
                    macroKernel(transA, mc, nc, kc, alpha, betaHere, pa, 0, pb, pb0, tile,
                            c, c0 + (long) ic * ldc + jc, ldc);
                }
            }
        }
    }

    /** Rows [ic, ic + mc) of op(A) for depth block [pc, pc + kc), columns from k1 on taken from A2 (not transposed). */
    private static void packJoined(boolean transA, int mc, int k1, int ic, int pc, int kc,
                                   MemorySegment a, long a0, int lda, MemorySegment a2, long a20, int lda2, float[] pa) {
        if (pc < k1) Packing.packA(transA, a, a0, lda, ic, mc, pc, Math.min(kc, k1 - pc), pa, 0);
        if (pc + kc > k1) { // the columns of A2: a row's k1 − pc … kc − 1 (a row of a strip is KC floats)
            int from = Math.max(pc, k1);
            Packing.packA(false, a2, a20, lda2, ic, mc, from - k1, pc + kc - from, pa, from - pc);
        }
    }

    /**
     * All tiles of one packed A block (mc×kc, strips of {@link Blocking#stripRows}, from {@code
     * pa[pa0]} on) times one packed B block (kc×nc).
     */
    static void macroKernel(boolean transA, int mc, int nc, int kc, float alpha, float beta,
                                    float[] pa, int pa0, float[] pb, int pb0, float[] tile,
                                    MemorySegment c, long c0, int ldc) {
        for (int ir = 0, h; ir < mc; ir += h) {
            h = Blocking.stripRows(mc - ir);
            int rows = Math.min(h, mc - ir), ai = pa0 + ir * KC;
            long ci = c0 + (long) ir * ldc;
            for (int jr = 0; jr < nc; jr += NR) {
                multiply(transA, h, kc, pa, ai, pb, pb0 + jr * kc, tile);
                MicroKernel.store(tile, rows, Math.min(NR, nc - jr), alpha, beta, c, ci + jr, ldc);
            }
        }
    }

    /** tile = Ap·Bp for an h-row strip at {@code pa[ai..]} and a micro-panel at {@code pb[bi..]}. */
    private static void multiply(boolean transA, int h, int kc, float[] pa, int ai, float[] pb, int bi, float[] tile) {
        if (MicroKernel.WIDE) {
            if (transA) MicroKernel.multiply8x3(kc, pa, ai, pb, bi, tile);
            else MicroKernel.multiplyRows8x3(kc, pa, ai, pb, bi, tile);
        } else if (h == 12) {
            if (transA) MicroKernel.multiply12(kc, pa, ai, pb, bi, tile);
            else MicroKernel.multiplyRows12(kc, pa, ai, pb, bi, tile);
        } else if (h == 8) {
            if (transA) MicroKernel.multiply8(kc, pa, ai, pb, bi, tile);
            else MicroKernel.multiplyRows8(kc, pa, ai, pb, bi, tile);
        } else {
            if (transA) MicroKernel.multiply4(kc, pa, ai, pb, bi, tile);
            else MicroKernel.multiplyRows4(kc, pa, ai, pb, bi, tile);
        }
    }

    /** C = beta·C (beta = 0 writes zeros without reading C). */
    static void scale(int m, int n, float beta, MemorySegment c, long c0, int ldc) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            long row = c0 + (long) i * ldc;
            for (int j = 0; j < n; j++) {
                float v = beta == 0f ? 0f : beta * c.getAtIndex(F, row + j);
                c.setAtIndex(F, row + j, v);
            }
        }
    }
}
