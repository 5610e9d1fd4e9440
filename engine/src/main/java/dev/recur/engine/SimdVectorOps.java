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
        for (int end = F.loopBound(n); i < end; i += L) store(vv, x, off + i);
        for (; i < n; i++) x.setAtIndex(FLOAT, off + i, v);
    }

    /** x[i] = a·x[i]. */
    public static void scale(float a, MemorySegment x, long off, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) store(load(x, off + i).mul(a), x, off + i);
        for (; i < n; i++) x.setAtIndex(FLOAT, off + i, a * x.getAtIndex(FLOAT, off + i));
    }

    /** y[i] = fma(a, x[i], y[i]). */
    public static void axpy(float a, MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            store(load(x, xOff + i).fma(av, load(y, yOff + i)), y, yOff + i);
        }
        for (; i < n; i++) {
            y.setAtIndex(FLOAT, yOff + i, Math.fma(a, x.getAtIndex(FLOAT, xOff + i), y.getAtIndex(FLOAT, yOff + i)));
        }
    }

    /** x[i] = min(max(x[i], lo), hi). */
    public static void clamp(float lo, float hi, MemorySegment x, long off, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            store(load(x, off + i).lanewise(VectorOperators.MAX, lo).lanewise(VectorOperators.MIN, hi), x, off + i);
        }
        for (; i < n; i++) x.setAtIndex(FLOAT, off + i, Math.min(Math.max(x.getAtIndex(FLOAT, off + i), lo), hi));
    }

    /** out[i] = a[i]·b[i]. */
    public static void mul(MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) store(load(a, aOff + i).mul(load(b, bOff + i)), out, outOff + i);
        for (; i < n; i++) {
            out.setAtIndex(FLOAT, outOff + i, a.getAtIndex(FLOAT, aOff + i) * b.getAtIndex(FLOAT, bOff + i));
        }
    }

    /** Floats per block of {@link #sumOfSquares}: each lane of 4 accumulators sums ≤ 8 squares in float. */
    private static final int BLOCK = 32 * L;

    /**
     * Σ x[i]²: per block of 32 vectors, four float accumulators (fma) are reduced to one float and
     * added to a double; the tail squares are added in double. Float partial sums of ≤ 8·L terms
     * keep the relative error ≲ 1e-6.
     */
    public static double sumOfSquares(MemorySegment x, long off, int n) {
        double sum = 0;
        int i = 0;
        for (int blockEnd = n - n % BLOCK; i < blockEnd; i += BLOCK) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int j = i, end = i + BLOCK; j < end; j += 4 * L) {
                FloatVector v0 = load(x, off + j), v1 = load(x, off + j + L);
                FloatVector v2 = load(x, off + j + 2 * L), v3 = load(x, off + j + 3 * L);
                a0 = v0.fma(v0, a0);
                a1 = v1.fma(v1, a1);
                a2 = v2.fma(v2, a2);
                a3 = v3.fma(v3, a3);
            }
            sum += a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        }
        FloatVector acc = FloatVector.zero(F);
        for (int end = i + F.loopBound(n - i); i < end; i += L) {
            FloatVector v = load(x, off + i);
            acc = v.fma(v, acc);
        }
        sum += acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float v = x.getAtIndex(FLOAT, off + i);
            sum += v * v;
        }
        return sum;
    }

    /** x[i] = 0 where |x[i]| < MIN_NORMAL ({@link SimdMath#flushTiny}). */
    public static void flushSubnormals(MemorySegment x, long off, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) store(SimdMath.flushTiny(load(x, off + i)), x, off + i);
        if (i < n) ScalarVectorOps.flushSubnormals(x, off + i, n - i);
    }

    /** max |x[i]| (NaN wins, as {@link Math#max}). */
    public static float maxAbs(MemorySegment x, long off, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) acc = acc.max(load(x, off + i).abs());
        float max = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) max = Math.max(max, Math.abs(x.getAtIndex(FLOAT, off + i)));
        return max;
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(F, s, index * Float.BYTES, NATIVE);
    }

    private static void store(FloatVector v, MemorySegment s, long index) {
        v.intoMemorySegment(s, index * Float.BYTES, NATIVE);
    }
}
