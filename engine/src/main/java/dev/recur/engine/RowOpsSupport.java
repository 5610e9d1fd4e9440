package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * One kernel family: the row-wise kernels behind {@link RowOps}, with a Vector API implementation ({@link SimdRowOps}) and a plain-loop scalar twin
 * ({@link ScalarRowOps}); {@link Kernels} picks one once. Arguments are checked by the facade, not here.
 */
interface RowOpsSupport {
    void addRowVector(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment v, long vOff);

    void addColumnSums(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment acc, long accOff);

    void softmaxRows(MemorySegment x, long xOff, int ldx, int rows, int cols, MemorySegment y, long yOff, int ldy);

    void logSoftmaxRows(MemorySegment x, long xOff, int ldx, int rows, int cols, MemorySegment y, long yOff, int ldy);

    void addTransposed(MemorySegment src, long srcOff, int rows, int cols, int ldSrc, MemorySegment dst, long dstOff, int ldDst);

    void maxOverRows(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment max, long maxOff,
                     int[] argmax, int argOff);
}
