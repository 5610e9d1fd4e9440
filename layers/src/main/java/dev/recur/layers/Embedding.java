package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.VectorOps;
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

    /** Writes row {@code ids[i]} of the table to row i of {@code out} (N×dim), for i < n. */
    public void forward(int[] ids, int n, FloatMatrix out) {
        out.requireShape("Embedding output", n, dim);
        MemorySegment w = weight.value().segment();
        long rowBytes = (long) dim * Float.BYTES;
        for (int i = 0; i < n; i++) {
            int id = ids[i];
            if (id < 0 || id >= num) {
                throw new IllegalArgumentException("token id " + id + " at position " + i + " is outside the vocabulary [0, "
                        + num + "); check the tokenizer's vocabulary size against the model's vocabSize");
            }
            MemorySegment.copy(w, (long) id * rowBytes, out.segment(), out.index(i, 0) * Float.BYTES, rowBytes);
        }
    }

    /**
     * Accumulates {@code grad[ids[i]] += dOut[i]} for i < n, except for the padding row and for
     * negative ids (which mark positions that get no gradient, e.g. padded steps).
     */
    public void backward(int[] ids, int n, FloatMatrix dOut) {
        dOut.requireShape("Embedding output gradient", n, dim);
        FloatMatrix g = weight.grad();
        MemorySegment gs = g.segment(), ds = dOut.segment();
        for (int i = 0; i < n; i++) {
            int id = ids[i];
            if (id < 0 || id == paddingIdx) continue;
            if (!touched[id]) {
                touched[id] = true;
                touchedRows[touchedCount++] = id;
            }
            VectorOps.axpy(1f, ds, dOut.index(i, 0), gs, (long) id * dim, dim);
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
