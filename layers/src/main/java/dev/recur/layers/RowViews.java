package dev.recur.layers;

import dev.recur.engine.FloatMatrix;

/**
 * The first {@code n} rows of a workspace matrix, as a view that is re-made only when {@code n}
 * changes — so a training loop over same-shaped batches allocates no view objects.
 */
public final class RowViews {
    private final FloatMatrix base;
    private FloatMatrix view;
    private int rows = -1;

    /** Views of the first rows of {@code base}. */
    public RowViews(FloatMatrix base) { this.base = base; }

    /** The first {@code n} rows (the same view object while n repeats). */
    public FloatMatrix first(int n) {
        if (n != rows) {
            view = base.rowRange(0, n);
            rows = n;
        }
        return view;
    }
}
