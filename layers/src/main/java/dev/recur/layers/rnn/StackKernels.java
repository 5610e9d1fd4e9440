package dev.recur.layers.rnn;

import dev.recur.layers.DropoutHash;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Element-wise loops of the stack that have no engine kernel yet. */
final class StackKernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private StackKernels() {}

    /** dst (cols × rows, row-major) += srcᵀ, src rows × cols. */
    static void addTransposed(MemorySegment src, int rows, int cols, MemorySegment dst) {
        for (int i = 0; i < cols; i++) {
            long d = (long) i * rows;
            for (int j = 0; j < rows; j++) {
                dst.setAtIndex(F, d + j, dst.getAtIndex(F, d + j) + src.getAtIndex(F, (long) j * cols + i));
            }
        }
    }

    /** a[i] *= b[i] for i < n. */
    static void multiplyInPlace(MemorySegment a, MemorySegment b, long n) {
        for (long i = 0; i < n; i++) a.setAtIndex(F, i, a.getAtIndex(F, i) * b.getAtIndex(F, i));
    }

    /**
     * Inverted dropout: mask[i] = (u(first + i) &lt; p ? 0 : 1/(1−p)), dropped[i] = x[i]·mask[i],
     * u from {@link DropoutHash} with this call's key.
     */
    static void dropout(long callKey, long first, float p, MemorySegment x, MemorySegment mask,
                        MemorySegment dropped, long n) {
        float keep = 1f / (1f - p);
        for (long i = 0; i < n; i++) {
            float v = DropoutHash.uniform(callKey, first + i) < p ? 0f : keep;
            mask.setAtIndex(F, i, v);
            dropped.setAtIndex(F, i, x.getAtIndex(F, i) * v);
        }
    }
}
