package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Linear;
import dev.recur.layers.loss.CtcLoss;
import java.lang.foreign.Arena;

/**
 * The unaligned many-to-many head: {@link Dropout} → {@link Linear} at every frame → {@link CtcLoss}
 * against the label sequences of {@code batch.targets()} (see {@link Batch}), blank class 0,
 * torch's {@code reduction='mean'}. The CTC counterpart of {@link StepSoftmaxHead}; the rest is
 * {@link StepHead}'s.
 */
public final class CtcHead extends StepHead {
    /** The blank's class index (torch's default). */
    public static final int BLANK = 0;

    private final CtcLoss loss;
    private final int[] targets, targetLengths;

    /**
     * A head over {@code fc} (outputs = labels + the blank) for up to {@code maxSteps × maxBatch}
     * frames and label sequences of up to {@code maxLabels}.
     */
    public CtcHead(Arena arena, Dropout dropout, Linear fc, int maxSteps, int maxBatch, int maxLabels) {
        if (fc.outFeatures() < 2) throw new IllegalArgumentException("a CTC head needs ≥ 2 outputs (the blank and a label), got " + fc.outFeatures());
        super(arena, dropout, fc, Math.multiplyExact(maxSteps, maxBatch));
        loss = new CtcLoss(fc.outFeatures(), BLANK, maxSteps, maxBatch, maxLabels, CtcLoss.Reduction.MEAN, false);
        targets = new int[Math.multiplyExact(maxLabels, maxBatch)];
        targetLengths = new int[maxBatch];
    }

    /** The loss (its {@link CtcLoss#sequenceLoss} is in sorted order). */
    public CtcLoss loss() { return loss; }

    @Override
    float loss(FloatMatrix logits, Batch batch, BatchOrder order, int steps, FloatMatrix dLogits) {
        int b = order.size();
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
        return loss.forward(logits, steps, b, order.sortedLengths(), targets, targetLengths, dLogits);
    }
}
