package dev.recur.layers;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.ParallelTask;
import dev.recur.engine.VectorOps;
import dev.recur.engine.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A lookup table, as {@code torch.nn.Embedding}: weight {@code num × dim} named
 * {@code <prefix>.weight}, initialised N(0, 1) with the padding row zero.
 *
 * <p>The padding index (or −1 for none) is a row that stays zero: it is looked up like any other
 * but receives no gradient, so no optimizer ever moves it (weight decay of a zero row is zero).
 *
 * <p>The gradient is sparse-aware: {@link #backward} records which rows it touched, and
 * {@link #zeroGrad()} clears only those rows (a 20000×128 table is 10 MB; a batch touches a few
 * thousand rows). The optimizers still update the whole table, which is what PyTorch's dense
 * {@code Adam} does (moments of untouched rows keep decaying); see docs/model.md.
 *
 * <p>Large lookups are split over {@link Engine#pool()}: the gather by positions, the gradient's
 * scatter-add by embedding columns (every thread reads all positions in order and adds its columns),
 * so each gradient element still receives its additions in position order: the split changes no bit.
 *
 * <p>Not thread-safe: one caller at a time.
 */
public final class Embedding implements Module {
    private final int num;
    private final int dim;
    private final int paddingIdx;
    private final Parameter weight;
    private final List<Parameter> parameters;
    private final boolean[] touched;
    private final int[] touchedRows;
    private int touchedCount;
    private boolean allDirty = true;
    private final Pass pass = new Pass();

    public Embedding(Arena arena, String prefix, int num, int dim, int paddingIdx, SplittableRandom rng) {
        if (num < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding " + prefix + ": sizes must be ≥ 1, got num=" + num + ", dim=" + dim);
        }
        if (paddingIdx < -1 || paddingIdx >= num) {
            throw new IllegalArgumentException("Embedding " + prefix + ": padding index " + paddingIdx
                    + " is outside [0, " + num + ") (use -1 for none)");
        }
        this.num = num;
        this.dim = dim;
        this.paddingIdx = paddingIdx;
        weight = new Parameter(prefix + ".weight", FloatMatrix.allocate(arena, num, dim), FloatMatrix.allocate(arena, num, dim));
        Init.normal(weight.value(), 1f, rng);
        if (paddingIdx >= 0) weight.value().rowRange(paddingIdx, 1).fill(0f);
        parameters = List.of(weight);
        touched = new boolean[num];
        touchedRows = new int[num];
    }

    public int numEmbeddings() { return num; }

    public int embeddingDim() { return dim; }

    /** The padding row, or −1. */
    public int paddingIdx() { return paddingIdx; }

    public Parameter weight() { return weight; }

    @Override
    public List<Parameter> parameters() { return parameters; }

    /** Rows of the gradient that may be non-zero since the last {@link #zeroGrad()} (ids in order of first touch). */
    public int touchedRowCount() { return allDirty ? num : touchedCount; }

    /** Writes row {@code ids[i]} of the table to row i of {@code out} (N×dim), for i &lt; n. */
    public void forward(int[] ids, int n, FloatMatrix out) {
        out.requireShape("Embedding output", n, dim);
        for (int i = 0; i < n; i++) {
            int id = ids[i];
            if (id < 0 || id >= num) {
                throw new IllegalArgumentException("token id " + id + " at position " + i + " is outside the vocabulary [0, "
                        + num + "); check the tokenizer's vocabulary size against the model's vocabSize");
            }
        }
        pass.run(false, ids, n, out);
    }

    /**
     * Accumulates {@code grad[ids[i]] += dOut[i]} for i &lt; n, except for the padding row and for
     * negative ids (which mark positions that get no gradient, e.g. padded steps).
     */
    public void backward(int[] ids, int n, FloatMatrix dOut) {
        dOut.requireShape("Embedding output gradient", n, dim);
        for (int i = 0; i < n; i++) {
            int id = ids[i];
            if (id < 0 || id == paddingIdx) continue;
            if (!touched[id]) {
                touched[id] = true;
                touchedRows[touchedCount++] = id;
            }
        }
        pass.run(true, ids, n, dOut);
    }

    /**
     * The gather (rows of the table to positions, split by positions) or the scatter-add (positions
     * to gradient rows, split by column blocks of whole cache lines). Reused: no allocation.
     */
    private final class Pass implements ParallelTask {
        /** Fewest floats moved worth a pool dispatch. */
        private static final long MIN_PARALLEL = 1L << 15;
        /** Column blocks of the scatter: 16 floats, one cache line. */
        private static final int COLUMNS = 16;
        private boolean scatter;
        private int[] ids;
        private int n;
        private FloatMatrix rows;

        void run(boolean scatter, int[] ids, int n, FloatMatrix rows) {
            this.scatter = scatter;
            this.ids = ids;
            this.n = n;
            this.rows = rows;
            WorkerPool pool = Engine.pool();
            FloatMatrix table = scatter ? weight.grad() : weight.value();
            int pieces = pool.piecesFor((long) n * dim, MIN_PARALLEL, table.segment(), rows.segment(), null);
            if (scatter) pieces = Math.min(pieces, (dim + COLUMNS - 1) / COLUMNS);
            try {
                if (pieces <= 1) run(0, 1);
                else pool.run(pieces, this);
            } finally {
                this.ids = null;
                this.rows = null;
            }
        }

        @Override
        public void run(int piece, int pieces) {
            if (scatter) {
                int c0 = (int) WorkerPool.bound(dim, piece, pieces, COLUMNS), c1 = (int) WorkerPool.bound(dim, piece + 1, pieces, COLUMNS);
                if (c1 <= c0) return;
                MemorySegment gs = weight.grad().segment(), ds = rows.segment();
                for (int i = 0; i < n; i++) {
                    int id = ids[i];
                    if (id < 0 || id == paddingIdx) continue;
                    VectorOps.axpy(1f, ds, rows.index(i, c0), gs, (long) id * dim + c0, c1 - c0);
                }
            } else {
                int i0 = (int) ((long) n * piece / pieces), i1 = (int) ((long) n * (piece + 1) / pieces);
                MemorySegment w = weight.value().segment(), out = rows.segment();
                long rowBytes = (long) dim * Float.BYTES;
                for (int i = i0; i < i1; i++) {
                    MemorySegment.copy(w, (long) ids[i] * rowBytes, out, rows.index(i, 0) * Float.BYTES, rowBytes);
                }
            }
        }
    }

    /** Clears the gradient: only the rows touched since the last clear (the whole table the first time). */
    @Override
    public void zeroGrad() {
        if (allDirty) {
            weight.grad().fill(0f);
            allDirty = false;
        } else {
            FloatMatrix g = weight.grad();
            if (touchedCount > num / 4) {
                g.fill(0f); // a dense clear (memset) beats many row clears
            } else {
                MemorySegment gs = g.segment();
                for (int k = 0; k < touchedCount; k++) VectorOps.fill(0f, gs, (long) touchedRows[k] * dim, dim);
            }
        }
        for (int k = 0; k < touchedCount; k++) touched[touchedRows[k]] = false;
        touchedCount = 0;
    }

    /** Call after changing the gradient other than through {@link #backward} (e.g. loading), so the next clear is complete. */
    public void markGradDirty() { allDirty = true; }
}
