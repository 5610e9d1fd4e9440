package dev.recur.layers;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.ParallelTask;
import dev.recur.engine.RowOps;
import dev.recur.engine.VectorOps;
import dev.recur.engine.WorkerPool;

/**
 * Pooling head over time-major recurrent outputs {@code h} ({@code T·B × D}, row {@code t·B + b}),
 * with a length per sequence, giving {@code B × D}. See {@link Pooling} for the three kinds; steps
 * at or past a sequence's length are never read and get zero gradient.
 *
 * <p>{@code D = directions · hidden}; for {@link Pooling#LAST} with two directions the backward half
 * comes from step 0. Lengths must be in {@code [1, T]}. Large batches are split over
 * {@link Engine#pool()} by sequences (each sequence's numbers are computed the same way whatever
 * block it is in, so the split changes no bit). Not thread-safe.
 */
public final class SequencePooling implements Module {
    private final Pooling kind;
    private final int hidden;
    private final int directions;
    private final int width;
    private int[] argmax = new int[0];
    private final Pass pass = new Pass();

    public SequencePooling(Pooling kind, int hidden, int directions) {
        if (directions != 1 && directions != 2) throw new IllegalArgumentException("directions must be 1 or 2, got " + directions);
        if (hidden < 1) throw new IllegalArgumentException("hidden size must be ≥ 1, got " + hidden);
        this.kind = kind;
        this.hidden = hidden;
        this.directions = directions;
        this.width = hidden * directions;
    }

    public Pooling kind() { return kind; }

    /** Output width {@code directions · hidden}. */
    public int width() { return width; }

