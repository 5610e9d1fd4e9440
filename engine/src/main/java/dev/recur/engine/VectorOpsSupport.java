package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * One kernel family: the element-wise kernels and reductions behind {@link VectorOps}, with a Vector API implementation ({@link SimdVectorOps}) and a plain-loop scalar twin
 * ({@link ScalarVectorOps}); {@link Kernels} picks one once. Arguments are checked by the facade, not here.
 */
interface VectorOpsSupport {
    void fill(float v, MemorySegment x, long off, int n);

    void scale(float a, MemorySegment x, long off, int n);

    void axpy(float a, MemorySegment x, long xOff, MemorySegment y, long yOff, int n);

    void clamp(float lo, float hi, MemorySegment x, long off, int n);

    void mul(MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff, int n);

    double sumOfSquares(MemorySegment x, long off, int n);

    void flushSubnormals(MemorySegment x, long off, int n);

    float maxAbs(MemorySegment x, long off, int n);
}
