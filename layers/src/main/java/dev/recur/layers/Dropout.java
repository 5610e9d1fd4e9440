package dev.recur.layers;

import dev.recur.engine.DropoutMask;
import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.ParallelTask;
import dev.recur.engine.VectorOps;
import dev.recur.engine.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.Arena;

/**
 * Inverted dropout, as {@code torch.nn.Dropout}: in training each element is kept with probability
 * {@code 1 − p} and scaled by {@code 1/(1 − p)}, else set to zero; in evaluation it is the identity.
 *
 * <p>The mask is a pure function of (seed, call number, element index) — {@link DropoutMask} — so the
 * same seed gives the same masks on any number of threads, and the state to save for an exact
 * resume is just {@link #calls()} ({@link #setCalls}). The mask buffer grows to the largest input
 * seen and is then reused. Large inputs are split over {@link Engine#pool()} in contiguous element
 * ranges; an element's mask depends on its index only, so the split changes no bit. Not thread-safe.
 */
public final class Dropout implements Module {
    private final float p;
    private final long seed;
    private final Arena arena;
    private long calls;
    private FloatMatrix mask;
    private boolean lastWasTraining;
    private final Pass pass = new Pass();

    /** {@code p} in [0, 1); the mask memory comes from {@code arena}. */
    public Dropout(Arena arena, float p, long seed) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.arena = arena;
        this.p = p;
        this.seed = seed;
    }

    public float probability() { return p; }

    /** Number of training forward calls so far (the random stream position). */
    public long calls() { return calls; }

    /** Restores the random stream position (for resuming). */
    public void setCalls(long calls) { this.calls = calls; }

    /** {@code out = in ⊙ mask} in training (with p > 0), {@code out = in} otherwise; in and out may be the same matrix. */
    public void forward(FloatMatrix in, FloatMatrix out, boolean training) {
        in.requireSameShape("Dropout output", out);
        lastWasTraining = training && p > 0f;
        if (!lastWasTraining) {
            if (in != out) out.copyFrom(in);
            return;
        }
        if (mask == null || mask.size() < in.size()) mask = FloatMatrix.allocate(arena, 1, Math.toIntExact(in.size()));
        pass.run(true, DropoutMask.callKey(seed, ++calls), in, out);
    }

    /** {@code dIn = dOut ⊙ mask} for the last forward (identity when it was not training); may be in place. */
    public void backward(FloatMatrix dOut, FloatMatrix dIn) {
        dOut.requireSameShape("Dropout input gradient", dIn);
        if (!lastWasTraining) {
            if (dOut != dIn) dIn.copyFrom(dOut);
            return;
        }
        pass.run(false, 0, dOut, dIn);
    }

    /**
     * Forward ({@code y = x ⊙ mask}, drawing the mask) or backward ({@code y = x ⊙ mask}, the mask of
     * the last forward) over the elements of x in row-major order, element e in row e / cols: mask
     * element e is {@code DropoutMask.uniform(key, e) < p ? 0 : 1/(1 − p)}. Reused: no allocation.
     */
    private final class Pass implements ParallelTask {
        private static final long MIN_PARALLEL = 1L << 15;
        private static final int ALIGN = 64;
        private boolean draw;
        private long key;
        private FloatMatrix x, y;

        void run(boolean draw, long key, FloatMatrix x, FloatMatrix y) {
            this.draw = draw;
            this.key = key;
            this.x = x;
            this.y = y;
            WorkerPool pool = Engine.pool();
            int pieces = pool.piecesFor(x.size(), MIN_PARALLEL, x.segment(), y.segment(), mask.segment());
            try {
                if (pieces == 1) run(0, 1);
                else pool.run(pieces, this);
            } finally {
                this.x = this.y = null;
            }
        }

        @Override
        public void run(int piece, int pieces) {
            long n = x.size();
            long from = WorkerPool.bound(n, piece, pieces, ALIGN), to = WorkerPool.bound(n, piece + 1, pieces, ALIGN);
            int cols = x.cols();
            MemorySegment ms = mask.segment();
            for (long e = from; e < to; ) {
                int r = (int) (e / cols), c = (int) (e - (long) r * cols);
                int len = (int) Math.min(cols - c, to - e);
                long xi = x.index(r, c), yi = y.index(r, c);
                if (draw) DropoutMask.apply(key, e, p, x.segment(), xi, ms, e, y.segment(), yi, len);
                else VectorOps.mul(x.segment(), xi, ms, e, y.segment(), yi, len);
                e += len;
            }
        }
    }

    /** No trainable parameters. */
    @Override
    public java.util.List<Parameter> parameters() { return java.util.List.of(); }
}