    /** Throws a clear error unless every length is in [1, T]. */
    public static void checkLengths(int[] lengths, int steps, int batch) {
        if (lengths.length < batch) throw new IllegalArgumentException("lengths has " + lengths.length + " entries for a batch of " + batch);
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException("length " + lengths[b] + " of sequence " + b + " is outside [1, " + steps
                        + "] (every sequence needs at least one step and at most T)");
            }
        }
    }

    /** Pools {@code h} (T·B × D) into {@code out} (B × D). */
    public void forward(FloatMatrix h, int[] lengths, int steps, int batch, FloatMatrix out) {
        h.requireShape("pooling input", steps * batch, width);
        out.requireShape("pooling output", batch, width);
        checkLengths(lengths, steps, batch);
        if (kind == Pooling.MAX && argmax.length < batch * width) argmax = new int[batch * width];
        pass.run(false, h, out, lengths, steps, batch);
    }

    private void forwardRows(FloatMatrix h, int[] lengths, int batch, FloatMatrix out, int b0, int b1) {
        switch (kind) {
            case LAST -> {
                for (int b = b0; b < b1; b++) {
                    int fr = (lengths[b] - 1) * batch + b;
                    for (int c = 0; c < hidden; c++) out.set(b, c, h.get(fr, c));
                    for (int c = hidden; c < width; c++) out.set(b, c, h.get(b, c)); // backward half at t = 0
                }
            }
            case MEAN -> {
                // out[b] = (Σ_{t<len} h[t·B+b]) / len, summed in step order
                for (int b = b0; b < b1; b++) {
                    long o = out.index(b, 0);
                    VectorOps.fill(0f, out.segment(), o, width);
                    for (int t = 0; t < lengths[b]; t++) {
                        VectorOps.axpy(1f, h.segment(), h.index(t * batch + b, 0), out.segment(), o, width);
                    }
                    VectorOps.scale(1f / lengths[b], out.segment(), o, width);
                }
            }
            case MAX -> {
                // out[b][c] = max_{t<len} h[t·B+b][c], remembering the first arg-max step (a kernel
                // with a scalar twin: RowOps.maxOverRows, rows t·B + b are B rows apart)
                int ld = Math.multiplyExact(batch, h.ld());
                for (int b = b0; b < b1; b++) {
                    RowOps.maxOverRows(h.segment(), h.index(b, 0), lengths[b], width, ld,
                            out.segment(), out.index(b, 0), argmax, b * width);
                }
            }
        }
    }

    /**
     * Writes the gradient with respect to {@code h} into {@code dH} (T·B × D, fully overwritten:
     * zero where the pooling did not read) from {@code dOut} (B × D), for the last forward's lengths.
     */
    public void backward(FloatMatrix dOut, int[] lengths, int steps, int batch, FloatMatrix dH) {
        dOut.requireShape("pooling output gradient", batch, width);
        dH.requireShape("pooling input gradient", steps * batch, width);
        pass.run(true, dOut, dH, lengths, steps, batch);
    }

    /** dH rows t·B + b of sequences [b0, b1) at every step: zero, then the gradient of what the pooling read. */
    private void backwardRows(FloatMatrix dOut, int[] lengths, int steps, int batch, FloatMatrix dH, int b0, int b1) {
        if (dH.isContiguous()) {
            for (int t = 0; t < steps; t++) VectorOps.fill(0f, dH.segment(), dH.index(t * batch + b0, 0), (b1 - b0) * width);
        } else {
            for (int t = 0; t < steps; t++) dH.rowRange(t * batch + b0, b1 - b0).fill(0f);
        }
        switch (kind) {
            case LAST -> {
                for (int b = b0; b < b1; b++) {
                    int fr = (lengths[b] - 1) * batch + b;
                    for (int c = 0; c < hidden; c++) dH.set(fr, c, dOut.get(b, c));
                    for (int c = hidden; c < width; c++) dH.set(b, c, dOut.get(b, c));
                }
            }
            case MEAN -> {
                // dH[t·B+b] = dOut[b] / len for t < len
                for (int b = b0; b < b1; b++) {
                    float inv = 1f / lengths[b];
                    for (int t = 0; t < lengths[b]; t++) {
                        VectorOps.axpy(inv, dOut.segment(), dOut.index(b, 0), dH.segment(), dH.index(t * batch + b, 0), width);
                    }
                }
            }
            case MAX -> {
                for (int b = b0; b < b1; b++) {
                    for (int c = 0; c < width; c++) dH.set(argmax[b * width + c] * batch + b, c, dOut.get(b, c));
                }
            }
        }
    }

    /** Forward or backward of sequences split into contiguous blocks, one per piece. Reused: no allocation. */
    private final class Pass implements ParallelTask {
        /** Fewest elements of h worth a pool dispatch. */
        private static final long MIN_PARALLEL = 1L << 15;
        private boolean backward;
        private FloatMatrix a, b;
        private int[] lengths;
        private int steps, batch;

        /** Forward: a = h, b = out; backward: a = dOut, b = dH. */
        void run(boolean backward, FloatMatrix a, FloatMatrix b, int[] lengths, int steps, int batch) {
            this.backward = backward;
            this.a = a;
            this.b = b;
            this.lengths = lengths;
            this.steps = steps;
            this.batch = batch;
            WorkerPool pool = Engine.pool();
            int pieces = Math.min(batch, pool.piecesFor((long) steps * batch * width, MIN_PARALLEL, a.segment(), b.segment(), null));
            try {
                if (pieces <= 1) run(0, 1);
                else pool.run(pieces, this);
            } finally {
                this.a = this.b = null;
                this.lengths = null;
            }
        }

        @Override
        public void run(int piece, int pieces) {
            int b0 = (int) ((long) batch * piece / pieces), b1 = (int) ((long) batch * (piece + 1) / pieces);
            if (b1 <= b0) return;
            if (backward) backwardRows(a, lengths, steps, batch, b, b0, b1);
            else forwardRows(a, lengths, batch, b, b0, b1);
        }
    }

    /** No trainable parameters. */
    @Override
    public java.util.List<Parameter> parameters() { return java.util.List.of(); }
}
