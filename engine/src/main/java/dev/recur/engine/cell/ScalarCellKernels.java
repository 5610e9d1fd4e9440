package dev.recur.engine.cell;

import dev.recur.engine.ScalarActivations;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The plain-loop {@link CellKernels}: one element at a time, written to read like the equations in
 * the interface's Javadoc. This is the reference the SIMD kernels are held to.
 */
public final class ScalarCellKernels implements CellKernels {
    static final ScalarCellKernels INSTANCE = new ScalarCellKernels();

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ScalarCellKernels() {}

    private static float ld(MemorySegment s, long i) { return s.getAtIndex(F, i); }

    private static void st(MemorySegment s, long i, float v) { s.setAtIndex(F, i, v); }

    static float sigmoid(float x) { return (float) (1.0 / (1.0 + Math.exp(-x))); }

    /** The engine's arithmetic tanh, bit for bit the SIMD kernels' (see {@link ScalarActivations#tanhArithmetic}). */
    static float tanh(float x) { return ScalarActivations.tanhArithmetic(x); }

    /** {@code (x + FLUSH_BIAS) − FLUSH_BIAS}: no subnormal result; see {@link CellKernels#FLUSH_BIAS}. */
    static float flush(float x) { return (x + FLUSH_BIAS) - FLUSH_BIAS; }

    @Override
    public void rnnForward(int rows, int hidden, boolean relu, MemorySegment a, long aOff,
                           MemorySegment bias, long biasOff, MemorySegment h, long hOff) {
        for (int r = 0; r < rows; r++) {
            long row = (long) r * hidden;
            rnnForwardRow(0, hidden, relu, a, aOff + row, bias, biasOff, h, hOff + row);
        }
    }

    /** Columns [j0, j1) of one row; also the SIMD kernel's tail. */
    static void rnnForwardRow(int j0, int j1, boolean relu, MemorySegment a, long aRow,
                              MemorySegment bias, long biasOff, MemorySegment h, long hRow) {
        for (int j = j0; j < j1; j++) {
            float pre = ld(a, aRow + j) + ld(bias, biasOff + j);
            st(h, hRow + j, relu ? Math.max(pre, 0f) : tanh(pre));
        }
    }

    @Override
    public void rnnBackward(int rows, int hidden, boolean relu, MemorySegment h, long hOff,
                            MemorySegment dOut, long dOutOff, int ldDOut,
                            MemorySegment dh, long dhOff, MemorySegment da, long daOff) {
        for (int r = 0; r < rows; r++) {
            long row = (long) r * hidden;
            rnnBackwardRow(0, hidden, relu, h, hOff + row, dOut, dOutOff + (long) r * ldDOut,
                    dh, dhOff + row, da, daOff + row);
        }
    }

    /** Columns [j0, j1) of one row; also the SIMD kernel's tail. */
    static void rnnBackwardRow(int j0, int j1, boolean relu, MemorySegment h, long hRow,
                               MemorySegment dOut, long dOutRow, MemorySegment dh, long dhRow,
                               MemorySegment da, long daRow) {
        for (int j = j0; j < j1; j++) {
            float g = ld(dh, dhRow + j);
            if (dOut != null) g += ld(dOut, dOutRow + j);
            float hv = ld(h, hRow + j);
            float deriv = relu ? (hv > 0f ? 1f : 0f) : 1f - hv * hv;
            st(da, daRow + j, flush(g * deriv));
        }
    }

    @Override
    public void lstmForward(int rows, int hidden, MemorySegment gates, long gOff,
                            MemorySegment bias, long biasOff, MemorySegment cPrev, long cPrevOff,
                            MemorySegment c, long cOff, MemorySegment h, long hOff) {
        for (int r = 0; r < rows; r++) {
            long sRow = (long) r * hidden;
            lstmForwardRow(0, hidden, hidden, gates, gOff + (long) r * 4 * hidden, bias, biasOff,
                    cPrev, cPrevOff + sRow, c, cOff + sRow, h, hOff + sRow);
        }
    }

