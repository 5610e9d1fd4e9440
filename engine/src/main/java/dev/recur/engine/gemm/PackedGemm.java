package dev.recur.engine.gemm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The single-threaded, cache-blocked, packed SGEMM on the Vector API (BLIS loop structure):
 *
 * <pre>
 * for jc in steps of NC (columns of C)         B block KC×NC packed once per (jc, pc): lives in L2
 *   for pc in steps of KC (depth)
 *     pack op(B)[pc.., jc..]
 *     for ic in steps of MC (rows of C)
 *       pack op(A)[ic.., pc..]
 *       for ir in steps of MR                   one A micro-panel MR×KC: lives in L1
 *         for jr in steps of NR                 streams the B block from L2
 *           tile = Ap·Bp (micro-kernel); C[ir.., jr..] = alpha·tile + beta'·C
 * </pre>
 * beta' is beta for the first depth block and 1 after it, so beta = 0 never reads C.
 *
 * <p>Load this class only when the Vector API is present (it imports vector types through its
 * helpers); {@code dev.recur.engine.Gemm} does the check.
 */
public final class PackedGemm {
    private PackedGemm() {}

    private static final int MR = Blocking.MR, KC = Blocking.KC, MC = Blocking.MC, NC = Blocking.NC;
    private static final int NR = MicroKernel.NR;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Columns of the register tile (two vectors of the species in use). */
    public static int nr() { return NR; }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C} on the calling thread; arguments as in the raw
     * {@code Gemm.sgemm} (float offsets, row-major, already checked).
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                             float beta, MemorySegment c, long c0, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, c0, ldc);
            return;
        }
        Workspace ws = Workspace.get();
        float[] pa = ws.packedA, pb = ws.packedB, tile = ws.tile;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float betaHere = pc == 0 ? beta : 1f;
                Packing.packB(transB, b, b0, ldb, pc, kc, jc, nc, pb);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    Packing.packA(transA, a, a0, lda, ic, mc, pc, kc, pa);
                    macroKernel(transA, mc, nc, kc, alpha, betaHere, pa, pb, tile,
                            c, c0 + (long) ic * ldc + jc, ldc);
                }
            }
        }
    }

    /** All MR×NR tiles of one packed A block (mc×kc) times one packed B block (kc×nc). */
    private static void macroKernel(boolean transA, int mc, int nc, int kc, float alpha, float beta,
                                    float[] pa, float[] pb, float[] tile,
                                    MemorySegment c, long c0, int ldc) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            for (int jr = 0; jr < nc; jr += NR) {
                if (transA) MicroKernel.multiply(kc, pa, ir * kc, pb, jr * kc, tile);
                else MicroKernel.multiplyRows(kc, pa, ir * kc, pb, jr * kc, tile);
                MicroKernel.store(tile, rows, Math.min(NR, nc - jr), alpha, beta,
                        c, c0 + (long) ir * ldc + jr, ldc);
            }
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
