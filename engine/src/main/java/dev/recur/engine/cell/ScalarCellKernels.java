package dev.recur.engine.cell;

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

    static float tanh(float x) { return (float) Math.tanh(x); }

    /** Zero for |x| below {@link #FLUSH_THRESHOLD}, else x. */
    static float flush(float x) { return Math.abs(x) < FLUSH_THRESHOLD ? 0f : x; }

    @Override
    public void rnnForward(int rows, int hidden, boolean relu, MemorySegment a, long aOff,
                           MemorySegment bias, long biasOff, MemorySegment h, long hOff) {
        for (int r = 0; r < rows; r++) {
            long row = (long) r * hidden;
            for (int j = 0; j < hidden; j++) {
                float pre = ld(a, aOff + row + j) + ld(bias, biasOff + j);
                st(h, hOff + row + j, relu ? Math.max(pre, 0f) : tanh(pre));
            }
        }
    }

    @Override
    public void rnnBackward(int rows, int hidden, boolean relu, MemorySegment h, long hOff,
                            MemorySegment dOut, long dOutOff, int ldDOut,
                            MemorySegment dh, long dhOff, MemorySegment da, long daOff) {
        for (int r = 0; r < rows; r++) {
            long row = (long) r * hidden;
            for (int j = 0; j < hidden; j++) {
                float g = ld(dh, dhOff + row + j);
                if (dOut != null) g += ld(dOut, dOutOff + (long) r * ldDOut + j);
                float hv = ld(h, hOff + row + j);
                float deriv = relu ? (hv > 0f ? 1f : 0f) : 1f - hv * hv;
                st(da, daOff + row + j, flush(g * deriv));
            }
        }
    }

    @Override
    public void lstmForward(int rows, int hidden, MemorySegment gates, long gOff,
                            MemorySegment bias, long biasOff, MemorySegment cPrev, long cPrevOff,
                            MemorySegment c, long cOff, MemorySegment h, long hOff) {
        int H = hidden;
        for (int r = 0; r < rows; r++) {
            long gRow = gOff + (long) r * 4 * H;
            long sRow = (long) r * H;
            for (int j = 0; j < H; j++) {
                float i = sigmoid(ld(gates, gRow + j) + ld(bias, biasOff + j));
                float f = sigmoid(ld(gates, gRow + H + j) + ld(bias, biasOff + H + j));
                float g = tanh(ld(gates, gRow + 2 * H + j) + ld(bias, biasOff + 2 * H + j));
                float o = sigmoid(ld(gates, gRow + 3 * H + j) + ld(bias, biasOff + 3 * H + j));
                float cNew = f * ld(cPrev, cPrevOff + sRow + j) + i * g;
                st(gates, gRow + j, i);
                st(gates, gRow + H + j, f);
                st(gates, gRow + 2 * H + j, g);
                st(gates, gRow + 3 * H + j, o);
                st(c, cOff + sRow + j, cNew);
                st(h, hOff + sRow + j, o * tanh(cNew));
            }
        }
    }

    @Override
    public void lstmBackward(int rows, int hidden, MemorySegment gates, long gOff,
                             MemorySegment c, long cOff, MemorySegment cPrev, long cPrevOff,
                             MemorySegment dOut, long dOutOff, int ldDOut,
                             MemorySegment dh, long dhOff, MemorySegment dc, long dcOff) {
        int H = hidden;
        for (int r = 0; r < rows; r++) {
            long gRow = gOff + (long) r * 4 * H;
            long sRow = (long) r * H;
            for (int j = 0; j < H; j++) {
                float i = ld(gates, gRow + j), f = ld(gates, gRow + H + j);
                float g = ld(gates, gRow + 2 * H + j), o = ld(gates, gRow + 3 * H + j);
                float dhT = ld(dh, dhOff + sRow + j);
                if (dOut != null) dhT += ld(dOut, dOutOff + (long) r * ldDOut + j);
                float tc = tanh(ld(c, cOff + sRow + j));
                float dcT = ld(dc, dcOff + sRow + j) + dhT * o * (1f - tc * tc);
                st(gates, gRow + j, flush(dcT * g * i * (1f - i)));
                st(gates, gRow + H + j, flush(dcT * ld(cPrev, cPrevOff + sRow + j) * f * (1f - f)));
                st(gates, gRow + 2 * H + j, flush(dcT * i * (1f - g * g)));
                st(gates, gRow + 3 * H + j, flush(dhT * tc * o * (1f - o)));
                st(dc, dcOff + sRow + j, flush(dcT * f));
            }
        }
    }

    @Override
    public void gruForward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                           MemorySegment bih, long bihOff, MemorySegment bhh, long bhhOff,
                           MemorySegment hPrev, long hPrevOff, MemorySegment h, long hOff) {
        int H = hidden;
        for (int r = 0; r < rows; r++) {
            long xRow = gxOff + (long) r * 3 * H, hRow = ghOff + (long) r * 3 * H;
            long sRow = (long) r * H;
            for (int j = 0; j < H; j++) {
                float rg = sigmoid(ld(gx, xRow + j) + ld(bih, bihOff + j)
                        + ld(gh, hRow + j) + ld(bhh, bhhOff + j));
                float z = sigmoid(ld(gx, xRow + H + j) + ld(bih, bihOff + H + j)
                        + ld(gh, hRow + H + j) + ld(bhh, bhhOff + H + j));
                float hn = ld(gh, hRow + 2 * H + j) + ld(bhh, bhhOff + 2 * H + j);
                float n = tanh(ld(gx, xRow + 2 * H + j) + ld(bih, bihOff + 2 * H + j) + rg * hn);
                float hp = ld(hPrev, hPrevOff + sRow + j);
                st(gx, xRow + j, rg);
                st(gx, xRow + H + j, z);
                st(gx, xRow + 2 * H + j, n);
                st(gh, hRow + 2 * H + j, hn);
                st(h, hOff + sRow + j, (1f - z) * n + z * hp);
            }
        }
    }

    @Override
    public void gruBackward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                            MemorySegment hPrev, long hPrevOff, MemorySegment dOut, long dOutOff, int ldDOut,
                            MemorySegment dh, long dhOff) {
        int H = hidden;
        for (int r = 0; r < rows; r++) {
            long xRow = gxOff + (long) r * 3 * H, hRow = ghOff + (long) r * 3 * H;
            long sRow = (long) r * H;
            for (int j = 0; j < H; j++) {
                float rg = ld(gx, xRow + j), z = ld(gx, xRow + H + j), n = ld(gx, xRow + 2 * H + j);
                float hn = ld(gh, hRow + 2 * H + j);
                float hp = ld(hPrev, hPrevOff + sRow + j);
                float dhT = ld(dh, dhOff + sRow + j);
                if (dOut != null) dhT += ld(dOut, dOutOff + (long) r * ldDOut + j);
                float daN = dhT * (1f - z) * (1f - n * n);
                float daR = daN * hn * rg * (1f - rg);
                float daZ = dhT * (hp - n) * z * (1f - z);
                st(gx, xRow + j, flush(daR));
                st(gx, xRow + H + j, flush(daZ));
                st(gx, xRow + 2 * H + j, flush(daN));
                st(gh, hRow + j, flush(daR));
                st(gh, hRow + H + j, flush(daZ));
                st(gh, hRow + 2 * H + j, flush(daN * rg));
                st(dh, dhOff + sRow + j, flush(dhT * z));
            }
        }
    }

    @Override
    public void addColumnSums(int rows, int cols, MemorySegment src, long srcOff, int ld,
                              MemorySegment dst, long dstOff) {
        for (int j = 0; j < cols; j++) {
            float s = 0f;
            for (int r = 0; r < rows; r++) s += ld(src, srcOff + (long) r * ld + j);
            st(dst, dstOff + j, ld(dst, dstOff + j) + s);
        }
    }

    @Override
    public void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment dst, long dstOff) {
        for (int j = 0; j < n; j++) st(dst, dstOff + j, ld(a, aOff + j) + ld(b, bOff + j));
    }
}
