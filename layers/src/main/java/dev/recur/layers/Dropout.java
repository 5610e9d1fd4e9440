package dev.recur.layers;

import dev.recur.engine.DropoutMask;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.VectorOps;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.foreign.Arena;

/**
 * Inverted dropout, as {@code torch.nn.Dropout}: in training each element is kept with probability
 * {@code 1 − p} and scaled by {@code 1/(1 − p)}, else set to zero; in evaluation it is the identity.
 *
 * <p>The mask is a pure function of (seed, call number, element index) — {@link DropoutMask} — so the
 * same seed gives the same masks on any number of threads, and the state to save for an exact
 * resume is just {@link #calls()} ({@link #setCalls}). The mask buffer grows to the largest input
 * seen and is then reused. Not thread-safe.
 */
public final class Dropout implements Module {
    private final float p;
    private final float scale;
    private final long seed;
    private final Arena arena;
    private long calls;
    private FloatMatrix mask;
    private boolean lastWasTraining;

    /** {@code p} in [0, 1); the mask memory comes from {@code arena}. */
    public Dropout(Arena arena, float p, long seed) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.arena = arena;
        this.p = p;
        this.scale = 1f / (1f - p);
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
        int rows = in.rows(), cols = in.cols();
        if (mask == null || mask.size() < in.size()) mask = FloatMatrix.allocate(arena, 1, Math.toIntExact(in.size()));
        MemorySegment ms = mask.segment();
        long key = DropoutMask.callKey(seed, ++calls);
        long n = in.size();
        for (long i = 0; i < n; i++) {
            double u = DropoutMask.uniform(key, i);   // uniform in [0, 1), a hash of (seed, call, i)
            ms.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, u < p ? 0f : scale);
        }
        for (int r = 0; r < rows; r++) {
            VectorOps.mul(in.segment(), in.index(r, 0), ms, (long) r * cols, out.segment(), out.index(r, 0), cols);
        }
    }

    /** {@code dIn = dOut ⊙ mask} for the last forward (identity when it was not training); may be in place. */
    public void backward(FloatMatrix dOut, FloatMatrix dIn) {
        dOut.requireSameShape("Dropout input gradient", dIn);
        if (!lastWasTraining) {
            if (dOut != dIn) dIn.copyFrom(dOut);
            return;
        }
        int cols = dOut.cols();
        for (int r = 0; r < dOut.rows(); r++) {
            VectorOps.mul(dOut.segment(), dOut.index(r, 0), mask.segment(), (long) r * cols, dIn.segment(), dIn.index(r, 0), cols);
        }
    }

    /** No trainable parameters. */
    @Override
    public java.util.List<Parameter> parameters() { return java.util.List.of(); }
}
