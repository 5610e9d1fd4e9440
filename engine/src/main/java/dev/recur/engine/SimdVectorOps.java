package dev.recur.engine;

import static dev.recur.engine.FloatMatrix.FLOAT;
import static dev.recur.engine.Simd.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The SIMD twin of {@link ScalarVectorOps}: full vectors of {@link Simd#F}, then a scalar tail
 * doing the same float operation (so element-wise results match the twin bit for bit).
 */
public final class SimdVectorOps {
    private SimdVectorOps() {}

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int L = F.length();

    /** x[i] = v. */
    public static void fill(float v, MemorySegment x, long off, int n) {
        FloatVector vv = FloatVector.broadcast(F, v);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) vv.intoMemorySegment(x, (off + i) * 4L, NATIVE);
        for (; i < n; i++) x.setAtIndex(FLOAT, off + i, v);
    }

    /** x[i] = a·x[i]. */
    public static void scale(float a, MemorySegment x, long off, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) FloatVector.fromMemorySegment(F, x, (off + i) * 4L, NATIVE).mul(a).intoMemorySegment(x, (off + i) * 4L, NATIVE);
        for (; i < n; i++) x.setAtIndex(FLOAT, off + i, a * x.getAtIndex(FLOAT, off + i));
    }

    /** y[i] = fma(a, x[i], y[i]). */
    public static void axpy(float a, MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromMemorySegment(F, x, (xOff + i) * 4L, NATIVE).fma(av, FloatVector.fromMemorySegment(F, y, (yOff + i) * 4L, NATIVE)).intoMemorySegment(y, (yOff + i) * 4L, NATIVE);
        }
        for (; i < n; i++) {
            y.setAtIndex(FLOAT, yOff + i, Math.fma(a, x.getAtIndex(FLOAT, xOff + i), y.getAtIndex(FLOAT, yOff + i)));
        }
    }

    /** x[i] = min(max(x[i], lo), hi). */
    public static void clamp(float lo, float hi, MemorySegment x, long off, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromMemorySegment(F, x, (off + i) * 4L, NATIVE).lanewise(VectorOperators.MAX, lo).lanewise(VectorOperators.MIN, hi).intoMemorySegment(x, (off + i) * 4L, NATIVE);
        }
        for (; i < n; i++) x.setAtIndex(FLOAT, off + i, Math.min(Math.max(x.getAtIndex(FLOAT, off + i), lo), hi));
    }

    /** out[i] = a[i]·b[i]. */
    public static void mul(MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) FloatVector.fromMemorySegment(F, a, (aOff + i) * 4L, NATIVE).mul(FloatVector.fromMemorySegment(F, b, (bOff + i) * 4L, NATIVE)).intoMemorySegment(out, (outOff + i) * 4L, NATIVE);
        for (; i < n; i++) {
            out.setAtIndex(FLOAT, outOff + i, a.getAtIndex(FLOAT, aOff + i) * b.getAtIndex(FLOAT, bOff + i));
        }
    }

    /**
     * Σ x[i]², in the scalar twin's fixed order. reduceLanes(ADD) sums the lanes in one order in
     * C2's intrinsic and in another in the interpreter's fallback, so the same gradients gave a
     * global norm differing in the last bits depending on JIT timing (a resume test saw it). The
     * norm is one pass per training step (estimated 1–2 ms of a ~140 ms LSTM step; not re-measured),
     * so the order that is the same in every tier wins.
     */
    public static double sumOfSquares(MemorySegment x, long off, int n) {
        return ScalarVectorOps.sumOfSquares(x, off, n);
    }

    /** x[i] = 0 where |x[i]| < MIN_NORMAL: one abs, one compare, one blend per vector. */
    public static void flushSubnormals(MemorySegment x, long off, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(F), minNormal = FloatVector.broadcast(F, Float.MIN_NORMAL);
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, (off + i) * 4L, NATIVE);
            v.blend(zero, v.abs().compare(VectorOperators.LT, minNormal)).intoMemorySegment(x, (off + i) * 4L, NATIVE);
        }
        if (i < n) ScalarVectorOps.flushSubnormals(x, off + i, n - i);
    }

    /** One vector of lanes per thread, for reductions finished in a fixed scalar order (no reduceLanes). */
    static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    /** max |x[i]| (NaN wins, as {@link Math#max}): lane-wise max, then the lanes in order. */
    public static float maxAbs(MemorySegment x, long off, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) acc = acc.max(FloatVector.fromMemorySegment(F, x, (off + i) * 4L, NATIVE).abs());
        float[] lanes = LANES.get();
        acc.intoArray(lanes, 0);
        float max = 0f;
        for (float lane : lanes) max = Math.max(max, lane);
        for (; i < n; i++) max = Math.max(max, Math.abs(x.getAtIndex(FLOAT, off + i)));
        return max;
    }


}
