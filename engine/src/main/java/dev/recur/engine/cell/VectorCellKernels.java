package dev.recur.engine.cell;

import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.TANH;

import dev.recur.engine.Simd;
import dev.recur.engine.SimdMath;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link CellKernels}: each row's columns in whole vectors of {@link Simd#LANES}
 * floats, and the columns past the last whole vector (when H is not a multiple of the lane count)
 * by the scalar twin's row function, so any H and any lane count work. Same maths as
 * {@link ScalarCellKernels}; σ is {@link SimdMath#sigmoid}, made only of IEEE-exact vector
 * operations, so it gives the same bits in the interpreter, C1 and C2 (the JDK's lane-wise EXP does
 * not: SVML in C2, Math.exp before). tanh is still the JDK's lane-wise TANH, which has the same
 * tier dependence: {@code SimdMath.tanh} (3.3e-7 absolute error near ±1) breaks the twin tolerance
 * of the backward passes' 1 − τ², and an exp-based tanh ran past C2's node budget (boxing); see
 * {@code docs/kernels.md}. No masks, and
 * each loop is kept small (one activation per loop where possible) so C2 inlines all of it and
 * nothing is boxed.
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
        long b = biasOff;
        // Three passes over all rows, one activation each: every pass is its own small C2
        // compilation (they loop far more than this method, so C2 compiles them first and then
        // calls rather than inlines them); all of it in one unit ran past C2's node budget and
        // boxed vectors. One call site for σ, so it is compiled once.
        for (int k = 0; k < 4; k += k == 1 ? 2 : 1) { // i, f, o
            sigmoidRows(rows, upper, 4 * H, gates, gOff + k * H, bias, b + k * H);
        }
        lstmCellRows(rows, H, gates, gOff, bias, b, cPrev, cPrevOff, c, cOff);
        lstmOutputRows(rows, H, gates, gOff, c, cOff, h, hOff);
        if (upper < H) {
            for (int r = 0; r < rows; r++) {
                long gRow = gOff + (long) r * 4 * H, sRow = (long) r * H;
                ScalarCellKernels.lstmForwardRow(upper, H, H, gates, gRow, bias, b, cPrev, cPrevOff + sRow,
                        c, cOff + sRow, h, hOff + sRow);
            }
        }
    }

    /** g[r·ld + j] ← σ(g[r·ld + j] + bias[j]) for every row r and j < upper. */
    private static void sigmoidRows(int rows, int upper, int ld, MemorySegment g, long gOff,
                                    MemorySegment bias, long bOff) {
        for (int r = 0; r < rows; r++) {
            long row = gOff + (long) r * ld;
            for (int j = 0; j < upper; j += L) {
                store(SimdMath.sigmoid(load(g, row + j).add(load(bias, bOff + j))), g, row + j);
            }
        }
    }

    /** From the activated i, f and a_g: g = tanh(a_g + b_g) into the g block, c = f ⊙ c_prev + i ⊙ g. */
    private static void lstmCellRows(int rows, int H, MemorySegment gates, long gOff, MemorySegment bias, long b,
                                     MemorySegment cPrev, long cPrevOff, MemorySegment c, long cOff) {
        int upper = S.loopBound(H);
        for (int r = 0; r < rows; r++) {
            long gRow = gOff + (long) r * 4 * H, cp = cPrevOff + (long) r * H, co = cOff + (long) r * H;
            for (int j = 0; j < upper; j += L) {
                FloatVector g = load(gates, gRow + 2 * H + j).add(load(bias, b + 2 * H + j)).lanewise(TANH);
                FloatVector cNew = load(gates, gRow + H + j).fma(load(cPrev, cp + j), load(gates, gRow + j).mul(g));
                store(g, gates, gRow + 2 * H + j);
                store(cNew, c, co + j);
            }
        }
    }

    /** h = o ⊙ tanh(c). */
    private static void lstmOutputRows(int rows, int H, MemorySegment gates, long gOff, MemorySegment c, long cOff,
                                       MemorySegment h, long hOff) {
        int upper = S.loopBound(H);
        for (int r = 0; r < rows; r++) {
            long gRow = gOff + (long) r * 4 * H, co = cOff + (long) r * H, ho = hOff + (long) r * H;
            for (int j = 0; j < upper; j += L) {
                store(load(gates, gRow + 3 * H + j).mul(load(c, co + j).lanewise(TANH)), h, ho + j);
            }
        }
    }

    @Override
    public void lstmBackward(int rows, int hidden, MemorySegment gates, long gOff,
                             MemorySegment c, long cOff, MemorySegment cPrev, long cPrevOff,
                             MemorySegment dOut, long dOutOff, int ldDOut,
                             MemorySegment dh, long dhOff, MemorySegment dc, long dcOff) {
        int H = hidden, upper = S.loopBound(H);
        MemorySegment dOutOrZeros = dOut != null ? dOut : zeros(hidden);
        long dBase = dOut == null ? 0 : dOutOff;
        int dLd = dOut == null ? 0 : ldDOut;
        // two passes over all rows (the second re-reads dc' from dc): each is its own small C2
        // compilation (they loop far more than this method, so C2 compiles them first and calls
        // them); one pass with every operation runs past C2's node budget and boxes vectors
        lstmBackwardOutputGate(rows, H, gates, gOff, c, cOff, dOutOrZeros, dBase, dLd, dh, dhOff, dc, dcOff);
        lstmBackwardOtherGates(rows, H, gates, gOff, cPrev, cPrevOff, dc, dcOff);
        if (upper < H) {
            for (int r = 0; r < rows; r++) {
                long sRow = (long) r * H;
                ScalarCellKernels.lstmBackwardRow(upper, H, H, gates, gOff + (long) r * 4 * H, c, cOff + sRow,
                        cPrev, cPrevOff + sRow, dOut, dOut == null ? 0 : dOutOff + (long) r * ldDOut,
                        dh, dhOff + sRow, dc, dcOff + sRow);
            }
        }
    }

    /** dc' = dc + dhT ⊙ o ⊙ (1 − τ²) into dc; da_o into the o block; every row. */
    private static void lstmBackwardOutputGate(int rows, int H, MemorySegment gates, long gOff, MemorySegment c,
                                               long cOff, MemorySegment dOut, long dBase, int dLd,
                                               MemorySegment dh, long dhOff, MemorySegment dc, long dcOff) {
        int upper = S.loopBound(H);
        FloatVector one = one(), fb = flushBias();
        for (int r = 0; r < rows; r++) {
            long gRow = gOff + (long) r * 4 * H, co = cOff + (long) r * H, dho = dhOff + (long) r * H;
            long dco = dcOff + (long) r * H, dRow = dBase + (long) r * dLd;
            for (int j = 0; j < upper; j += L) {
                FloatVector dhT = load(dh, dho + j).add(load(dOut, dRow + j));
                FloatVector o = load(gates, gRow + 3 * H + j);
                FloatVector tc = load(c, co + j).lanewise(TANH);
                store(dhT.mul(o).mul(one.sub(tc.mul(tc))).add(load(dc, dco + j)), dc, dco + j);
                store(flush(dhT.mul(tc).mul(o.mul(one.sub(o))), fb), gates, gRow + 3 * H + j);
            }
        }
    }

    /** From dc' (in dc): da_i, da_f, da_g into their blocks, dc ← dc' ⊙ f; every row. */
    private static void lstmBackwardOtherGates(int rows, int H, MemorySegment gates, long gOff, MemorySegment cPrev,
                                               long cPrevOff, MemorySegment dc, long dcOff) {
        int upper = S.loopBound(H);
        FloatVector one = one(), fb = flushBias();
        for (int r = 0; r < rows; r++) {
            long gRow = gOff + (long) r * 4 * H, cp = cPrevOff + (long) r * H, dco = dcOff + (long) r * H;
            for (int j = 0; j < upper; j += L) {
                FloatVector dcT = load(dc, dco + j);
                FloatVector i = load(gates, gRow + j), f = load(gates, gRow + H + j), g = load(gates, gRow + 2 * H + j);
                store(flush(dcT.mul(g).mul(i.mul(one.sub(i))), fb), gates, gRow + j);
                store(flush(dcT.mul(load(cPrev, cp + j)).mul(f.mul(one.sub(f))), fb), gates, gRow + H + j);
                store(flush(dcT.mul(i).mul(one.sub(g.mul(g))), fb), gates, gRow + 2 * H + j);
                store(flush(dcT.mul(f), fb), dc, dco + j);
            }
        }
    }

    // ---------------------------------------------------------------- GRU

    @Override
    public void gruForward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                           MemorySegment bih, long bihOff, MemorySegment bhh, long bhhOff,
                           MemorySegment hPrev, long hPrevOff, MemorySegment h, long hOff) {
        int H = hidden, upper = S.loopBound(hidden);
        // passes over all rows, one activation each, each its own small C2 compilation (see
        // lstmForward): per gate the pre-activation sum, then σ in place (bias +0, exact)
        MemorySegment zero = zeros(H);
        for (int k = 0; k < 2; k++) { // r, z: one call site each
            gruGateSumRows(rows, upper, H, gx, gxOff + k * H, gh, ghOff + k * H, bih, bihOff + k * H, bhh, bhhOff + k * H);
            sigmoidRows(rows, upper, 3 * H, gx, gxOff + k * H, zero, 0);
        }
        gruForwardState(rows, H, gx, gxOff, gh, ghOff, bih, bihOff, bhh, bhhOff, hPrev, hPrevOff, h, hOff);
        if (upper < H) {
            for (int r = 0; r < rows; r++) {
                long xRow = gxOff + (long) r * 3 * H, hRow = ghOff + (long) r * 3 * H, sRow = (long) r * H;
                ScalarCellKernels.gruForwardRow(upper, H, H, gx, xRow, gh, hRow, bih, bihOff, bhh, bhhOff,
                        hPrev, hPrevOff + sRow, h, hOff + sRow);
            }
        }
    }

    /** gx[j] ← ((gx[j] + bih[j]) + gh[j]) + bhh[j], one gate's pre-activation, every row. */
    private static void gruGateSumRows(int rows, int upper, int H, MemorySegment gx, long x, MemorySegment gh, long hh,
                                       MemorySegment bih, long bi, MemorySegment bhh, long bh) {
        for (int r = 0; r < rows; r++) {
            long xr = x + (long) r * 3 * H, hr = hh + (long) r * 3 * H;
            for (int j = 0; j < upper; j += L) {
                store(load(gx, xr + j).add(load(bih, bi + j)).add(load(gh, hr + j)).add(load(bhh, bh + j)), gx, xr + j);
            }
        }
    }

    /** From r, z: hn, n and h; every row. */
    private static void gruForwardState(int rows, int H, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                                        MemorySegment bih, long bi, MemorySegment bhh, long bh,
                                        MemorySegment hPrev, long hPrevOff, MemorySegment h, long hOff) {
        int upper = S.loopBound(H);
        FloatVector one = one();
        for (int r = 0; r < rows; r++) {
            long xRow = gxOff + (long) r * 3 * H, hRow = ghOff + (long) r * 3 * H;
            long hp = hPrevOff + (long) r * H, ho = hOff + (long) r * H;
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
