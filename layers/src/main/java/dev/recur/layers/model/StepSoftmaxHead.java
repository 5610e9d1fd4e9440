package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Linear;
import dev.recur.layers.Module;
import dev.recur.layers.Parameter;
import dev.recur.layers.RowViews;
import dev.recur.layers.loss.SoftmaxCrossEntropyLoss;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * The many-to-many head: {@link Dropout} → {@link Linear} at every step → softmax cross-entropy
 * against {@code batch.targets()}, mean over the valid targets (steps at or past a sequence's
 * length and targets equal to {@link Batch#IGNORE} are ignored). Used by {@link SequenceTagger}
 * (tags) and {@link CharLanguageModel} (next symbols).
 *
 * <p>Works in the sorted order of the model's {@link BatchOrder}; {@link #logits()} gives the
 * last forward's logits back in the caller's order. Workspace from the model's arena.
 */
public final class StepSoftmaxHead implements Module {
    private final Dropout dropout;
    private final Linear fc;
    private final RowViews hIn, logits, dLogits, dH, logitsOut;
    private final int[] targets;
    private FloatMatrix x;            // the Linear's input of the last forward
    private FloatMatrix lastLogits;   // caller order
    private int rows, validTargets;
    private boolean haveGrad;

    /** A head over {@code fc} (its input width is the encoder's output width) for up to {@code maxRows = T·B} rows. */
    public StepSoftmaxHead(Arena arena, Dropout dropout, Linear fc, int maxRows) {
        this.dropout = dropout;
        this.fc = fc;
        if (fc.outFeatures() < 2) {
            throw new IllegalArgumentException("a per-step softmax head needs ≥ 2 outputs (tags or symbols), got " + fc.outFeatures());
        }
        int f = fc.inFeatures(), o = fc.outFeatures();
        hIn = dropout.probability() > 0f ? new RowViews(FloatMatrix.allocate(arena, maxRows, f)) : null;
        logits = new RowViews(FloatMatrix.allocate(arena, maxRows, o));
        logitsOut = new RowViews(FloatMatrix.allocate(arena, maxRows, o));
        dLogits = new RowViews(FloatMatrix.allocate(arena, maxRows, o));
        dH = new RowViews(FloatMatrix.allocate(arena, maxRows, f));
        targets = new int[maxRows];
    }

    /** fc.weight, fc.bias. */
    @Override
    public List<Parameter> parameters() { return fc.parameters(); }

    public Linear fc() { return fc; }

    public Dropout dropout() { return dropout; }

    /**
     * The logits of every step of the encoder outputs {@code h} (sorted order, T·B rows); with
     * {@code batch} not null also the mean loss against its targets (and, when {@code training},
     * the gradient {@link #backward} uses). Returns the loss, or 0 without a batch.
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
        int[] y = batch.targets(), lens = order.sortedLengths();
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < b; i++) {
                targets[t * b + i] = t < lens[i] ? y[t * b + order.source(i)] : Batch.IGNORE;
            }
        }
        validTargets = SoftmaxCrossEntropyLoss.validCount(targets, rows, Batch.IGNORE);
        haveGrad = training;
        return SoftmaxCrossEntropyLoss.forward(lg, targets, rows, Batch.IGNORE, training ? dLogits.first(rows) : null);
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

    /** Number of targets the last forward's loss averaged over. */
    public int validTargets() { return validTargets; }
}
