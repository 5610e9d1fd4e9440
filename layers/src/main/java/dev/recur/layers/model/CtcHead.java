package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Linear;
import dev.recur.layers.Module;
import dev.recur.layers.Parameter;
import dev.recur.layers.RowViews;
import dev.recur.layers.loss.CtcLoss;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * The unaligned many-to-many head: {@link Dropout} → {@link Linear} at every frame → {@link CtcLoss}
 * against the label sequences of {@code batch.targets()} (see {@link Batch}), blank class 0,
 * torch's {@code reduction='mean'}. The CTC counterpart of {@link StepSoftmaxHead}.
 *
 * <p>Works in the sorted order of the model's {@link BatchOrder}; {@link #logits()} gives the last
 * forward's logits back in the caller's order. Workspace from the model's arena.
 */
public final class CtcHead implements Module {
    /** The blank's class index (torch's default). */
    public static final int BLANK = 0;

    private final Dropout dropout;
    private final Linear fc;
    private final CtcLoss loss;
    private final RowViews hIn, logits, dLogits, dH, logitsOut;
    private final int[] targets, targetLengths;
    private FloatMatrix x;            // the Linear's input of the last forward
    private FloatMatrix lastLogits;   // caller order
    private int rows;
    private boolean haveGrad;

    /**
     * A head over {@code fc} (outputs = labels + the blank) for up to {@code maxSteps × maxBatch}
     * frames and label sequences of up to {@code maxLabels}.
     */
    public CtcHead(Arena arena, Dropout dropout, Linear fc, int maxSteps, int maxBatch, int maxLabels) {
        this.dropout = dropout;
        this.fc = fc;
        if (fc.outFeatures() < 2) throw new IllegalArgumentException("a CTC head needs ≥ 2 outputs (the blank and a label), got " + fc.outFeatures());
        loss = new CtcLoss(fc.outFeatures(), BLANK, maxSteps, maxBatch, maxLabels, CtcLoss.Reduction.MEAN, false);
        int maxRows = Math.multiplyExact(maxSteps, maxBatch), f = fc.inFeatures(), o = fc.outFeatures();
        hIn = dropout.probability() > 0f ? new RowViews(FloatMatrix.allocate(arena, maxRows, f)) : null;
        logits = new RowViews(FloatMatrix.allocate(arena, maxRows, o));
        logitsOut = new RowViews(FloatMatrix.allocate(arena, maxRows, o));
        dLogits = new RowViews(FloatMatrix.allocate(arena, maxRows, o));
        dH = new RowViews(FloatMatrix.allocate(arena, maxRows, f));
        targets = new int[Math.multiplyExact(maxLabels, maxBatch)];
        targetLengths = new int[maxBatch];
    }

    /** fc.weight, fc.bias. */
    @Override
    public List<Parameter> parameters() { return fc.parameters(); }

    public Linear fc() { return fc; }

    public Dropout dropout() { return dropout; }

    /** The loss (its {@link CtcLoss#sequenceLoss} is in sorted order). */
    public CtcLoss loss() { return loss; }

    /**
     * The logits of every frame of the encoder outputs {@code h} (sorted order, T·B rows); with
     * {@code batch} not null also the CTC loss against its label sequences (and, when
     * {@code training}, the gradient {@link #backward} uses). Returns the loss, or 0 without a batch.
     */
    public float forward(FloatMatrix h, Batch batch, BatchOrder order, int steps, boolean training) {
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
        int[] y = batch.targets();
        int n = 0;
        for (int i = 0; i < b; i++) {
            int src = order.source(i), len = batch.labelCount(src);
            if (len > loss.maxLabels()) {
                throw new IllegalArgumentException("sequence " + src + " has " + len + " labels, more than the model's " + loss.maxLabels()
                        + " (create the model with a larger maxLabels)");
            }
            for (int j = 0; j < len; j++) targets[n++] = y[j * b + src];
            targetLengths[i] = len;
        }
        haveGrad = training;
        return loss.forward(lg, steps, b, order.sortedLengths(), targets, targetLengths, training ? dLogits.first(rows) : null);
    }

    /** Accumulates fc's gradients of the last training forward's loss and returns the gradient w.r.t. h (sorted order). */
    public FloatMatrix backward() {
        if (!haveGrad) throw new IllegalStateException("the head's backward needs a preceding training forward with targets");
        haveGrad = false;
        FloatMatrix dh = dH.first(rows);
        fc.backward(x, dLogits.first(rows), dh);
        if (hIn != null) dropout.backward(dh, dh);
        return dh; // padding rows: dLogits is 0 there, and the recurrent layer ignores them
    }

    /** The last forward's logits, {@code T·B × outputs}, row {@code t·B + b} in the caller's order (a view). */
    public FloatMatrix logits() { return lastLogits; }
}
