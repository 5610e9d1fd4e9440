package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Linear;
import dev.recur.layers.Module;
import dev.recur.layers.Parameter;
import dev.recur.layers.RowViews;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * A head that scores every step of the encoder's output: {@link Dropout} → {@link Linear} at every
 * step → a loss over the whole sequence of logits, which each head defines ({@link StepSoftmaxHead}:
 * softmax cross-entropy per step; {@link CtcHead}: CTC against unaligned label sequences).
 *
 * <p>Works in the sorted order of the model's {@link BatchOrder}; {@link #logits()} gives the last
 * forward's logits back in the caller's order. Workspace from the model's arena, for up to
 * {@code maxRows = T·B} rows.
 */
public abstract sealed class StepHead implements Module permits StepSoftmaxHead, CtcHead {
    private final Dropout dropout;
    private final Linear fc;
    private final RowViews hIn, logits, dLogits, dH, logitsOut;
    private FloatMatrix x;            // the Linear's input of the last forward
    private FloatMatrix lastLogits;   // caller order
    private int rows;
    private boolean haveGrad;

    StepHead(Arena arena, Dropout dropout, Linear fc, int maxRows) {
        this.dropout = dropout;
        this.fc = fc;
        int f = fc.inFeatures(), o = fc.outFeatures();
        hIn = dropout.probability() > 0f ? new RowViews(FloatMatrix.allocate(arena, maxRows, f)) : null;
        logits = new RowViews(FloatMatrix.allocate(arena, maxRows, o));
        logitsOut = new RowViews(FloatMatrix.allocate(arena, maxRows, o));
        dLogits = new RowViews(FloatMatrix.allocate(arena, maxRows, o));
        dH = new RowViews(FloatMatrix.allocate(arena, maxRows, f));
    }

    /** fc.weight, fc.bias. */
    @Override
    public final List<Parameter> parameters() { return fc.parameters(); }

    public final Linear fc() { return fc; }

    public final Dropout dropout() { return dropout; }

    /**
     * The logits of every step of the encoder outputs {@code h} (sorted order, T·B rows); with
     * {@code batch} not null also the loss against its targets (and, when {@code training}, the
     * gradient {@link #backward} uses). Returns the loss, or 0 without a batch.
     */
    public final float forward(FloatMatrix h, Batch batch, BatchOrder order, int steps, boolean training) {
        int b = order.size();
        rows = steps * b;
        x = h;
        if (hIn != null) {
            x = hIn.first(rows);
            dropout.forward(h, x, training);
        }
        FloatMatrix lg = logits.first(rows);
        fc.forward(x, lg);
        if (order.isIdentity()) {
            lastLogits = lg;
        } else {
            lastLogits = logitsOut.first(rows);
            order.scatterRows(lg, lastLogits, steps);
        }
        haveGrad = false;
        if (batch == null) return 0f;
        float loss = loss(lg, batch, order, steps, training ? dLogits.first(rows) : null);
        haveGrad = training;
        return loss;
    }

    /**
     * The loss of {@code logits} (sorted order, {@code steps·B} rows) against {@code batch}'s
     * targets; writes its gradient w.r.t. the logits into {@code dLogits} when that is not null.
     */
    abstract float loss(FloatMatrix logits, Batch batch, BatchOrder order, int steps, FloatMatrix dLogits);

    /** Accumulates fc's gradients of the last training forward's loss and returns the gradient w.r.t. h (sorted order). */
    public final FloatMatrix backward() {
        if (!haveGrad) throw new IllegalStateException("the head's backward needs a preceding training forward with targets");
        haveGrad = false;
        FloatMatrix dh = dH.first(rows);
        fc.backward(x, dLogits.first(rows), dh);
        if (hIn != null) dropout.backward(dh, dh);
        return dh; // padding rows: dLogits is 0 there, and the recurrent layer ignores them
    }

    /** The last forward's logits, {@code T·B × outputs}, row {@code t·B + b} in the caller's order (a view). */
    public final FloatMatrix logits() { return lastLogits; }
}