    /** Columns [j0, j1) of one row; also the SIMD kernel's tail. */
    static void lstmForwardRow(int j0, int j1, int H, MemorySegment gates, long gRow, MemorySegment bias,
                               long biasOff, MemorySegment cPrev, long cpRow, MemorySegment c, long cRow,
                               MemorySegment h, long hRow) {
        for (int j = j0; j < j1; j++) {
            float i = sigmoid(ld(gates, gRow + j) + ld(bias, biasOff + j));
            float f = sigmoid(ld(gates, gRow + H + j) + ld(bias, biasOff + H + j));
            float g = tanh(ld(gates, gRow + 2 * H + j) + ld(bias, biasOff + 2 * H + j));
            float o = sigmoid(ld(gates, gRow + 3 * H + j) + ld(bias, biasOff + 3 * H + j));
            float cNew = f * ld(cPrev, cpRow + j) + i * g;
            st(gates, gRow + j, i);
            st(gates, gRow + H + j, f);
            st(gates, gRow + 2 * H + j, g);
            st(gates, gRow + 3 * H + j, o);
            st(c, cRow + j, cNew);
            st(h, hRow + j, o * tanh(cNew));
        }
    }

    @Override
    public void lstmBackward(int rows, int hidden, MemorySegment gates, long gOff,
                             MemorySegment c, long cOff, MemorySegment cPrev, long cPrevOff,
                             MemorySegment dOut, long dOutOff, int ldDOut,
                             MemorySegment dh, long dhOff, MemorySegment dc, long dcOff) {
        for (int r = 0; r < rows; r++) {
            long sRow = (long) r * hidden;
            lstmBackwardRow(0, hidden, hidden, gates, gOff + (long) r * 4 * hidden, c, cOff + sRow,
                    cPrev, cPrevOff + sRow, dOut, dOutOff + (long) r * ldDOut, dh, dhOff + sRow, dc, dcOff + sRow);
        }
    }

    /** Columns [j0, j1) of one row; also the SIMD kernel's tail. */
    static void lstmBackwardRow(int j0, int j1, int H, MemorySegment gates, long gRow, MemorySegment c, long cRow,
                                MemorySegment cPrev, long cpRow, MemorySegment dOut, long dOutRow,
                                MemorySegment dh, long dhRow, MemorySegment dc, long dcRow) {
        for (int j = j0; j < j1; j++) {
            float i = ld(gates, gRow + j), f = ld(gates, gRow + H + j);
            float g = ld(gates, gRow + 2 * H + j), o = ld(gates, gRow + 3 * H + j);
            float dhT = ld(dh, dhRow + j);
            if (dOut != null) dhT += ld(dOut, dOutRow + j);
            float tc = tanh(ld(c, cRow + j));
            float dcT = ld(dc, dcRow + j) + dhT * o * (1f - tc * tc);
            st(gates, gRow + j, flush(dcT * g * i * (1f - i)));
            st(gates, gRow + H + j, flush(dcT * ld(cPrev, cpRow + j) * f * (1f - f)));
            st(gates, gRow + 2 * H + j, flush(dcT * i * (1f - g * g)));
            st(gates, gRow + 3 * H + j, flush(dhT * tc * o * (1f - o)));
            st(dc, dcRow + j, flush(dcT * f));
        }
    }

