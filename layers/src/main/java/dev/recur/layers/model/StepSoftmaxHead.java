package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Linear;
import dev.recur.layers.loss.SoftmaxCrossEntropyLoss;
import java.lang.foreign.Arena;

/**
 * The many-to-many head: {@link Dropout} → {@link Linear} at every step → softmax cross-entropy
 * against {@code batch.targets()}, mean over the valid targets (steps at or past a sequence's
 * length and targets equal to {@link Batch#IGNORE} are ignored). Used by {@link SequenceTagger}
 * (tags) and {@link CharLanguageModel} (next symbols); the rest is {@link StepHead}'s.
 */
public final class StepSoftmaxHead extends StepHead {
    private final int[] targets;
    private int validTargets;

    /** A head over {@code fc} (its input width is the encoder's output width) for up to {@code maxRows = T·B} rows. */
    public StepSoftmaxHead(Arena arena, Dropout dropout, Linear fc, int maxRows) {
        if (fc.outFeatures() < 2) {
            throw new IllegalArgumentException("a per-step softmax head needs ≥ 2 outputs (tags or symbols), got " + fc.outFeatures());
        }
        super(arena, dropout, fc, maxRows);
        targets = new int[maxRows];
    }

    @Override
    float loss(FloatMatrix logits, Batch batch, BatchOrder order, int steps, FloatMatrix dLogits) {
        int b = order.size(), rows = steps * b;
        int[] y = batch.targets(), lens = order.sortedLengths();
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < b; i++) {
                targets[t * b + i] = t < lens[i] ? y[t * b + order.source(i)] : Batch.IGNORE;
            }
        }
        validTargets = SoftmaxCrossEntropyLoss.validCount(targets, rows, Batch.IGNORE);
        return SoftmaxCrossEntropyLoss.forward(logits, targets, rows, Batch.IGNORE, dLogits);
    }

    /** Number of targets the last forward's loss averaged over. */
    public int validTargets() { return validTargets; }
}
