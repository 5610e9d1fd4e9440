package dev.recur.layers.rnn;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.RowViews;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The state a {@linkplain RecurrentLayer#setStateful stateful} stack carries from one forward to
 * the next, {@code (L·D·B) × H} in the caller's row order, and the initial state staged from it in
 * the batch's (sorted) row order. Allocated once for maxBatch.
 */
final class CarriedState {
    private final int blocks, hidden, maxBatch;
    private final boolean hasCell;
    private final MemorySegment zeros;
    private final FloatMatrix h, c, stagedH, stagedC;
    private final RowViews hView, cView, stagedHView, stagedCView;
    private final boolean[] marks;
    /** Sequences carried; 0 = none (the next forward starts from zeros). */
    private int batch;

    CarriedState(FloatMatrix h, FloatMatrix c, FloatMatrix stagedH, FloatMatrix stagedC, int blocks, int maxBatch,
                 MemorySegment zeros) {
        this.blocks = blocks;
        this.hidden = h.cols();
        this.maxBatch = maxBatch;
        this.hasCell = c != null;
        this.zeros = zeros;
        this.h = h;
        this.c = c;
        this.stagedH = stagedH;
        this.stagedC = stagedC;
        hView = new RowViews(h);
        stagedHView = new RowViews(stagedH);
        cView = c == null ? null : new RowViews(c);
        stagedCView = c == null ? null : new RowViews(stagedC);
        marks = new boolean[maxBatch];
    }

    int batch() { return batch; }

    void reset() { batch = 0; }

    void reset(int row) {
        if (batch == 0) return;
        if (row < 0 || row >= batch) {
            throw new IllegalArgumentException("row " + row + " is outside the carried batch [0, " + batch + ")");
        }
        long rowBytes = (long) hidden * 4;
        for (int k = 0; k < blocks; k++) {
            long off = ((long) k * batch + row) * rowBytes;
            MemorySegment.copy(zeros, 0, h.segment(), off, rowBytes);
            if (hasCell) MemorySegment.copy(zeros, 0, c.segment(), off, rowBytes);
        }
    }

    FloatMatrix hidden() { return hView.first(blocks * require("carriedHidden")); }

    FloatMatrix cell(String cellName) {
        int b = require("carriedCell");
        if (!hasCell) throw new IllegalStateException("a " + cellName + " layer has no cell state");
        return cView.first(blocks * b);
    }

    void set(FloatMatrix hIn, FloatMatrix cIn, String cellName) {
        int b = hIn.rows() / blocks;
        if (hIn.rows() % blocks != 0 || b < 1 || b > maxBatch || hIn.cols() != hidden) {
            throw new IllegalArgumentException("carried hidden state is " + hIn.rows() + "×" + hIn.cols() + "; expected ("
                    + blocks + "·B) × " + hidden + " (layers·directions·batch × hidden) with B in [1, " + maxBatch + "]");
        }
        if (hasCell != (cIn != null)) {
            throw new IllegalArgumentException(hasCell
                    ? "a " + cellName + " layer needs the carried cell state too; pass c"
                    : "a " + cellName + " layer has no cell state; pass null for c");
        }
        if (cIn != null) cIn.requireShape("carried cell state", hIn.rows(), hidden);
        hView.first(hIn.rows()).copyFrom(hIn);
        if (cIn != null) cView.first(hIn.rows()).copyFrom(cIn);
        batch = b;
    }

    private int require(String what) {
        if (batch == 0) {
            throw new IllegalStateException(what + ": no state is carried (the layer is not stateful, was reset,"
                    + " or ran no forward yet); check carriedBatch() first");
        }
        return batch;
    }

    /** Checks a row order (null = identity) and the batch size against what is carried. */
    void check(int[] order, int b) {
        if (order != null) {
            if (order.length < b) {
                throw new IllegalArgumentException("row order has " + order.length + " entries for a batch of " + b);
            }
            Arrays.fill(marks, 0, b, false);
            for (int i = 0; i < b; i++) {
                int r = order[i];
                if (r < 0 || r >= b || marks[r]) {
                    throw new IllegalArgumentException("row order is not a permutation of [0, " + b + "): order[" + i
                            + "] = " + r + (r >= 0 && r < b ? " appears twice" : " is out of range"));
                }
                marks[r] = true;
            }
        }
        if (batch != 0 && batch != b) {
            throw new IllegalArgumentException("the carried state is for a batch of " + batch
                    + " sequences but this batch has " + b + "; keep the batch size fixed or call resetState()");
        }
    }

    /** The carried hidden state in batch order (row i ← caller row order[i]), or null for zeros. */
    FloatMatrix stagedHidden(int[] order, int b) {
        if (batch == 0) return null;
        permute(h.segment(), stagedH.segment(), b, order, true);
        return stagedHView.first(blocks * b);
    }

    /** As {@link #stagedHidden} for the cell state (null without one or when nothing is carried). */
    FloatMatrix stagedCell(int[] order, int b) {
        if (batch == 0 || !hasCell) return null;
        permute(c.segment(), stagedC.segment(), b, order, true);
        return stagedCView.first(blocks * b);
    }

    /** Carries the final states of a forward (batch order) back into the caller's order. */
    void keep(MemorySegment hN, MemorySegment cN, int[] order, int b) {
        permute(hN, h.segment(), b, order, false);
        if (hasCell) permute(cN, c.segment(), b, order, false);
        batch = b;
    }

    /** toBatch: dst[k·B + i] = src[k·B + order[i]]; else dst[k·B + order[i]] = src[k·B + i]. */
    private void permute(MemorySegment src, MemorySegment dst, int b, int[] order, boolean toBatch) {
        long rowBytes = (long) hidden * 4;
        for (int k = 0; k < blocks; k++) {
            for (int i = 0; i < b; i++) {
                int o = order == null ? i : order[i];
                long from = (long) k * b + (toBatch ? o : i), to = (long) k * b + (toBatch ? i : o);
                MemorySegment.copy(src, from * rowBytes, dst, to * rowBytes, rowBytes);
            }
        }
    }
}