    @Override
    public void gruForward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                           MemorySegment bih, long bihOff, MemorySegment bhh, long bhhOff,
                           MemorySegment hPrev, long hPrevOff, MemorySegment h, long hOff) {
        for (int r = 0; r < rows; r++) {
            long sRow = (long) r * hidden;
            gruForwardRow(0, hidden, hidden, gx, gxOff + (long) r * 3 * hidden, gh, ghOff + (long) r * 3 * hidden,
                    bih, bihOff, bhh, bhhOff, hPrev, hPrevOff + sRow, h, hOff + sRow);
        }
    }

    /** Columns [j0, j1) of one row; also the SIMD kernel's tail. */
    static void gruForwardRow(int j0, int j1, int H, MemorySegment gx, long xRow, MemorySegment gh, long hRow,
                              MemorySegment bih, long bihOff, MemorySegment bhh, long bhhOff,
                              MemorySegment hPrev, long hpRow, MemorySegment h, long outRow) {
        for (int j = j0; j < j1; j++) {
            float rg = sigmoid(ld(gx, xRow + j) + ld(bih, bihOff + j)
                    + ld(gh, hRow + j) + ld(bhh, bhhOff + j));
            float z = sigmoid(ld(gx, xRow + H + j) + ld(bih, bihOff + H + j)
                    + ld(gh, hRow + H + j) + ld(bhh, bhhOff + H + j));
            float hn = ld(gh, hRow + 2 * H + j) + ld(bhh, bhhOff + 2 * H + j);
            float n = tanh(ld(gx, xRow + 2 * H + j) + ld(bih, bihOff + 2 * H + j) + rg * hn);
            float hp = ld(hPrev, hpRow + j);
            st(gx, xRow + j, rg);
            st(gx, xRow + H + j, z);
            st(gx, xRow + 2 * H + j, n);
            st(gh, hRow + 2 * H + j, hn);
            st(h, outRow + j, (1f - z) * n + z * hp);
        }
    }

    @Override
    public void gruBackward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                            MemorySegment hPrev, long hPrevOff, MemorySegment dOut, long dOutOff, int ldDOut,
                            MemorySegment dh, long dhOff) {
        for (int r = 0; r < rows; r++) {
            long sRow = (long) r * hidden;
            gruBackwardRow(0, hidden, hidden, gx, gxOff + (long) r * 3 * hidden, gh, ghOff + (long) r * 3 * hidden,
                    hPrev, hPrevOff + sRow, dOut, dOutOff + (long) r * ldDOut, dh, dhOff + sRow);
        }
    }

    /** Columns [j0, j1) of one row; also the SIMD kernel's tail. */
    static void gruBackwardRow(int j0, int j1, int H, MemorySegment gx, long xRow, MemorySegment gh, long hRow,
                               MemorySegment hPrev, long hpRow, MemorySegment dOut, long dOutRow,
                               MemorySegment dh, long dhRow) {
        for (int j = j0; j < j1; j++) {
            float rg = ld(gx, xRow + j), z = ld(gx, xRow + H + j), n = ld(gx, xRow + 2 * H + j);
            float hn = ld(gh, hRow + 2 * H + j);
            float hp = ld(hPrev, hpRow + j);
            float dhT = ld(dh, dhRow + j);
            if (dOut != null) dhT += ld(dOut, dOutRow + j);
            float daN = flush(dhT * (1f - z) * (1f - n * n));
            float daR = flush(daN * hn * (rg * (1f - rg)));
            float daZ = flush(dhT * (hp - n) * (z * (1f - z)));
            st(gx, xRow + j, daR);
            st(gx, xRow + H + j, daZ);
            st(gx, xRow + 2 * H + j, daN);
            st(gh, hRow + j, daR);
            st(gh, hRow + H + j, daZ);
            st(gh, hRow + 2 * H + j, flush(daN * rg));
            st(dh, dhRow + j, flush(dhT * z));
        }
    }

    @Override
    public void addColumnSums(int rows, int cols, MemorySegment src, long srcOff, int ld,
                              MemorySegment dst, long dstOff) {
        addColumnSumsRange(0, cols, rows, src, srcOff, ld, dst, dstOff);
    }

    /** Columns [j0, j1) of {@link #addColumnSums}, rows summed in order. */
    static void addColumnSumsRange(int j0, int j1, int rows, MemorySegment src, long srcOff, int ld,
                                   MemorySegment dst, long dstOff) {
        for (int j = j0; j < j1; j++) {
            float s = 0f;
            for (int r = 0; r < rows; r++) s += ld(src, srcOff + (long) r * ld + j);
            st(dst, dstOff + j, ld(dst, dstOff + j) + s);
        }
    }

    @Override
    public void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment dst, long dstOff) {
        addRange(0, n, a, aOff, b, bOff, dst, dstOff);
    }

    static void addRange(int j0, int j1, MemorySegment a, long aOff, MemorySegment b, long bOff,
                         MemorySegment dst, long dstOff) {
        for (int j = j0; j < j1; j++) st(dst, dstOff + j, ld(a, aOff + j) + ld(b, bOff + j));
    }
}
