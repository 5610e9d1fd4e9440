package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;

/**
 * The first {@code n} rows of a workspace matrix, as a view that is re-made only when {@code n}
 * changes — so a training loop over same-shaped batches allocates no view objects.
 */
final class RowViews {
    private final FloatMatrix base;
    private FloatMatrix view;
    private int rows = -1;

    RowViews(FloatMatrix base) { this.base = base; }

    FloatMatrix first(int n) {
        if (n != rows) {
            view = base.rowRange(0, n);
            rows = n;
        }
        return view;
    }
}
