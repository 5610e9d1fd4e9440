package dev.recur.engine.cell;

import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.TANH;

import dev.recur.engine.Simd;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link CellKernels}: each row's columns in whole vectors of {@link Simd#LANES}
 * floats, and the columns past the last whole vector (when H is not a multiple of the lane count)
 * by the scalar twin's row function, so any H and any lane count work. Same maths as
 * {@link ScalarCellKernels}; activations are the JDK's lane-wise TANH and EXP. No masks, and no
 * vector crosses a method boundary that C2 might not inline, so nothing is boxed.
 * Loaded only by {@link CellKernelsProvider} after the Vector API check.
 */
final class VectorCellKernels implements CellKernels {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.LANES;
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    VectorCellKernels() {}

    /** The vector of floats starting at float index {@code i}. */
    private static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(S, s, i * 4L, NO);
    }

    private static void store(FloatVector v, MemorySegment s, long i) {
        v.intoMemorySegment(s, i * 4L, NO);
    }

    /** Zeros standing in for a null dOut (read with leading dimension 0), grown on demand. */
    private static volatile MemorySegment zeros = MemorySegment.NULL;

    private static MemorySegment zeros(int n) {
        MemorySegment z = zeros;
        if (z.byteSize() < (long) n * 4) {
            synchronized (VectorCellKernels.class) {
                z = zeros;
                if (z.byteSize() < (long) n * 4) zeros = z = java.lang.foreign.Arena.global().allocate((long) n * 4, 64);
            }
        }
        return z;
    }

    // Constants are broadcast once per kernel call and passed down: scalar-operand forms such as
    // v.add(1f) nest deeper and can exceed C2's inlining depth, which boxes vectors.

    /** σ(x) = 1 / (1 + e^−x). */
    private static FloatVector sigmoid(FloatVector x, FloatVector one) {
        return one.div(x.neg().lanewise(EXP).add(one));
    }

    /** {@code (x + FLUSH_BIAS) − FLUSH_BIAS}: see {@link CellKernels#FLUSH_BIAS}. Two adds, no mask. */
    private static FloatVector flush(FloatVector x, FloatVector bias) {
        return x.add(bias).sub(bias);
    }

    private static FloatVector one() { return FloatVector.broadcast(S, 1f); }

    private static FloatVector flushBias() { return FloatVector.broadcast(S, FLUSH_BIAS); }

    // ---------------------------------------------------------------- RNN

    @Override
    public void rnnForward(int rows, int hidden, boolean relu, MemorySegment a, long aOff,
                           MemorySegment bias, long biasOff, MemorySegment h, long hOff) {
        int upper = S.loopBound(hidden);
        FloatVector one = one(), zero = FloatVector.zero(S), fb = flushBias();
        for (int r = 0; r < rows; r++) {
            long row = (long) r * hidden;
            for (int j = 0; j < upper; j += L) {
                FloatVector pre = load(a, aOff + row + j).add(load(bias, biasOff + j));
                store(relu ? pre.max(zero) : pre.lanewise(TANH), h, hOff + row + j);
            }
            if (upper < hidden) {
                ScalarCellKernels.rnnForwardRow(upper, hidden, relu, a, aOff + row, bias, biasOff, h, hOff + row);
            }
        }
    }

    @Override
    public void rnnBackward(int rows, int hidden, boolean relu, MemorySegment h, long hOff,
                            MemorySegment dOut, long dOutOff, int ldDOut,
                            MemorySegment dh, long dhOff, MemorySegment da, long daOff) {
        int upper = S.loopBound(hidden);
        FloatVector one = one(), zero = FloatVector.zero(S), fb = flushBias();
        MemorySegment dOutOrZeros = dOut != null ? dOut : zeros(hidden);
        for (int r = 0; r < rows; r++) {
            long row = (long) r * hidden;
            long dRow = dOut == null ? 0 : dOutOff + (long) r * ldDOut;
            for (int j = 0; j < upper; j += L) {
                FloatVector g = load(dh, dhOff + row + j).add(load(dOutOrZeros, dRow + j));
                FloatVector hv = load(h, hOff + row + j);
                FloatVector d = relu ? g.blend(zero, hv.compare(LE, zero)) : g.mul(hv.mul(hv).neg().add(one));
                store(flush(d, fb), da, daOff + row + j);
            }
            if (upper < hidden) {
                ScalarCellKernels.rnnBackwardRow(upper, hidden, relu, h, hOff + row, dOut, dRow,
                        dh, dhOff + row, da, daOff + row);
            }
        }
    }

    // ---------------------------------------------------------------- LSTM

    @Override
    public void lstmForward(int rows, int hidden, MemorySegment gates, long gOff,
                            MemorySegment bias, long biasOff, MemorySegment cPrev, long cPrevOff,
                            MemorySegment c, long cOff, MemorySegment h, long hOff) {
        int H = hidden, upper = S.loopBound(hidden);
        FloatVector one = one(), zero = FloatVector.zero(S), fb = flushBias();
        long b = biasOff;
        for (int r = 0; r < rows; r++) {
            long gRow = gOff + (long) r * 4 * H;
            long sRow = (long) r * H;
            long cp = cPrevOff + sRow, co = cOff + sRow, ho = hOff + sRow;
            for (int j = 0; j < upper; j += L) {
                FloatVector i = sigmoid(load(gates, gRow + j).add(load(bias, b + j)), one);
                FloatVector f = sigmoid(load(gates, gRow + H + j).add(load(bias, b + H + j)), one);
                FloatVector g = load(gates, gRow + 2 * H + j).add(load(bias, b + 2 * H + j)).lanewise(TANH);
                FloatVector o = sigmoid(load(gates, gRow + 3 * H + j).add(load(bias, b + 3 * H + j)), one);
                FloatVector cNew = f.fma(load(cPrev, cp + j), i.mul(g));
                store(i, gates, gRow + j);
                store(f, gates, gRow + H + j);
                store(g, gates, gRow + 2 * H + j);
                store(o, gates, gRow + 3 * H + j);
                store(cNew, c, co + j);
                store(o.mul(cNew.lanewise(TANH)), h, ho + j);
            }
            if (upper < H) {
                ScalarCellKernels.lstmForwardRow(upper, H, H, gates, gRow, bias, b, cPrev, cp, c, co, h, ho);
            }
        }
    }

    @Override
    public void lstmBackward(int rows, int hidden, MemorySegment gates, long gOff,
                             MemorySegment c, long cOff, MemorySegment cPrev, long cPrevOff,
                             MemorySegment dOut, long dOutOff, int ldDOut,
                             MemorySegment dh, long dhOff, MemorySegment dc, long dcOff) {
        int H = hidden;
        MemorySegment dOutOrZeros = dOut != null ? dOut : zeros(hidden);
        for (int r = 0; r < rows; r++) {
            long sRow = (long) r * H;
            long dRow = dOut == null ? 0 : dOutOff + (long) r * ldDOut;
            // one row per call: each call is its own small compilation unit for C2
            lstmBackwardRow(H, gates, gOff + (long) r * 4 * H, c, cOff + sRow, cPrev, cPrevOff + sRow,
                    dOutOrZeros, dRow, dh, dhOff + sRow, dc, dcOff + sRow);
            if (dOut == null && S.loopBound(H) < H) {
                ScalarCellKernels.lstmBackwardRow(S.loopBound(H), H, H, gates, gOff + (long) r * 4 * H, c, cOff + sRow,
                        cPrev, cPrevOff + sRow, null, 0, dh, dhOff + sRow, dc, dcOff + sRow);
            } else if (S.loopBound(H) < H) {
                ScalarCellKernels.lstmBackwardRow(S.loopBound(H), H, H, gates, gOff + (long) r * 4 * H, c, cOff + sRow,
                        cPrev, cPrevOff + sRow, dOut, dRow, dh, dhOff + sRow, dc, dcOff + sRow);
            }
        }
    }

    /**
     * One row in two passes over its H columns (the second re-reads dc' from dc, in L1): one pass
     * with every operation is more than C2 inlines in one go, and it then boxes vectors.
     */
    private static void lstmBackwardRow(int H, MemorySegment gates, long gRow, MemorySegment c, long co,
                                        MemorySegment cPrev, long cp, MemorySegment dOut, long dRow,
                                        MemorySegment dh, long dho, MemorySegment dc, long dco) {
        lstmBackwardOutputGate(H, gates, gRow, c, co, dOut, dRow, dh, dho, dc, dco);
        lstmBackwardOtherGates(H, gates, gRow, cPrev, cp, dc, dco);
    }

    /** dc' = dc + dhT ⊙ o ⊙ (1 − τ²) into dc; da_o into the o block. */
    private static void lstmBackwardOutputGate(int H, MemorySegment gates, long gRow, MemorySegment c, long co,
                                               MemorySegment dOut, long dRow, MemorySegment dh, long dho,
                                               MemorySegment dc, long dco) {
        int upper = S.loopBound(H);
        FloatVector one = one(), fb = flushBias();
        for (int j = 0; j < upper; j += L) {
            FloatVector dhT = load(dh, dho + j).add(load(dOut, dRow + j));
            FloatVector o = load(gates, gRow + 3 * H + j);
            FloatVector tc = load(c, co + j).lanewise(TANH);
            store(dhT.mul(o).mul(one.sub(tc.mul(tc))).add(load(dc, dco + j)), dc, dco + j);
            store(flush(dhT.mul(tc).mul(o.mul(one.sub(o))), fb), gates, gRow + 3 * H + j);
        }
    }

    /** From dc' (in dc): da_i, da_f, da_g into their blocks, dc ← dc' ⊙ f. */
    private static void lstmBackwardOtherGates(int H, MemorySegment gates, long gRow, MemorySegment cPrev, long cp,
                                               MemorySegment dc, long dco) {
        int upper = S.loopBound(H);
        FloatVector one = one(), fb = flushBias();
        for (int j = 0; j < upper; j += L) {
            FloatVector dcT = load(dc, dco + j);
            FloatVector i = load(gates, gRow + j), f = load(gates, gRow + H + j), g = load(gates, gRow + 2 * H + j);
            store(flush(dcT.mul(g).mul(i.mul(one.sub(i))), fb), gates, gRow + j);
            store(flush(dcT.mul(load(cPrev, cp + j)).mul(f.mul(one.sub(f))), fb), gates, gRow + H + j);
            store(flush(dcT.mul(i).mul(one.sub(g.mul(g))), fb), gates, gRow + 2 * H + j);
            store(flush(dcT.mul(f), fb), dc, dco + j);
        }
    }

    // ---------------------------------------------------------------- GRU

    @Override
    public void gruForward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                           MemorySegment bih, long bihOff, MemorySegment bhh, long bhhOff,
                           MemorySegment hPrev, long hPrevOff, MemorySegment h, long hOff) {
        int H = hidden, upper = S.loopBound(hidden);
        for (int r = 0; r < rows; r++) {
            long xRow = gxOff + (long) r * 3 * H, hRow = ghOff + (long) r * 3 * H;
            long sRow = (long) r * H;
            // two passes per row, each its own small compilation unit (see lstmBackwardRow)
            gruForwardGates(H, gx, xRow, gh, hRow, bih, bihOff, bhh, bhhOff);
            gruForwardState(H, gx, xRow, gh, hRow, bih, bihOff, bhh, bhhOff, hPrev, hPrevOff + sRow, h, hOff + sRow);
            if (upper < H) {
                ScalarCellKernels.gruForwardRow(upper, H, H, gx, xRow, gh, hRow, bih, bihOff, bhh, bhhOff,
                        hPrev, hPrevOff + sRow, h, hOff + sRow);
            }
        }
    }

    /** r and z into the r and z blocks of gx. */
    private static void gruForwardGates(int H, MemorySegment gx, long xRow, MemorySegment gh, long hRow,
                                        MemorySegment bih, long bi, MemorySegment bhh, long bh) {
        int upper = S.loopBound(H);
        FloatVector one = one();
        for (int j = 0; j < upper; j += L) {
            FloatVector rg = sigmoid(load(gx, xRow + j).add(load(bih, bi + j))
                    .add(load(gh, hRow + j)).add(load(bhh, bh + j)), one);
            FloatVector z = sigmoid(load(gx, xRow + H + j).add(load(bih, bi + H + j))
                    .add(load(gh, hRow + H + j)).add(load(bhh, bh + H + j)), one);
            store(rg, gx, xRow + j);
            store(z, gx, xRow + H + j);
        }
    }

    /** From r, z: hn, n and h. */
    private static void gruForwardState(int H, MemorySegment gx, long xRow, MemorySegment gh, long hRow,
                                        MemorySegment bih, long bi, MemorySegment bhh, long bh,
                                        MemorySegment hPrev, long hp, MemorySegment h, long ho) {
        int upper = S.loopBound(H);
        FloatVector one = one();
        for (int j = 0; j < upper; j += L) {
            FloatVector rg = load(gx, xRow + j), z = load(gx, xRow + H + j);
            FloatVector hn = load(gh, hRow + 2 * H + j).add(load(bhh, bh + 2 * H + j));
            FloatVector n = load(gx, xRow + 2 * H + j).add(load(bih, bi + 2 * H + j)).add(rg.mul(hn)).lanewise(TANH);
            store(n, gx, xRow + 2 * H + j);
            store(hn, gh, hRow + 2 * H + j);
            // (1 − z)·n + z·h_prev, rounded as the twin does
            store(one.sub(z).mul(n).add(z.mul(load(hPrev, hp + j))), h, ho + j);
        }
    }

    @Override
    public void gruBackward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                            MemorySegment hPrev, long hPrevOff, MemorySegment dOut, long dOutOff, int ldDOut,
                            MemorySegment dh, long dhOff) {
        int H = hidden, upper = S.loopBound(hidden);
        MemorySegment dOutOrZeros = dOut != null ? dOut : zeros(hidden);
        for (int r = 0; r < rows; r++) {
            long xRow = gxOff + (long) r * 3 * H, hRow = ghOff + (long) r * 3 * H;
            long sRow = (long) r * H;
            long dRow = dOut == null ? 0 : dOutOff + (long) r * ldDOut;
            if (upper < H) {
                ScalarCellKernels.gruBackwardRow(upper, H, H, gx, xRow, gh, hRow, hPrev, hPrevOff + sRow,
                        dOut, dRow, dh, dhOff + sRow);
            }
            gruBackwardUpdate(H, gx, xRow, gh, hRow, hPrev, hPrevOff + sRow, dOutOrZeros, dRow, dh, dhOff + sRow);
            gruBackwardReset(H, gx, xRow, gh, hRow);
        }
    }

    /** da_n into the n block of gx, da_z into both z blocks, dh ← dhT ⊙ z. */
    private static void gruBackwardUpdate(int H, MemorySegment gx, long xRow, MemorySegment gh, long hRow,
                                          MemorySegment hPrev, long hp, MemorySegment dOut, long dRow,
                                          MemorySegment dh, long dho) {
        int upper = S.loopBound(H);
        FloatVector one = one(), fb = flushBias();
        for (int j = 0; j < upper; j += L) {
            FloatVector dhT = load(dh, dho + j).add(load(dOut, dRow + j));
            FloatVector z = load(gx, xRow + H + j), n = load(gx, xRow + 2 * H + j);
            FloatVector oneMinusZ = one.sub(z);
            FloatVector daN = flush(dhT.mul(oneMinusZ).mul(one.sub(n.mul(n))), fb);
            FloatVector daZ = flush(dhT.mul(load(hPrev, hp + j).sub(n)).mul(z.mul(oneMinusZ)), fb);
            store(daN, gx, xRow + 2 * H + j);
            store(daZ, gx, xRow + H + j);
            store(daZ, gh, hRow + H + j);
            store(flush(dhT.mul(z), fb), dh, dho + j);
        }
    }

    /** From da_n (in gx's n block): da_r into both r blocks, da_n ⊙ r into gh's n block. */
    private static void gruBackwardReset(int H, MemorySegment gx, long xRow, MemorySegment gh, long hRow) {
        int upper = S.loopBound(H);
        FloatVector one = one(), fb = flushBias();
        for (int j = 0; j < upper; j += L) {
            FloatVector rg = load(gx, xRow + j), daN = load(gx, xRow + 2 * H + j);
            FloatVector hn = load(gh, hRow + 2 * H + j);
            FloatVector daR = flush(daN.mul(hn).mul(rg.mul(one.sub(rg))), fb);
            store(daR, gx, xRow + j);
            store(daR, gh, hRow + j);
            store(flush(daN.mul(rg), fb), gh, hRow + 2 * H + j);
        }
    }

    // ---------------------------------------------------------------- helpers

    @Override
    public void addColumnSums(int rows, int cols, MemorySegment src, long srcOff, int ld,
                              MemorySegment dst, long dstOff) {
        int upper = S.loopBound(cols);
        int j = 0;
        // four vectors of columns per sweep over the rows: each row contributes whole cache lines
        for (; j + 4 * L <= upper; j += 4 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int r = 0; r < rows; r++) {
                long row = srcOff + (long) r * ld + j;
                s0 = s0.add(load(src, row));
                s1 = s1.add(load(src, row + L));
                s2 = s2.add(load(src, row + 2 * L));
                s3 = s3.add(load(src, row + 3 * L));
            }
            store(load(dst, dstOff + j).add(s0), dst, dstOff + j);
            store(load(dst, dstOff + j + L).add(s1), dst, dstOff + j + L);
            store(load(dst, dstOff + j + 2 * L).add(s2), dst, dstOff + j + 2 * L);
            store(load(dst, dstOff + j + 3 * L).add(s3), dst, dstOff + j + 3 * L);
        }
        for (; j < upper; j += L) {
            FloatVector s = FloatVector.zero(S);
            for (int r = 0; r < rows; r++) s = s.add(load(src, srcOff + (long) r * ld + j));
            store(load(dst, dstOff + j).add(s), dst, dstOff + j);
        }
        if (j < cols) ScalarCellKernels.addColumnSumsRange(j, cols, rows, src, srcOff, ld, dst, dstOff);
    }

    @Override
    public void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment dst, long dstOff) {
        int upper = S.loopBound(n);
        for (int j = 0; j < upper; j += L) store(load(a, aOff + j).add(load(b, bOff + j)), dst, dstOff + j);
        for (int j = upper; j < n; j++) ScalarCellKernels.addRange(j, j + 1, a, aOff, b, bOff, dst, dstOff);
    }
}
