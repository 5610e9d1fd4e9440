package dev.recur.engine;

import static dev.recur.engine.FloatMatrix.FLOAT;
import static dev.recur.engine.Simd.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The SIMD twin of {@link ScalarRowOps}. The bias kernels match the twin bit for bit (same adds in
 * the same order); softmax sums its exponentials in float lanes (the twin sums in double).
 */
public final class SimdRowOps {
    private SimdRowOps() {}

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int L = F.length();

    /** m[r][c] += v[c]. */
    public static void addRowVector(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment v, long vOff) {
        int vecEnd = F.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            long row = mOff + (long) r * ld;
            int c = 0;
            for (; c < vecEnd; c += L) store(load(m, row + c).add(load(v, vOff + c)), m, row + c);
            for (; c < cols; c++) m.setAtIndex(FLOAT, row + c, m.getAtIndex(FLOAT, row + c) + v.getAtIndex(FLOAT, vOff + c));
        }
    }

    /** acc[c] += Σ_r m[r][c]: four column vectors held in registers while walking down the rows. */
    public static void addColumnSums(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment acc, long accOff) {
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            FloatVector s0 = load(acc, accOff + c), s1 = load(acc, accOff + c + L);
            FloatVector s2 = load(acc, accOff + c + 2 * L), s3 = load(acc, accOff + c + 3 * L);
            for (int r = 0; r < rows; r++) {
                long at = mOff + (long) r * ld + c;
                s0 = s0.add(load(m, at));
                s1 = s1.add(load(m, at + L));
                s2 = s2.add(load(m, at + 2 * L));
                s3 = s3.add(load(m, at + 3 * L));
            }
            store(s0, acc, accOff + c);
            store(s1, acc, accOff + c + L);
            store(s2, acc, accOff + c + 2 * L);
            store(s3, acc, accOff + c + 3 * L);
        }
        for (; c + L <= cols; c += L) {
            FloatVector s = load(acc, accOff + c);
            for (int r = 0; r < rows; r++) s = s.add(load(m, mOff + (long) r * ld + c));
            store(s, acc, accOff + c);
        }
        if (c < cols) {
            ScalarRowOps.addColumnSums(m, mOff + c, rows, cols - c, ld, acc, accOff + c);
        }
    }

    /** y[r] = e^(x[r] − max) / Σ e^(x[r] − max). */
    public static void softmaxRows(MemorySegment x, long xOff, int ldx, int rows, int cols,
                                   MemorySegment y, long yOff, int ldy) {
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * ldx, yr = yOff + (long) r * ldy;
            float max = rowMax(x, xr, cols);
            float sum = expSum(x, xr, cols, max, y, yr);
            FloatVector s = FloatVector.broadcast(F, sum);
            int c = 0;
            for (int end = F.loopBound(cols); c < end; c += L) store(load(y, yr + c).div(s), y, yr + c);
            if (c < cols) {
                VectorMask<Float> tail = F.indexInRange(c, cols);
                load(y, yr + c, tail).div(s).intoMemorySegment(y, (yr + c) * Float.BYTES, NATIVE, tail);
            }
        }
    }

    /** y[r] = (x[r] − max) − log Σ e^(x[r] − max). */
    public static void logSoftmaxRows(MemorySegment x, long xOff, int ldx, int rows, int cols,
                                      MemorySegment y, long yOff, int ldy) {
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * ldx, yr = yOff + (long) r * ldy;
            float max = rowMax(x, xr, cols);
            float sum = expSum(x, xr, cols, max, null, 0);
            float logSum = (float) Math.log(sum);
            int c = 0;
            for (int end = F.loopBound(cols); c < end; c += L) store(load(x, xr + c).sub(max).sub(logSum), y, yr + c);
            if (c < cols) {
                VectorMask<Float> tail = F.indexInRange(c, cols);
                load(x, xr + c, tail).sub(max).sub(logSum).intoMemorySegment(y, (yr + c) * Float.BYTES, NATIVE, tail);
            }
        }
    }

    private static float rowMax(MemorySegment x, long xr, int cols) {
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int c = 0;
        for (int end = F.loopBound(cols); c < end; c += L) acc = acc.max(load(x, xr + c));
        if (c < cols) {
            VectorMask<Float> tail = F.indexInRange(c, cols);
            acc = acc.lanewise(VectorOperators.MAX, load(x, xr + c, tail), tail);
        }
        return acc.reduceLanes(VectorOperators.MAX);
    }

    /** Σ_c e^(x[c] − max); also stores each e^(x[c] − max) in y when y is not null. */
    private static float expSum(MemorySegment x, long xr, int cols, float max, MemorySegment y, long yr) {
        FloatVector sum = FloatVector.zero(F);
        int c = 0;
        for (int end = F.loopBound(cols); c < end; c += L) {
            FloatVector e = SimdMath.exp(load(x, xr + c).sub(max));
            if (y != null) store(e, y, yr + c);
            sum = sum.add(e);
        }
        if (c < cols) {
            VectorMask<Float> tail = F.indexInRange(c, cols);
            FloatVector e = SimdMath.exp(load(x, xr + c, tail).sub(max));
            if (y != null) e.intoMemorySegment(y, (yr + c) * Float.BYTES, NATIVE, tail);
            sum = sum.add(e, tail);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    /** Tile edge of {@link #addTransposed}: a 32 × 32 float tile of src and of dst stays in L1. */
    private static final int T_TILE = 32;

    /**
     * dst[c][r] += src[r][c], tile by tile so both src rows and dst rows are read in cache lines
     * (the twin's column walk misses the cache on every element of large matrices). Each element
     * gets the twin's one add: same bits.
     */
    public static void addTransposed(MemorySegment src, long srcOff, int rows, int cols, int ldSrc,
                                     MemorySegment dst, long dstOff, int ldDst) {
        for (int r0 = 0; r0 < rows; r0 += T_TILE) {
            int r1 = Math.min(rows, r0 + T_TILE);
            for (int c0 = 0; c0 < cols; c0 += T_TILE) {
                int c1 = Math.min(cols, c0 + T_TILE);
                for (int c = c0; c < c1; c++) {
                    long d = dstOff + (long) c * ldDst;
                    for (int r = r0; r < r1; r++) {
                        dst.setAtIndex(FLOAT, d + r, dst.getAtIndex(FLOAT, d + r)
                                + src.getAtIndex(FLOAT, srcOff + (long) r * ldSrc + c));
                    }
                }
            }
        }
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(F, s, index * Float.BYTES, NATIVE);
    }

    private static FloatVector load(MemorySegment s, long index, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(F, s, index * Float.BYTES, NATIVE, m);
    }

    private static void store(FloatVector v, MemorySegment s, long index) {
        v.intoMemorySegment(s, index * Float.BYTES, NATIVE);
    }
}
