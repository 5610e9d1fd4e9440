package dev.recur.engine.cell;

import static jdk.incubator.vector.VectorOperators.LE;

import dev.recur.engine.Simd;
import dev.recur.engine.SimdActivations;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link CellKernels}, same maths as {@link ScalarCellKernels}.
 *
 * <p>Each kernel is a sequence of passes over its rows, and each pass is one self-contained loop:
 * the activations are {@link SimdActivations#sigmoidRows} and {@link SimdActivations#tanhRows}
 * (arithmetic only, so the same bits in the interpreter, C1 and C2), the element-wise updates are
 * loops here whose bodies call nothing but the Vector API. No vector value is passed to or returned
 * from a method of ours and none lives in a field, so C2 cannot box one whatever it inlines or
 * compiles first. Loops have no masks (masked operations made the loop bodies too big for C1, which
 * then never handed them to C2): the columns past the last whole vector go through the scalar
 * twin's row function, whose tanh is the same arithmetic (same bits).
 *
 * <p>Loaded only by {@link dev.recur.engine.Kernels} (by name) after the Vector API check.
 */
final class SimdCellKernels implements CellKernels {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.LANES;
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    SimdCellKernels() {}

    /** −0 floats standing in for a null dOut (read with leading dimension 0): dh + (−0) = dh. */
    private static volatile MemorySegment minusZeros = MemorySegment.NULL;

    private static MemorySegment minusZeros(int n) {
        MemorySegment z = minusZeros;
        if (z.byteSize() < (long) n * 4) {
            synchronized (SimdCellKernels.class) {
                z = minusZeros;
                if (z.byteSize() < (long) n * 4) {
                    MemorySegment s = Arena.global().allocate((long) n * 4, 64);
                    for (long i = 0; i < n; i++) s.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, -0f);
                    minusZeros = z = s;
                }
            }
        }
        return z;
    }

    /** Per-thread scratch of tanh(c) for the LSTM backward pass (grown, never shrunk). */
    private static final ThreadLocal<MemorySegment[]> TANH_C = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    private static MemorySegment tanhScratch(long floats) {
        MemorySegment[] box = TANH_C.get();
        MemorySegment s = box[0];
        if (s == null || s.byteSize() < floats * 4) {
            box[0] = s = Arena.ofAuto().allocate(Math.max(floats, 1024) * 4, 64);
        }
        return s;
    }

    // ---------------------------------------------------------------- RNN

    @Override
    public void rnnForward(int rows, int hidden, boolean relu, MemorySegment a, long aOff,
                           MemorySegment bias, long biasOff, MemorySegment h, long hOff) {
        int H = hidden, upper = S.loopBound(H);
        if (relu) reluRows(rows, H, a, aOff, bias, biasOff, h, hOff);
        else SimdActivations.INSTANCE.tanhRows(rows, upper, a, aOff, H, bias, biasOff, h, hOff, H);
        for (int r = 0; upper < H && r < rows; r++) {
            long row = (long) r * H;
            ScalarCellKernels.rnnForwardRow(upper, H, relu, a, aOff + row, bias, biasOff, h, hOff + row);
        }
    }

    /** h = max(a + b, 0). */
    private static void reluRows(int rows, int H, MemorySegment a, long aOff, MemorySegment bias, long bOff,
                                 MemorySegment h, long hOff) {
        int upper = S.loopBound(H);
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < rows; r++) {
            long row = (long) r * H;
            for (int j = 0; j < upper; j += L) {
                FloatVector pre = FloatVector.fromMemorySegment(S, a, (aOff + row + j) * 4, NO)
                        .add(FloatVector.fromMemorySegment(S, bias, (bOff + j) * 4, NO));
                pre.max(zero).intoMemorySegment(h, (hOff + row + j) * 4, NO);
            }
        }
    }

    @Override
    public void rnnBackward(int rows, int hidden, boolean relu, MemorySegment h, long hOff,
                            MemorySegment dOut, long dOutOff, int ldDOut,
                            MemorySegment dh, long dhOff, MemorySegment da, long daOff) {
        int H = hidden, upper = S.loopBound(H);
        MemorySegment dO = dOut != null ? dOut : minusZeros(H);
        long dBase = dOut != null ? dOutOff : 0;
        int dLd = dOut != null ? ldDOut : 0;
        FloatVector one = FloatVector.broadcast(S, 1f), zero = FloatVector.zero(S);
        FloatVector fb = FloatVector.broadcast(S, FLUSH_BIAS);
        for (int r = 0; r < rows; r++) {
            long row = (long) r * H, dRow = dBase + (long) r * dLd;
            for (int j = 0; j < upper; j += L) {
                FloatVector g = FloatVector.fromMemorySegment(S, dh, (dhOff + row + j) * 4, NO)
                        .add(FloatVector.fromMemorySegment(S, dO, (dRow + j) * 4, NO));
                FloatVector hv = FloatVector.fromMemorySegment(S, h, (hOff + row + j) * 4, NO);
                FloatVector d = relu ? g.blend(zero, hv.compare(LE, zero)) : g.mul(one.sub(hv.mul(hv)));
                d.add(fb).sub(fb).intoMemorySegment(da, (daOff + row + j) * 4, NO);
            }
            if (upper < H) {
                ScalarCellKernels.rnnBackwardRow(upper, H, relu, h, hOff + row, dOut, dOut == null ? 0 : dRow,
                        dh, dhOff + row, da, daOff + row);
            }
        }
    }

    // ---------------------------------------------------------------- LSTM

    /**
     * Rows per block of the LSTM and GRU kernels' passes: all passes run over one block before the
     * next block starts, so a block's gates and states (about 8·H floats per row: 24 KiB at H 128)
     * stay in the L1 cache through its passes instead of streaming the whole step's rows from L2
     * once per pass. The passes are element-wise, so the block size changes no bit.
     */
    static int blockRows(int hidden) { return Math.max(1, 768 / Math.max(1, hidden)); }

    @Override
    public void lstmForward(int rows, int hidden, MemorySegment gates, long gOff,
                            MemorySegment bias, long biasOff, MemorySegment cPrev, long cPrevOff,
                            MemorySegment c, long cOff, MemorySegment h, long hOff) {
        int H = hidden, ld = 4 * H, u = S.loopBound(H), block = blockRows(H);
        // columns [0, u) in passes of whole vectors over blocks of rows, the rest by the twin's row function
        for (int r0 = 0; r0 < rows; r0 += block) {
            int n = Math.min(block, rows - r0);
            long gb = gOff + (long) r0 * ld, sb = (long) r0 * H;
            lstmForwardBlock(n, H, u, gates, gb, bias, biasOff, cPrev, cPrevOff + sb, c, cOff + sb, h, hOff + sb);
        }
        for (int r = 0; u < H && r < rows; r++) {
            long sRow = (long) r * H;
            ScalarCellKernels.lstmForwardRow(u, H, H, gates, gOff + (long) r * ld, bias, biasOff, cPrev, cPrevOff + sRow,
                    c, cOff + sRow, h, hOff + sRow);
        }
    }

    /** The vector columns [0, u) of lstmForward on one block of rows. */
    private static void lstmForwardBlock(int rows, int H, int u, MemorySegment gates, long gOff,
                                         MemorySegment bias, long biasOff, MemorySegment cPrev, long cPrevOff,
                                         MemorySegment c, long cOff, MemorySegment h, long hOff) {
        int ld = 4 * H;
        SimdActivations.INSTANCE.sigmoidRows(rows, u, gates, gOff, ld, bias, biasOff, gates, gOff, ld);                   // i
        SimdActivations.INSTANCE.sigmoidRows(rows, u, gates, gOff + H, ld, bias, biasOff + H, gates, gOff + H, ld);       // f
        SimdActivations.INSTANCE.sigmoidRows(rows, u, gates, gOff + 3 * H, ld, bias, biasOff + 3 * H, gates, gOff + 3 * H, ld); // o
        SimdActivations.INSTANCE.tanhRows(rows, u, gates, gOff + 2 * H, ld, bias, biasOff + 2 * H, gates, gOff + 2 * H, ld); // g
        lstmCellRows(rows, H, gates, gOff, cPrev, cPrevOff, c, cOff);
        SimdActivations.INSTANCE.tanhRows(rows, u, c, cOff, H, null, 0, h, hOff, H);                                // tanh(c)
        lstmOutputRows(rows, H, gates, gOff, h, hOff);
    }

    /** c = f ⊙ c_prev + i ⊙ g from the activated gates. */
    private static void lstmCellRows(int rows, int H, MemorySegment gates, long gOff,
                                     MemorySegment cPrev, long cPrevOff, MemorySegment c, long cOff) {
        int upper = S.loopBound(H);
        for (int r = 0; r < rows; r++) {
            long g = (gOff + (long) r * 4 * H) * 4, s = (long) r * H;
            for (int j = 0; j < upper; j += L) {
                long jb = j * 4L;
                FloatVector i = FloatVector.fromMemorySegment(S, gates, g + jb, NO);
                FloatVector f = FloatVector.fromMemorySegment(S, gates, g + 4L * H + jb, NO);
                FloatVector gg = FloatVector.fromMemorySegment(S, gates, g + 8L * H + jb, NO);
                FloatVector cp = FloatVector.fromMemorySegment(S, cPrev, (cPrevOff + s + j) * 4, NO);
                f.fma(cp, i.mul(gg)).intoMemorySegment(c, (cOff + s + j) * 4, NO);
            }
        }
    }

    /** h = o ⊙ h, where h holds tanh(c). */
    private static void lstmOutputRows(int rows, int H, MemorySegment gates, long gOff, MemorySegment h, long hOff) {
        int upper = S.loopBound(H);
        for (int r = 0; r < rows; r++) {
            long o = (gOff + (long) r * 4 * H + 3L * H) * 4, hr = (hOff + (long) r * H) * 4;
            for (int j = 0; j < upper; j += L) {
                long jb = j * 4L;
                FloatVector.fromMemorySegment(S, gates, o + jb, NO)
                        .mul(FloatVector.fromMemorySegment(S, h, hr + jb, NO))
                        .intoMemorySegment(h, hr + jb, NO);
            }
        }
    }

    @Override
    public void lstmBackward(int rows, int hidden, MemorySegment gates, long gOff,
                             MemorySegment c, long cOff, MemorySegment cPrev, long cPrevOff,
                             MemorySegment dOut, long dOutOff, int ldDOut,
                             MemorySegment dh, long dhOff, MemorySegment dc, long dcOff) {
        int H = hidden, u = S.loopBound(H), block = blockRows(H);
        MemorySegment tc = tanhScratch((long) block * H);
        MemorySegment dO = dOut != null ? dOut : minusZeros(H);
        long dBase = dOut != null ? dOutOff : 0;
        int dLd = dOut != null ? ldDOut : 0;
        // the passes over blocks of rows (see blockRows), tanh(c) of one block at a time in the scratch
        for (int r0 = 0; r0 < rows; r0 += block) {
            int n = Math.min(block, rows - r0);
            long gb = gOff + (long) r0 * 4 * H, sb = (long) r0 * H;
            SimdActivations.INSTANCE.tanhRows(n, u, c, cOff + sb, H, null, 0, tc, 0, H);
            lstmBackwardOutputGate(n, H, gates, gb, tc, dO, dBase + (long) r0 * dLd, dLd, dh, dhOff + sb, dc, dcOff + sb);
            lstmBackwardOtherGates(n, H, gates, gb, cPrev, cPrevOff + sb, dc, dcOff + sb);
        }
        for (int r = 0; u < H && r < rows; r++) {
            long sRow = (long) r * H;
            ScalarCellKernels.lstmBackwardRow(u, H, H, gates, gOff + (long) r * 4 * H, c, cOff + sRow,
                    cPrev, cPrevOff + sRow, dOut, dOut == null ? 0 : dOutOff + (long) r * ldDOut,
                    dh, dhOff + sRow, dc, dcOff + sRow);
        }
    }

    /** dc' = dc + dhT ⊙ o ⊙ (1 − τ²) into dc; da_o into the o block; τ = tanh(c) from tc. */
    private static void lstmBackwardOutputGate(int rows, int H, MemorySegment gates, long gOff, MemorySegment tc,
                                               MemorySegment dOut, long dBase, int dLd,
                                               MemorySegment dh, long dhOff, MemorySegment dc, long dcOff) {
        int upper = S.loopBound(H);
        FloatVector one = FloatVector.broadcast(S, 1f), fb = FloatVector.broadcast(S, FLUSH_BIAS);
        for (int r = 0; r < rows; r++) {
            long ob = (gOff + (long) r * 4 * H + 3L * H) * 4, s = (long) r * H, dRow = dBase + (long) r * dLd;
            for (int j = 0; j < upper; j += L) {
                long jb = j * 4L;
                FloatVector dhT = FloatVector.fromMemorySegment(S, dh, (dhOff + s + j) * 4, NO)
                        .add(FloatVector.fromMemorySegment(S, dOut, (dRow + j) * 4, NO));
                FloatVector o = FloatVector.fromMemorySegment(S, gates, ob + jb, NO);
                FloatVector t = FloatVector.fromMemorySegment(S, tc, (s + j) * 4, NO);
                FloatVector dcIn = FloatVector.fromMemorySegment(S, dc, (dcOff + s + j) * 4, NO);
                dhT.mul(o).mul(one.sub(t.mul(t))).add(dcIn).intoMemorySegment(dc, (dcOff + s + j) * 4, NO);
                dhT.mul(t).mul(o.mul(one.sub(o))).add(fb).sub(fb).intoMemorySegment(gates, ob + jb, NO);
            }
        }
    }

    /** From dc' (in dc): da_i, da_f, da_g into their blocks, dc ← dc' ⊙ f. */
    private static void lstmBackwardOtherGates(int rows, int H, MemorySegment gates, long gOff, MemorySegment cPrev,
                                               long cPrevOff, MemorySegment dc, long dcOff) {
        int upper = S.loopBound(H);
        FloatVector one = FloatVector.broadcast(S, 1f), fb = FloatVector.broadcast(S, FLUSH_BIAS);
        for (int r = 0; r < rows; r++) {
            long g = (gOff + (long) r * 4 * H) * 4, s = (long) r * H;
            for (int j = 0; j < upper; j += L) {
                long jb = j * 4L, dcb = (dcOff + s + j) * 4;
                FloatVector dcT = FloatVector.fromMemorySegment(S, dc, dcb, NO);
                FloatVector i = FloatVector.fromMemorySegment(S, gates, g + jb, NO);
                FloatVector f = FloatVector.fromMemorySegment(S, gates, g + 4L * H + jb, NO);
                FloatVector gg = FloatVector.fromMemorySegment(S, gates, g + 8L * H + jb, NO);
                FloatVector cp = FloatVector.fromMemorySegment(S, cPrev, (cPrevOff + s + j) * 4, NO);
                dcT.mul(gg).mul(i.mul(one.sub(i))).add(fb).sub(fb).intoMemorySegment(gates, g + jb, NO);
                dcT.mul(cp).mul(f.mul(one.sub(f))).add(fb).sub(fb).intoMemorySegment(gates, g + 4L * H + jb, NO);
                dcT.mul(i).mul(one.sub(gg.mul(gg))).add(fb).sub(fb).intoMemorySegment(gates, g + 8L * H + jb, NO);
                dcT.mul(f).add(fb).sub(fb).intoMemorySegment(dc, dcb, NO);
            }
        }
    }

    // ---------------------------------------------------------------- GRU

    @Override
    public void gruForward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                           MemorySegment bih, long bihOff, MemorySegment bhh, long bhhOff,
                           MemorySegment hPrev, long hPrevOff, MemorySegment h, long hOff) {
        int H = hidden, ld = 3 * H, u = S.loopBound(H), block = blockRows(H);
        // columns [0, u) in passes of whole vectors over blocks of rows, the rest by the twin's row function
        for (int r0 = 0; r0 < rows; r0 += block) {
            int n = Math.min(block, rows - r0);
            long gb = (long) r0 * ld, sb = (long) r0 * H;
            gruForwardBlock(n, H, u, gx, gxOff + gb, gh, ghOff + gb, bih, bihOff, bhh, bhhOff,
                    hPrev, hPrevOff + sb, h, hOff + sb);
        }
        for (int r = 0; u < H && r < rows; r++) {
            long sRow = (long) r * H;
            ScalarCellKernels.gruForwardRow(u, H, H, gx, gxOff + (long) r * ld, gh, ghOff + (long) r * ld,
                    bih, bihOff, bhh, bhhOff, hPrev, hPrevOff + sRow, h, hOff + sRow);
        }
    }

    /** The vector columns [0, u) of gruForward on one block of rows. */
    private static void gruForwardBlock(int rows, int H, int u, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                                        MemorySegment bih, long bihOff, MemorySegment bhh, long bhhOff,
                                        MemorySegment hPrev, long hPrevOff, MemorySegment h, long hOff) {
        int ld = 3 * H;
        for (int k = 0; k < 2; k++) { // r, z: the pre-activation sum, then σ in place
            gruGateSumRows(rows, H, gx, gxOff + k * H, gh, ghOff + k * H, bih, bihOff + k * H, bhh, bhhOff + k * H);
            SimdActivations.INSTANCE.sigmoidRows(rows, u, gx, gxOff + k * H, ld, null, 0, gx, gxOff + k * H, ld);
        }
        gruCandidateRows(rows, H, gx, gxOff, gh, ghOff, bih, bihOff, bhh, bhhOff);
        SimdActivations.INSTANCE.tanhRows(rows, u, gx, gxOff + 2 * H, ld, null, 0, gx, gxOff + 2 * H, ld); // n
        gruStateRows(rows, H, gx, gxOff, hPrev, hPrevOff, h, hOff);
    }

    /** gx[j] ← ((gx[j] + bih[j]) + gh[j]) + bhh[j] for one gate block (j &lt; whole vectors of H), every row. */
    private static void gruGateSumRows(int rows, int H, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                                       MemorySegment bih, long bi, MemorySegment bhh, long bh) {
        int upper = S.loopBound(H);
        for (int r = 0; r < rows; r++) {
            long xr = (gxOff + (long) r * 3 * H) * 4, hr = (ghOff + (long) r * 3 * H) * 4;
            for (int j = 0; j < upper; j += L) {
                long jb = j * 4L;
                FloatVector.fromMemorySegment(S, gx, xr + jb, NO)
                        .add(FloatVector.fromMemorySegment(S, bih, (bi + j) * 4, NO))
                        .add(FloatVector.fromMemorySegment(S, gh, hr + jb, NO))
                        .add(FloatVector.fromMemorySegment(S, bhh, (bh + j) * 4, NO))
                        .intoMemorySegment(gx, xr + jb, NO);
            }
        }
    }

    /** hn = h_n + b_hn into gh's n block; the n pre-activation (x_n + b_in) + r ⊙ hn into gx's n block. */
    private static void gruCandidateRows(int rows, int H, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                                         MemorySegment bih, long bi, MemorySegment bhh, long bh) {
        int upper = S.loopBound(H);
        for (int r = 0; r < rows; r++) {
            long xr = (gxOff + (long) r * 3 * H) * 4, hr = (ghOff + (long) r * 3 * H) * 4;
            for (int j = 0; j < upper; j += L) {
                long jb = j * 4L, n = 8L * H + jb;
                FloatVector rg = FloatVector.fromMemorySegment(S, gx, xr + jb, NO);
                FloatVector hn = FloatVector.fromMemorySegment(S, gh, hr + n, NO)
                        .add(FloatVector.fromMemorySegment(S, bhh, (bh + 2L * H + j) * 4, NO));
                FloatVector pre = FloatVector.fromMemorySegment(S, gx, xr + n, NO)
                        .add(FloatVector.fromMemorySegment(S, bih, (bi + 2L * H + j) * 4, NO))
                        .add(rg.mul(hn));
                hn.intoMemorySegment(gh, hr + n, NO);
                pre.intoMemorySegment(gx, xr + n, NO);
            }
        }
    }

    /** h = (1 − z) ⊙ n + z ⊙ h_prev, rounded as the twin does. */
    private static void gruStateRows(int rows, int H, MemorySegment gx, long gxOff,
                                     MemorySegment hPrev, long hPrevOff, MemorySegment h, long hOff) {
        int upper = S.loopBound(H);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int r = 0; r < rows; r++) {
            long xr = (gxOff + (long) r * 3 * H) * 4, s = (long) r * H;
            for (int j = 0; j < upper; j += L) {
                long jb = j * 4L;
                FloatVector z = FloatVector.fromMemorySegment(S, gx, xr + 4L * H + jb, NO);
                FloatVector n = FloatVector.fromMemorySegment(S, gx, xr + 8L * H + jb, NO);
                FloatVector hp = FloatVector.fromMemorySegment(S, hPrev, (hPrevOff + s + j) * 4, NO);
                one.sub(z).mul(n).add(z.mul(hp)).intoMemorySegment(h, (hOff + s + j) * 4, NO);
            }
        }
    }

    @Override
    public void gruBackward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                            MemorySegment hPrev, long hPrevOff, MemorySegment dOut, long dOutOff, int ldDOut,
                            MemorySegment dh, long dhOff) {
        int H = hidden;
        MemorySegment dO = dOut != null ? dOut : minusZeros(H);
        gruBackwardUpdate(rows, H, gx, gxOff, gh, ghOff, hPrev, hPrevOff, dO, dOut != null ? dOutOff : 0,
                dOut != null ? ldDOut : 0, dh, dhOff);
        gruBackwardReset(rows, H, gx, gxOff, gh, ghOff);
        int u = S.loopBound(H);
        for (int r = 0; u < H && r < rows; r++) {
            long sRow = (long) r * H;
            ScalarCellKernels.gruBackwardRow(u, H, H, gx, gxOff + (long) r * 3 * H, gh, ghOff + (long) r * 3 * H,
                    hPrev, hPrevOff + sRow, dOut, dOut == null ? 0 : dOutOff + (long) r * ldDOut, dh, dhOff + sRow);
        }
    }

    /** da_n into the n block of gx, da_z into both z blocks, dh ← dhT ⊙ z. */
    private static void gruBackwardUpdate(int rows, int H, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                                          MemorySegment hPrev, long hPrevOff, MemorySegment dOut, long dBase, int dLd,
                                          MemorySegment dh, long dhOff) {
        int upper = S.loopBound(H);
        FloatVector one = FloatVector.broadcast(S, 1f), fb = FloatVector.broadcast(S, FLUSH_BIAS);
        for (int r = 0; r < rows; r++) {
            long xr = (gxOff + (long) r * 3 * H) * 4, hr = (ghOff + (long) r * 3 * H) * 4;
            long s = (long) r * H, dRow = dBase + (long) r * dLd;
            for (int j = 0; j < upper; j += L) {
                long jb = j * 4L, dhb = (dhOff + s + j) * 4;
                FloatVector dhT = FloatVector.fromMemorySegment(S, dh, dhb, NO)
                        .add(FloatVector.fromMemorySegment(S, dOut, (dRow + j) * 4, NO));
                FloatVector z = FloatVector.fromMemorySegment(S, gx, xr + 4L * H + jb, NO);
                FloatVector n = FloatVector.fromMemorySegment(S, gx, xr + 8L * H + jb, NO);
                FloatVector hp = FloatVector.fromMemorySegment(S, hPrev, (hPrevOff + s + j) * 4, NO);
                FloatVector oneMinusZ = one.sub(z);
                FloatVector daN = dhT.mul(oneMinusZ).mul(one.sub(n.mul(n))).add(fb).sub(fb);
                FloatVector daZ = dhT.mul(hp.sub(n)).mul(z.mul(oneMinusZ)).add(fb).sub(fb);
                daN.intoMemorySegment(gx, xr + 8L * H + jb, NO);
                daZ.intoMemorySegment(gx, xr + 4L * H + jb, NO);
                daZ.intoMemorySegment(gh, hr + 4L * H + jb, NO);
                dhT.mul(z).add(fb).sub(fb).intoMemorySegment(dh, dhb, NO);
            }
        }
    }

    /** From da_n (in gx's n block): da_r into both r blocks, da_n ⊙ r into gh's n block. */
    private static void gruBackwardReset(int rows, int H, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff) {
        int upper = S.loopBound(H);
        FloatVector one = FloatVector.broadcast(S, 1f), fb = FloatVector.broadcast(S, FLUSH_BIAS);
        for (int r = 0; r < rows; r++) {
            long xr = (gxOff + (long) r * 3 * H) * 4, hr = (ghOff + (long) r * 3 * H) * 4;
            for (int j = 0; j < upper; j += L) {
                long jb = j * 4L;
                FloatVector rg = FloatVector.fromMemorySegment(S, gx, xr + jb, NO);
                FloatVector daN = FloatVector.fromMemorySegment(S, gx, xr + 8L * H + jb, NO);
                FloatVector hn = FloatVector.fromMemorySegment(S, gh, hr + 8L * H + jb, NO);
                FloatVector daR = daN.mul(hn).mul(rg.mul(one.sub(rg))).add(fb).sub(fb);
                daR.intoMemorySegment(gx, xr + jb, NO);
                daR.intoMemorySegment(gh, hr + jb, NO);
                daN.mul(rg).add(fb).sub(fb).intoMemorySegment(gh, hr + 8L * H + jb, NO);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Column sums in the twin's order: per column, s = 0 + row 0 + row 1 + …, then dst + s. */
    @Override
    public void addColumnSums(int rows, int cols, MemorySegment src, long srcOff, int ld,
                              MemorySegment dst, long dstOff) {
        int upper = S.loopBound(cols);
        int j = 0;
        // four vectors of columns per sweep over the rows: each row contributes whole cache lines
        for (; j + 4 * L <= upper; j += 4 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int r = 0; r < rows; r++) {
                long row = (srcOff + (long) r * ld + j) * 4;
                s0 = s0.add(FloatVector.fromMemorySegment(S, src, row, NO));
                s1 = s1.add(FloatVector.fromMemorySegment(S, src, row + 4L * L, NO));
                s2 = s2.add(FloatVector.fromMemorySegment(S, src, row + 8L * L, NO));
                s3 = s3.add(FloatVector.fromMemorySegment(S, src, row + 12L * L, NO));
            }
            long d = (dstOff + j) * 4;
            FloatVector.fromMemorySegment(S, dst, d, NO).add(s0).intoMemorySegment(dst, d, NO);
            FloatVector.fromMemorySegment(S, dst, d + 4L * L, NO).add(s1).intoMemorySegment(dst, d + 4L * L, NO);
            FloatVector.fromMemorySegment(S, dst, d + 8L * L, NO).add(s2).intoMemorySegment(dst, d + 8L * L, NO);
            FloatVector.fromMemorySegment(S, dst, d + 12L * L, NO).add(s3).intoMemorySegment(dst, d + 12L * L, NO);
        }
        for (; j < upper; j += L) {
            FloatVector s = FloatVector.zero(S);
            for (int r = 0; r < rows; r++) {
                s = s.add(FloatVector.fromMemorySegment(S, src, (srcOff + (long) r * ld + j) * 4, NO));
            }
            long d = (dstOff + j) * 4;
            FloatVector.fromMemorySegment(S, dst, d, NO).add(s).intoMemorySegment(dst, d, NO);
        }
        if (j < cols) ScalarCellKernels.addColumnSumsRange(j, cols, rows, src, srcOff, ld, dst, dstOff);
    }

    @Override
    public void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment dst, long dstOff) {
        int upper = S.loopBound(n);
        int j = 0;
        for (; j < upper; j += L) {
            FloatVector.fromMemorySegment(S, a, (aOff + j) * 4, NO)
                    .add(FloatVector.fromMemorySegment(S, b, (bOff + j) * 4, NO))
                    .intoMemorySegment(dst, (dstOff + j) * 4, NO);
        }
        if (j < n) ScalarCellKernels.addRange(j, n, a, aOff, b, bOff, dst, dstOff);
    }
}
