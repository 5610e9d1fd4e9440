package dev.recur.layers.rnn;

import dev.recur.engine.DropoutMask;
import dev.recur.engine.Engine;
import dev.recur.engine.ParallelTask;
import dev.recur.engine.VectorOps;
import dev.recur.engine.WorkerPool;
import dev.recur.engine.cell.CellKernels;
import java.lang.foreign.MemorySegment;

/**
 * The stack's passes over whole layer buffers that are neither GEMMs nor recurrence — drawing and
 * applying the inter-layer dropout mask, masking its gradient, summing gate gradients into bias
 * gradients — split over {@link Engine#pool()}: element-wise passes into contiguous ranges, column
 * sums into column ranges. An element depends on its own index only (the mask is a hash of seed,
 * call and index) and a column's sum runs down its rows in order whatever range the column is in,
 * so the split changes no bit. One instance per stack, reused: no allocation per call.
 */
final class SplitPasses implements ParallelTask {
    /** Fewest elements worth a pool dispatch. */
    private static final long MIN_PARALLEL = 1L << 16;
    /** Element ranges start at multiples of this many floats (whole vectors, whole cache lines). */
    private static final int ALIGN = 64;
    /**
     * Column ranges of the bias sums start at multiples of this many columns (one cache line): the
     * RNN's 64 gate columns at H 64 split in two, the GRU's 192 evenly (at 64 they stayed on one
     * thread or split 64 : 128).
     */
    private static final int COLUMN_ALIGN = 16;

    private enum Pass { DROPOUT, MULTIPLY, COLUMN_SUMS }

    private final CellKernels kernels = CellKernels.get();
    private Pass pass;
    private long key, first, n;
    private float p;
    private int rows, cols;
    private MemorySegment x, mask, y;

    /**
     * {@code mask[i] = (u(first + i) < p ? 0 : 1/(1−p))}, {@code y[i] = x[i]·mask[i]} for i < n,
     * where first = layer·n: element i of layer l is element l·n + i of the call's stream.
     */
    void dropout(long callKey, int layer, float p, MemorySegment x, MemorySegment mask, MemorySegment y, long n) {
        this.key = callKey;
        this.first = layer * n;
        this.p = p;
        run(Pass.DROPOUT, x, mask, y, n, n);
    }

    /** {@code a[i] *= b[i]} for i < n. */
    void multiply(MemorySegment a, MemorySegment b, long n) {
        run(Pass.MULTIPLY, a, b, null, n, n);
    }

    /** {@code dst[j] += Σ_r src[r·cols + j]} for j < cols, rows summed in order. */
    void addColumnSums(int rows, int cols, MemorySegment src, MemorySegment dst) {
        this.rows = rows;
        this.cols = cols;
        run(Pass.COLUMN_SUMS, src, dst, null, (long) rows * cols, cols);
    }

    private void run(Pass pass, MemorySegment x, MemorySegment mask, MemorySegment y, long work, long extent) {
        this.pass = pass;
        this.x = x;
        this.mask = mask;
        this.y = y;
        this.n = extent;
        WorkerPool pool = Engine.pool();
        int pieces = work >= MIN_PARALLEL && extent >= 2L * align() ? pool.threads() : 1;
        try {
            if (pieces == 1) run(0, 1);
            else pool.run(pieces, this);
        } finally {
            this.x = this.mask = this.y = null;
        }
    }

    private int align() {
        return pass == Pass.COLUMN_SUMS ? COLUMN_ALIGN : ALIGN;
    }

    @Override
    public void run(int piece, int pieces) {
        int align = align();
        long units = (n + align - 1) / align;
        long from = Math.min(n, units * piece / pieces * align);
        long to = Math.min(n, units * (piece + 1) / pieces * align);
        if (to <= from) return;
        switch (pass) {
            case DROPOUT -> DropoutMask.apply(key, first + from, p, x, from, mask, from, y, from, to - from);
            case MULTIPLY -> VectorOps.mulInPlace(x, from, mask, from, to - from);
            case COLUMN_SUMS -> kernels.addColumnSums(rows, (int) (to - from), x, from, cols, mask, from);
        }
    }
}
