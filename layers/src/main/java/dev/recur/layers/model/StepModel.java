package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Linear;
import java.lang.foreign.Arena;

/**
 * An encoder–head model that scores every step: {@link SequenceEncoder} → a {@link StepHead}
 * ({@link StepSoftmaxHead} for {@link SequenceTagger} and {@link CharLanguageModel},
 * {@link CtcHead} for {@link CtcAcousticModel}). The forward and backward wiring of all three.
 *
 * @param <H> the head's type
 */
public abstract sealed class StepModel<H extends StepHead> extends EncoderModel<H> permits SequenceTagger, CharLanguageModel, CtcAcousticModel {

    StepModel(long seed, int maxSteps, int maxBatch, Arena arena, SequenceEncoder encoder, H head) {
        super(seed, maxSteps, maxBatch, arena, encoder, head, head.dropout());
    }

    /**
     * Runs the model in the current mode and returns the head's loss against the batch's targets;
     * in training mode keeps what {@link #backward()} needs.
     */
    @Override
    public float forward(Batch batch) {
        FloatMatrix h = encoder.forward(batch, order, isTraining());
        float loss = head.forward(h, batch, order, encoder.steps(), isTraining());
        forwarded(true);
        return loss;
    }

    @Override
    public final void backward() {
        startBackward();
        encoder.backward(head.backward());
    }

    /**
     * Evaluation-mode forward without a loss (targets are not read): the logits at every step
     * (T·B × outputs, row {@code t·B + b} in the batch's order; a view valid until the next call).
     */
    public FloatMatrix logits(Batch batch) {
        FloatMatrix h = encoder.forward(batch, order, false);
        head.forward(h, null, order, encoder.steps(), false);
        forwarded(false);
        return head.logits();
    }

    /** The logits of the last forward, in the batch's order (T·B × outputs view). */
    public final FloatMatrix lastLogits() { return head.logits(); }

    public final Linear fc() { return head.fc(); }
}
