package dev.recur.layers.optim;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.ParallelTask;
import dev.recur.engine.WorkerPool;
import dev.recur.layers.Parameter;
import java.util.List;

/**
 * A pass over every parameter of a list in fixed chunks, split over {@link Engine#pool()}: the
 * elements of each parameter are cut into chunks of {@link #CHUNK} floats (a constant, never derived
 * from the thread count), numbered 0, 1, 2, … across the list in order, and chunk g runs on piece
 * {@code g mod pieces}. An element-wise pass (an optimizer update, a scale, a clamp) gives the same
 * bits on any split; a reduction stores one partial per chunk, and the caller adds the partials in
 * chunk order, so the result does not depend on the thread count either.
 *
 * <p>A parameter whose value or gradient is not contiguous is one chunk, {@code n = −1} (the pass
 * works on the whole matrix). One caller at a time; reused, no allocation per call.
 */
abstract class ParameterChunks implements ParallelTask {
    /** Floats per chunk: 64 KiB, large enough that a dispatch is cheap beside it. */
    static final int CHUNK = 1 << 14;
    /** Fewest elements in all worth a pool dispatch. */
    private static final long MIN_PARALLEL = 1L << 16;

    private List<Parameter> params;

    /**
     * Chunk {@code g}: elements {@code [from, from + n)} of parameter {@code i}'s flat storage, or
     * its whole matrices when {@code n == −1}.
     */
    protected abstract void chunk(int g, int i, Parameter p, long from, int n);

    /** Runs every chunk of {@code params}, on the pool when the work is large enough and every tensor is reachable. */
    final void run(List<Parameter> params) {
        WorkerPool pool = Engine.pool();
        int pieces = 1;
        if (pool.threads() > 1) {
            long total = 0;
            for (int i = 0; i < params.size(); i++) total += params.get(i).value().size();
            pieces = pool.piecesFor(total, MIN_PARALLEL, null, null, null);
            for (int i = 0; i < params.size() && pieces > 1; i++) {
                Parameter p = params.get(i);
                pieces = Math.min(pieces, pool.piecesFor(total, MIN_PARALLEL, p.value().segment(), p.grad().segment(), null));
            }
        }
        this.params = params;
        try {
            if (pieces == 1) run(0, 1);
            else pool.run(pieces, this);
        } finally {
            this.params = null;
        }
    }

    /** Chunks of {@code params} in all (the size of a reduction's partials). */
    static int count(List<Parameter> params) {
        int g = 0;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            g += flat(p) ? (int) ((p.value().size() + CHUNK - 1) / CHUNK) : 1;
        }
        return g;
    }

    @Override
    public final void run(int piece, int pieces) {
        int g = 0;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            if (!flat(p)) {
                if (g++ % pieces == piece) chunk(g - 1, i, p, 0, -1);
                continue;
            }
            long n = p.value().size();
            for (long from = 0; from < n; from += CHUNK, g++) {
                if (g % pieces == piece) chunk(g, i, p, from, (int) Math.min(CHUNK, n - from));
            }
        }
    }

    /** Whether the value and gradient are each one contiguous span. */
    static boolean flat(Parameter p) {
        FloatMatrix v = p.value(), g = p.grad();
        return v.isContiguous() && g.isContiguous() && v.size() == g.size();
    }
}
