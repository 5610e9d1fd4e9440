package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.MemorySegment;

/**
 * The one place a batch is sorted: the stable permutation that puts a batch's sequences in
 * non-increasing length order, as the recurrent layer requires ({@code pack_padded_sequence} with
 * {@code enforce_sorted=False} does the same inside PyTorch). Position {@code i} of the sorted
 * batch holds the caller's sequence {@link #source(int) source(i)}; models compute in sorted order
 * and give results back in the caller's order with {@link #scatterRows}.
 *
 * <p>Sized once for {@code maxBatch}; {@link #sort} allocates nothing. An already sorted batch
 * (the app's length-bucketed batches) is recognised and costs one pass.
 */
public final class BatchOrder {
    private final int[] order;
    private final int[] sortedLengths;
    private int size;
    private boolean identity = true;

    /** Workspace for batches of up to {@code maxBatch} sequences. */
    public BatchOrder(int maxBatch) {
        order = new int[maxBatch];
        sortedLengths = new int[maxBatch];
    }

    /** Stable sort of the first {@code size} lengths, non-increasing. */
    public void sort(int[] lengths, int size) {
        if (size > order.length) {
            throw new IllegalArgumentException("batch of " + size + " sequences exceeds the workspace of " + order.length);
        }
        this.size = size;
        identity = true;
        for (int i = 0; i < size; i++) {
            // insertion sort: stable, no allocation, one pass when the batch is already sorted
            int len = lengths[i];
            int j = i;
            while (j > 0 && sortedLengths[j - 1] < len) {
                sortedLengths[j] = sortedLengths[j - 1];
                order[j] = order[j - 1];
                j--;
            }
            sortedLengths[j] = len;
            order[j] = i;
            if (j != i) identity = false;
        }
    }

    /** B of the last sort. */
    public int size() { return size; }

    /** The caller's index of the sequence at sorted position {@code i}. */
    public int source(int i) { return order[i]; }

    /**
     * The whole permutation: entry i is {@link #source(int) source(i)} (the first {@link #size()}
     * entries are valid). The array is the workspace itself: read it, do not change it.
     */
    public int[] sources() { return order; }

    /** Lengths in sorted order (non-increasing; the first {@link #size()} entries are valid). */
    public int[] sortedLengths() { return sortedLengths; }

    /** True when the batch was already in sorted order. */
    public boolean isIdentity() { return identity; }

    /**
     * Copies time-major rows from sorted to caller order: {@code dst[t·B + source(i)] = src[t·B + i]}
     * for {@code steps} steps (rows of width src.cols()). With one step this maps per-sequence rows.
     */
    public void scatterRows(FloatMatrix src, FloatMatrix dst, int steps) {
        int b = size;
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < b; i++) copyRow(src, t * b + i, dst, t * b + order[i]);
        }
    }

    /**
     * Copies recurrent-state rows ({@code blocks} blocks of B rows, layout {@code (l·D + d)·B + b})
     * between caller order and sorted order: {@code toSorted} reads caller order and writes sorted.
     */
    public void permuteStateRows(FloatMatrix src, FloatMatrix dst, int blocks, boolean toSorted) {
        int b = size;
        for (int k = 0; k < blocks; k++) {
            for (int i = 0; i < b; i++) {
                int sorted = k * b + i, caller = k * b + order[i];
                if (toSorted) copyRow(src, caller, dst, sorted);
                else copyRow(src, sorted, dst, caller);
            }
        }
    }

    /** Copies row {@code from} of {@code src} to row {@code to} of {@code dst} (same width). */
    public static void copyRow(FloatMatrix src, int from, FloatMatrix dst, int to) {
        MemorySegment.copy(src.segment(), src.index(from, 0) * Float.BYTES,
                dst.segment(), dst.index(to, 0) * Float.BYTES, (long) src.cols() * Float.BYTES);
    }
}
