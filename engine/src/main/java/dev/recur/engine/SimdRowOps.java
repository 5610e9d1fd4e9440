package dev.recur.engine;

import static dev.recur.engine.FloatMatrix.FLOAT;
import static dev.recur.engine.Simd.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The SIMD twin of {@link ScalarRowOps}. The bias kernels match the twin bit for bit (same adds in
 * the same order); softmax sums its exponentials in float lanes in a fixed order
 * ({@link #sumInOrder}; the twin sums in double). No vector crosses a method call.
 */
public final class SimdRowOps implements RowOpsSupport {
    /** The one instance ({@link Kernels} hands it out; tests hold the twins to each other through it). */
    public static final SimdRowOps INSTANCE = new SimdRowOps();

    private SimdRowOps() {}

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int L = F.length();

    /** m[r][c] += v[c]. */
    @Override
    public void addRowVector(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment v, long vOff) {
        int vecEnd = F.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            long row = mOff + (long) r * ld;
            int c = 0;
            for (; c < vecEnd; c += L) FloatVector.fromMemorySegment(F, m, (row + c) * 4L, NATIVE).add(FloatVector.fromMemorySegment(F, v, (vOff + c) * 4L, NATIVE)).intoMemorySegment(m, (row + c) * 4L, NATIVE);
            for (; c < cols; c++) m.setAtIndex(FLOAT, row + c, m.getAtIndex(FLOAT, row + c) + v.getAtIndex(FLOAT, vOff + c));
        }
    }

    /** acc[c] += Σ_r m[r][c]: four column vectors held in registers while walking down the rows. */
    @Override
    public void addColumnSums(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment acc, long accOff) {
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            FloatVector s0 = FloatVector.fromMemorySegment(F, acc, (accOff + c) * 4L, NATIVE), s1 = FloatVector.fromMemorySegment(F, acc, (accOff + c + L) * 4L, NATIVE);
            FloatVector s2 = FloatVector.fromMemorySegment(F, acc, (accOff + c + 2 * L) * 4L, NATIVE), s3 = FloatVector.fromMemorySegment(F, acc, (accOff + c + 3 * L) * 4L, NATIVE);
            for (int r = 0; r < rows; r++) {
                long at = mOff + (long) r * ld + c;
                s0 = s0.add(FloatVector.fromMemorySegment(F, m, (at) * 4L, NATIVE));
                s1 = s1.add(FloatVector.fromMemorySegment(F, m, (at + L) * 4L, NATIVE));
                s2 = s2.add(FloatVector.fromMemorySegment(F, m, (at + 2 * L) * 4L, NATIVE));
                s3 = s3.add(FloatVector.fromMemorySegment(F, m, (at + 3 * L) * 4L, NATIVE));
            }
            s0.intoMemorySegment(acc, (accOff + c) * 4L, NATIVE);
            s1.intoMemorySegment(acc, (accOff + c + L) * 4L, NATIVE);
            s2.intoMemorySegment(acc, (accOff + c + 2 * L) * 4L, NATIVE);
            s3.intoMemorySegment(acc, (accOff + c + 3 * L) * 4L, NATIVE);
        }
        for (; c + L <= cols; c += L) {
            FloatVector s = FloatVector.fromMemorySegment(F, acc, (accOff + c) * 4L, NATIVE);
            for (int r = 0; r < rows; r++) s = s.add(FloatVector.fromMemorySegment(F, m, (mOff + (long) r * ld + c) * 4L, NATIVE));
            s.intoMemorySegment(acc, (accOff + c) * 4L, NATIVE);
        }
        if (c < cols) {
            ScalarRowOps.INSTANCE.addColumnSums(m, mOff + c, rows, cols - c, ld, acc, accOff + c);
        }
    }

    /**
     * The twin's running maximum with its first arg-max, a vector of columns at a time held in
     * registers down all rows (4 vectors, then 1, then the twin on the last columns): take row r
     * where {@code v > best} or v is a NaN and best is not — the twin's test, lane by lane, so the
     * same bits and indices.
     */
    @Override
    public void maxOverRows(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment max, long maxOff,
                            int[] argmax, int argOff) {
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            long at0 = (mOff + c) * 4L;
            FloatVector b0 = FloatVector.fromMemorySegment(F, m, at0, NATIVE), b1 = FloatVector.fromMemorySegment(F, m, at0 + 4L * L, NATIVE);
            FloatVector b2 = FloatVector.fromMemorySegment(F, m, at0 + 8L * L, NATIVE), b3 = FloatVector.fromMemorySegment(F, m, at0 + 12L * L, NATIVE);
            IntVector a0 = IntVector.zero(Simd.I), a1 = a0, a2 = a0, a3 = a0;
            for (int r = 1; r < rows; r++) {
                long at = (mOff + (long) r * ld + c) * 4L;
                FloatVector v0 = FloatVector.fromMemorySegment(F, m, at, NATIVE), v1 = FloatVector.fromMemorySegment(F, m, at + 4L * L, NATIVE);
                FloatVector v2 = FloatVector.fromMemorySegment(F, m, at + 8L * L, NATIVE), v3 = FloatVector.fromMemorySegment(F, m, at + 12L * L, NATIVE);
                VectorMask<Float> t0 = v0.compare(VectorOperators.GT, b0).or(v0.test(VectorOperators.IS_NAN).andNot(b0.test(VectorOperators.IS_NAN)));
                VectorMask<Float> t1 = v1.compare(VectorOperators.GT, b1).or(v1.test(VectorOperators.IS_NAN).andNot(b1.test(VectorOperators.IS_NAN)));
                VectorMask<Float> t2 = v2.compare(VectorOperators.GT, b2).or(v2.test(VectorOperators.IS_NAN).andNot(b2.test(VectorOperators.IS_NAN)));
                VectorMask<Float> t3 = v3.compare(VectorOperators.GT, b3).or(v3.test(VectorOperators.IS_NAN).andNot(b3.test(VectorOperators.IS_NAN)));
                b0 = b0.blend(v0, t0);
                b1 = b1.blend(v1, t1);
                b2 = b2.blend(v2, t2);
                b3 = b3.blend(v3, t3);
                a0 = a0.blend(r, t0.cast(Simd.I));
                a1 = a1.blend(r, t1.cast(Simd.I));
                a2 = a2.blend(r, t2.cast(Simd.I));
                a3 = a3.blend(r, t3.cast(Simd.I));
            }
            long o = (maxOff + c) * 4L;
            b0.intoMemorySegment(max, o, NATIVE);
            b1.intoMemorySegment(max, o + 4L * L, NATIVE);
            b2.intoMemorySegment(max, o + 8L * L, NATIVE);
            b3.intoMemorySegment(max, o + 12L * L, NATIVE);
            a0.intoArray(argmax, argOff + c);
            a1.intoArray(argmax, argOff + c + L);
            a2.intoArray(argmax, argOff + c + 2 * L);
            a3.intoArray(argmax, argOff + c + 3 * L);
        }
        for (; c + L <= cols; c += L) {
            FloatVector b = FloatVector.fromMemorySegment(F, m, (mOff + c) * 4L, NATIVE);
            IntVector a = IntVector.zero(Simd.I);
            for (int r = 1; r < rows; r++) {
                FloatVector v = FloatVector.fromMemorySegment(F, m, (mOff + (long) r * ld + c) * 4L, NATIVE);
                VectorMask<Float> t = v.compare(VectorOperators.GT, b).or(v.test(VectorOperators.IS_NAN).andNot(b.test(VectorOperators.IS_NAN)));
                b = b.blend(v, t);
                a = a.blend(r, t.cast(Simd.I));
            }
            b.intoMemorySegment(max, (maxOff + c) * 4L, NATIVE);
            a.intoArray(argmax, argOff + c);
        }
        if (c < cols) {
            ScalarRowOps.INSTANCE.maxOverRows(m, mOff + c, rows, cols - c, ld, max, maxOff + c, argmax, argOff + c);
        }
    }

    /**
     * y[r] = e^(x[r] − max) / Σ e^(x[r] − max): y ← x − max, y ← e^y ({@link SimdActivations#expRows},
     * arithmetic), the sum in {@link #sumInOrder}'s fixed order, then y ← y / sum.
     */
    @Override
    public void softmaxRows(MemorySegment x, long xOff, int ldx, int rows, int cols,
                                   MemorySegment y, long yOff, int ldy) {
        float[] lanes = LANES.get();
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * ldx, yr = yOff + (long) r * ldy;
            float max = rowMax(x, xr, cols, lanes);
            subtract(x, xr, cols, max, y, yr);
            SimdActivations.INSTANCE.expRows(1, cols, y, yr, cols, y, yr, cols);
            divide(y, yr, cols, sumInOrder(y, yr, cols, lanes));
        }
    }

    /**
     * y[r] = (x[r] − max) − log Σ e^(x[r] − max): y ← x − max, the exponentials into a per-thread
     * scratch row, their sum in {@link #sumInOrder}'s order, then y ← y − log(sum).
     */
    @Override
    public void logSoftmaxRows(MemorySegment x, long xOff, int ldx, int rows, int cols,
                                      MemorySegment y, long yOff, int ldy) {
        float[] lanes = LANES.get();
        MemorySegment e = scratch(cols);
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * ldx, yr = yOff + (long) r * ldy;
            float max = rowMax(x, xr, cols, lanes);
            subtract(x, xr, cols, max, y, yr);
            SimdActivations.INSTANCE.expRows(1, cols, y, yr, cols, e, 0, cols);
            subtract(y, yr, cols, (float) Math.log(sumInOrder(e, 0, cols, lanes)), y, yr);
        }
    }

    private static final ThreadLocal<float[]> LANES = SimdVectorOps.LANES;
    /** A per-thread scratch row (grown, never shrunk). */
    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    private static MemorySegment scratch(int floats) {
        MemorySegment[] box = SCRATCH.get();
        if (box[0] == null || box[0].byteSize() < (long) floats * 4) {
            box[0] = java.lang.foreign.Arena.ofAuto().allocate(Math.max(floats, 1024) * 4L, 64);
        }
        return box[0];
    }

    /** max over x[0..cols): lane-wise max over the vectors, then the lanes in order (Math.max). */
    private static float rowMax(MemorySegment x, long xr, int cols, float[] lanes) {
        int upper = F.loopBound(cols);
        VectorMask<Float> all = F.maskAll(true), tail = F.indexInRange(upper, cols);
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int c = 0; c < cols; c += L) {
            VectorMask<Float> m = c < upper ? all : tail;
            acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromMemorySegment(F, x, (xr + c) * 4L, NATIVE, m), m);
        }
        acc.intoArray(lanes, 0);
        float max = Float.NEGATIVE_INFINITY;
        for (int l = 0; l < L; l++) max = Math.max(max, lanes[l]);
        return max;
    }

    /**
     * Σ x[0..n) in one fixed order, the same in every JIT tier and for any caller: lane l of one
     * vector accumulator adds elements l, l + L, l + 2L, … in turn (L = {@link Simd#LANES}; the tail
     * lanes add +0), then the L lanes are added in order 0 … L−1. (reduceLanes(ADD) sums the lanes
     * in one order in C2 and another in the interpreter.)
     */
    static float sumInOrder(MemorySegment x, long off, int n, float[] lanes) {
        int upper = F.loopBound(n);
        VectorMask<Float> all = F.maskAll(true), tail = F.indexInRange(upper, n);
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < n; c += L) {
            VectorMask<Float> m = c < upper ? all : tail;
            acc = acc.add(FloatVector.fromMemorySegment(F, x, (off + c) * 4L, NATIVE, m));
        }
        acc.intoArray(lanes, 0);
        float sum = 0f;
        for (int l = 0; l < L; l++) sum += lanes[l];
        return sum;
    }

    /** y[c] = x[c] − v (y may be x). */
    private static void subtract(MemorySegment x, long xr, int cols, float v, MemorySegment y, long yr) {
        int upper = F.loopBound(cols);
        VectorMask<Float> all = F.maskAll(true), tail = F.indexInRange(upper, cols);
        FloatVector vv = FloatVector.broadcast(F, v);
        for (int c = 0; c < cols; c += L) {
            VectorMask<Float> m = c < upper ? all : tail;
            FloatVector.fromMemorySegment(F, x, (xr + c) * 4L, NATIVE, m).sub(vv)
                    .intoMemorySegment(y, (yr + c) * 4L, NATIVE, m);
        }
    }

    /** y[c] = y[c] / v. */
    private static void divide(MemorySegment y, long yr, int cols, float v) {
        int upper = F.loopBound(cols);
        VectorMask<Float> all = F.maskAll(true), tail = F.indexInRange(upper, cols);
        FloatVector vv = FloatVector.broadcast(F, v);
        for (int c = 0; c < cols; c += L) {
            VectorMask<Float> m = c < upper ? all : tail;
            FloatVector.fromMemorySegment(F, y, (yr + c) * 4L, NATIVE, m).div(vv)
                    .intoMemorySegment(y, (yr + c) * 4L, NATIVE, m);
        }
    }

    /** Tile edge of {@link #addTransposed}: a 32 × 32 float tile of src and of dst stays in L1. */
    private static final int T_TILE = 32;

    /**
     * dst[c][r] += src[r][c], tile by tile so both src rows and dst rows are read in cache lines
     * (the twin's column walk misses the cache on every element of large matrices). Each element
     * gets the twin's one add: same bits.
     */
    @Override
    public void addTransposed(MemorySegment src, long srcOff, int rows, int cols, int ldSrc,
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



}
