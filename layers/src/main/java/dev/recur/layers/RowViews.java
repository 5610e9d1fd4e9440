package dev.recur.layers;

import dev.recur.engine.FloatMatrix;

/**
 * The first {@code n} rows of a workspace matrix, as a view that is re-made only when {@code n}
 * changes — so a training loop over same-shaped batches allocates no view objects. Shared by the
 * layers and models that hand out views of their workspaces.
 */
public final class RowViews {
    private final FloatMatrix base;
    private FloatMatrix view;
    private int rows = -1;

    /** Views of {@code base}'s leading rows. */
    public RowViews(FloatMatrix base) { this.base = base; }

    /** The first {@code n} rows of the base matrix (the same object while n stays the same). */
    public FloatMatrix first(int n) {
        if (n != rows) {
            view = base.rowRange(0, n);
            rows = n;
        }
        return view;
    }
}
