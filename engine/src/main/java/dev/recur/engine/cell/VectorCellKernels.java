package dev.recur.engine.cell;

import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.TANH;

import dev.recur.engine.Simd;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link CellKernels}: each row's H columns in vectors of {@link Simd#LANES} floats,
 * the last partial vector under a mask, so any H and any lane count work. Same maths as
 * {@link ScalarCellKernels}; activations are the JDK's lane-wise TANH and EXP. Each kernel is a
 * row loop over a small per-vector body, small enough for C2 to keep the vectors in registers.
 * Loaded only by {@link CellKernelsProvider} after the Vector API check.
 */
final class VectorCellKernels implements CellKernels {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.LANES;
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    VectorCellKernels() {}

    private static FloatVector load(MemorySegment s, long floatIndex, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, floatIndex * 4L, NO, m);
    }

    private static void store(FloatVector v, MemorySegment s, long floatIndex, VectorMask<Float> m) {
        v.intoMemorySegment(s, floatIndex * 4L, NO, m);
    }

    /** σ(x) = 1 / (1 + e^−x). */
    private static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(x.neg().lanewise(EXP).add(1f));
    }

    /** Zero where |x| < {@link #FLUSH_THRESHOLD}: keeps gradients out of the subnormal range. */
    private static FloatVector flush(FloatVector x) {
        return x.blend(0f, x.abs().lt(FLUSH_THRESHOLD));
    }

    private static VectorMask<Float> mask(int j, int hidden) {
        return j + L <= hidden ? S.maskAll(true) : S.indexInRange(j, hidden);
    }

    // ---------------------------------------------------------------- RNN

    @Override
    public void rnnForward(int rows, int hidden, boolean relu, MemorySegment a, long aOff,
                           MemorySegment bias, long biasOff, MemorySegment h, long hOff) {
        for (int r = 0; r < rows; r++) {
            long row = (long) r * hidden;
            for (int j = 0; j < hidden; j += L) {
                VectorMask<Float> m = mask(j, hidden);
                FloatVector pre = load(a, aOff + row + j, m).add(load(bias, biasOff + j, m));
                FloatVector out = relu ? pre.max(0f) : pre.lanewise(TANH);
                store(out, h, hOff + row + j, m);
            }
        }
    }

    @Override
    public void rnnBackward(int rows, int hidden, boolean relu, MemorySegment h, long hOff,
                            MemorySegment dOut, long dOutOff, int ldDOut,
                            MemorySegment dh, long dhOff, MemorySegment da, long daOff) {
        for (int r = 0; r < rows; r++) {
            long row = (long) r * hidden;
            long dRow = dOutOff + (long) r * ldDOut;
            for (int j = 0; j < hidden; j += L) {
                VectorMask<Float> m = mask(j, hidden);
                FloatVector g = load(dh, dhOff + row + j, m);
                if (dOut != null) g = g.add(load(dOut, dRow + j, m));
                FloatVector hv = load(h, hOff + row + j, m);
                FloatVector d = relu ? g.blend(0f, hv.compare(jdk.incubator.vector.VectorOperators.LE, 0f))
                                     : g.mul(hv.mul(hv).neg().add(1f));
                store(flush(d), da, daOff + row + j, m);
            }
        }
    }

    // ---------------------------------------------------------------- LSTM

    @Override
    public void lstmForward(int rows, int hidden, MemorySegment gates, long gOff,
                            MemorySegment bias, long biasOff, MemorySegment cPrev, long cPrevOff,
                            MemorySegment c, long cOff, MemorySegment h, long hOff) {
        for (int r = 0; r < rows; r++) {
            long gRow = gOff + (long) r * 4 * hidden;
            long sRow = (long) r * hidden;
            for (int j = 0; j < hidden; j += L) {
                lstmForwardVector(hidden, j, mask(j, hidden), gates, gRow, bias, biasOff,
                        cPrev, cPrevOff + sRow, c, cOff + sRow, h, hOff + sRow);
            }
        }
    }

    private static void lstmForwardVector(int H, int j, VectorMask<Float> m, MemorySegment gates, long gRow,
                                          MemorySegment bias, long b, MemorySegment cPrev, long cp,
                                          MemorySegment c, long co, MemorySegment h, long ho) {
        FloatVector i = sigmoid(load(gates, gRow + j, m).add(load(bias, b + j, m)));
        FloatVector f = sigmoid(load(gates, gRow + H + j, m).add(load(bias, b + H + j, m)));
        FloatVector g = load(gates, gRow + 2 * H + j, m).add(load(bias, b + 2 * H + j, m)).lanewise(TANH);
        FloatVector o = sigmoid(load(gates, gRow + 3 * H + j, m).add(load(bias, b + 3 * H + j, m)));
        FloatVector cNew = f.mul(load(cPrev, cp + j, m)).add(i.mul(g));
        store(i, gates, gRow + j, m);
        store(f, gates, gRow + H + j, m);
        store(g, gates, gRow + 2 * H + j, m);
        store(o, gates, gRow + 3 * H + j, m);
        store(cNew, c, co + j, m);
        store(o.mul(cNew.lanewise(TANH)), h, ho + j, m);
    }

    @Override
    public void lstmBackward(int rows, int hidden, MemorySegment gates, long gOff,
                             MemorySegment c, long cOff, MemorySegment cPrev, long cPrevOff,
                             MemorySegment dOut, long dOutOff, int ldDOut,
                             MemorySegment dh, long dhOff, MemorySegment dc, long dcOff) {
        for (int r = 0; r < rows; r++) {
            long gRow = gOff + (long) r * 4 * hidden;
            long sRow = (long) r * hidden;
            long dRow = dOutOff + (long) r * ldDOut;
            for (int j = 0; j < hidden; j += L) {
                VectorMask<Float> m = mask(j, hidden);
                FloatVector dhT = load(dh, dhOff + sRow + j, m);
                if (dOut != null) dhT = dhT.add(load(dOut, dRow + j, m));
                lstmBackwardVector(hidden, j, m, gates, gRow, c, cOff + sRow, cPrev, cPrevOff + sRow,
                        dhT, dc, dcOff + sRow);
            }
        }
    }

    private static void lstmBackwardVector(int H, int j, VectorMask<Float> m, MemorySegment gates, long gRow,
                                           MemorySegment c, long co, MemorySegment cPrev, long cp,
                                           FloatVector dhT, MemorySegment dc, long dco) {
        FloatVector i = load(gates, gRow + j, m), f = load(gates, gRow + H + j, m);
        FloatVector g = load(gates, gRow + 2 * H + j, m), o = load(gates, gRow + 3 * H + j, m);
        FloatVector tc = load(c, co + j, m).lanewise(TANH);
        FloatVector dcT = dhT.mul(o).mul(tc.mul(tc).neg().add(1f)).add(load(dc, dco + j, m));
        FloatVector daI = dcT.mul(g).mul(i.mul(i.neg().add(1f)));
        FloatVector daF = dcT.mul(load(cPrev, cp + j, m)).mul(f.mul(f.neg().add(1f)));
        FloatVector daG = dcT.mul(i).mul(g.mul(g).neg().add(1f));
        FloatVector daO = dhT.mul(tc).mul(o.mul(o.neg().add(1f)));
        store(flush(daI), gates, gRow + j, m);
        store(flush(daF), gates, gRow + H + j, m);
        store(flush(daG), gates, gRow + 2 * H + j, m);
        store(flush(daO), gates, gRow + 3 * H + j, m);
        store(flush(dcT.mul(f)), dc, dco + j, m);
    }

    // ---------------------------------------------------------------- GRU

    @Override
    public void gruForward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                           MemorySegment bih, long bihOff, MemorySegment bhh, long bhhOff,
                           MemorySegment hPrev, long hPrevOff, MemorySegment h, long hOff) {
        for (int r = 0; r < rows; r++) {
            long xRow = gxOff + (long) r * 3 * hidden, hRow = ghOff + (long) r * 3 * hidden;
            long sRow = (long) r * hidden;
            for (int j = 0; j < hidden; j += L) {
                gruForwardVector(hidden, j, mask(j, hidden), gx, xRow, gh, hRow, bih, bihOff, bhh, bhhOff,
                        hPrev, hPrevOff + sRow, h, hOff + sRow);
            }
        }
    }

    private static void gruForwardVector(int H, int j, VectorMask<Float> m, MemorySegment gx, long xRow,
                                         MemorySegment gh, long hRow, MemorySegment bih, long bi,
                                         MemorySegment bhh, long bh, MemorySegment hPrev, long hp,
                                         MemorySegment h, long ho) {
        FloatVector r = sigmoid(load(gx, xRow + j, m).add(load(bih, bi + j, m))
                .add(load(gh, hRow + j, m)).add(load(bhh, bh + j, m)));
        FloatVector z = sigmoid(load(gx, xRow + H + j, m).add(load(bih, bi + H + j, m))
                .add(load(gh, hRow + H + j, m)).add(load(bhh, bh + H + j, m)));
        FloatVector hn = load(gh, hRow + 2 * H + j, m).add(load(bhh, bh + 2 * H + j, m));
        FloatVector n = load(gx, xRow + 2 * H + j, m).add(load(bih, bi + 2 * H + j, m))
                .add(r.mul(hn)).lanewise(TANH);
        FloatVector hPrevV = load(hPrev, hp + j, m);
        store(r, gx, xRow + j, m);
        store(z, gx, xRow + H + j, m);
        store(n, gx, xRow + 2 * H + j, m);
        store(hn, gh, hRow + 2 * H + j, m);
        // (1 − z)·n + z·h_prev = n + z·(h_prev − n)
        store(hPrevV.sub(n).mul(z).add(n), h, ho + j, m);
    }

    @Override
    public void gruBackward(int rows, int hidden, MemorySegment gx, long gxOff, MemorySegment gh, long ghOff,
                            MemorySegment hPrev, long hPrevOff, MemorySegment dOut, long dOutOff, int ldDOut,
                            MemorySegment dh, long dhOff) {
        for (int r = 0; r < rows; r++) {
            long xRow = gxOff + (long) r * 3 * hidden, hRow = ghOff + (long) r * 3 * hidden;
            long sRow = (long) r * hidden;
            long dRow = dOutOff + (long) r * ldDOut;
            for (int j = 0; j < hidden; j += L) {
                VectorMask<Float> m = mask(j, hidden);
                FloatVector dhT = load(dh, dhOff + sRow + j, m);
                if (dOut != null) dhT = dhT.add(load(dOut, dRow + j, m));
                gruBackwardVector(hidden, j, m, gx, xRow, gh, hRow, hPrev, hPrevOff + sRow, dhT, dh, dhOff + sRow);
            }
        }
    }

    private static void gruBackwardVector(int H, int j, VectorMask<Float> m, MemorySegment gx, long xRow,
                                          MemorySegment gh, long hRow, MemorySegment hPrev, long hp,
                                          FloatVector dhT, MemorySegment dh, long dho) {
        FloatVector r = load(gx, xRow + j, m), z = load(gx, xRow + H + j, m), n = load(gx, xRow + 2 * H + j, m);
        FloatVector hn = load(gh, hRow + 2 * H + j, m);
        FloatVector oneMinusZ = z.neg().add(1f);
        FloatVector daN = flush(dhT.mul(oneMinusZ).mul(n.mul(n).neg().add(1f)));
        FloatVector daR = flush(daN.mul(hn).mul(r.mul(r.neg().add(1f))));
        FloatVector daZ = flush(dhT.mul(load(hPrev, hp + j, m).sub(n)).mul(z.mul(oneMinusZ)));
        store(daR, gx, xRow + j, m);
        store(daZ, gx, xRow + H + j, m);
        store(daN, gx, xRow + 2 * H + j, m);
        store(daR, gh, hRow + j, m);
        store(daZ, gh, hRow + H + j, m);
        store(flush(daN.mul(r)), gh, hRow + 2 * H + j, m);
        store(flush(dhT.mul(z)), dh, dho + j, m);
    }

    // ---------------------------------------------------------------- helpers

    @Override
    public void addColumnSums(int rows, int cols, MemorySegment src, long srcOff, int ld,
                              MemorySegment dst, long dstOff) {
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> m = mask(j, cols);
            FloatVector s = FloatVector.zero(S);
            for (int r = 0; r < rows; r++) s = s.add(load(src, srcOff + (long) r * ld + j, m));
            store(load(dst, dstOff + j, m).add(s), dst, dstOff + j, m);
        }
    }

    @Override
    public void add(int n, MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment dst, long dstOff) {
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> m = mask(j, n);
            store(load(a, aOff + j, m).add(load(b, bOff + j, m)), dst, dstOff + j, m);
        }
    }
}
