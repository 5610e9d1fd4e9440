package dev.recur.engine;

import static dev.recur.engine.Simd.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The SIMD twin of {@link ScalarActivations}: full vectors of {@link Simd#F}, then one masked
 * vector for the tail, so every element goes through the same {@link SimdMath} function.
 */
public final class SimdActivations {
    private SimdActivations() {}

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** y[i] = σ(x[i]). */
    public static void sigmoid(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            SimdMath.sigmoid(load(x, xOff + i)).intoMemorySegment(y, (yOff + i) * Float.BYTES, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> tail = F.indexInRange(i, n);
            SimdMath.sigmoid(load(x, xOff + i, tail)).intoMemorySegment(y, (yOff + i) * Float.BYTES, NATIVE, tail);
        }
    }

    /** y[i] = tanh(x[i]). */
    public static void tanh(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            SimdMath.tanh(load(x, xOff + i)).intoMemorySegment(y, (yOff + i) * Float.BYTES, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> tail = F.indexInRange(i, n);
            SimdMath.tanh(load(x, xOff + i, tail)).intoMemorySegment(y, (yOff + i) * Float.BYTES, NATIVE, tail);
        }
    }

    /** y[i] = e^(x[i]). */
    public static void exp(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            SimdMath.exp(load(x, xOff + i)).intoMemorySegment(y, (yOff + i) * Float.BYTES, NATIVE);
        }
        if (i < n) {
            VectorMask<Float> tail = F.indexInRange(i, n);
            SimdMath.exp(load(x, xOff + i, tail)).intoMemorySegment(y, (yOff + i) * Float.BYTES, NATIVE, tail);
        }
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(F, s, index * Float.BYTES, NATIVE);
    }

    private static FloatVector load(MemorySegment s, long index, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(F, s, index * Float.BYTES, NATIVE, m);
    }
}
