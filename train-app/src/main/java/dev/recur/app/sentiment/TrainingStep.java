package dev.recur.app.sentiment;

import dev.recur.app.run.UpdateGuard;
import dev.recur.layers.Parameter;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import java.util.List;

/**
 * One optimizer step on one batch, exactly as {@code train} runs it (and {@code bench} times it):
 * zero the gradients, forward in training mode, backward, then {@link UpdateGuard} (NaN/Inf check,
 * clipping by norm and by value) over the trainable parameters, and the update.
 */
public final class TrainingStep {
    private final SequenceClassifier model;
    private final Optimizer optimizer;
    private final List<Parameter> trainable;
    private final double clipNorm;
    private final double clipValue;
    private float loss;
    private float norm;

    /**
     * {@code trainable}: the parameters the optimizer updates (all but the frozen ones);
     * {@code clipNorm}, {@code clipValue}: 0 for off.
     */
    public TrainingStep(SequenceClassifier model, Optimizer optimizer, List<Parameter> trainable, double clipNorm,
                        double clipValue) {
        this.model = model;
        this.optimizer = optimizer;
        this.trainable = List.copyOf(trainable);
        this.clipNorm = clipNorm;
        this.clipValue = clipValue;
    }

    /**
     * Runs step number {@code step} on {@code batch}.
     *
     * @throws UpdateGuard.Diverged when the loss or a gradient is not finite (then the optimizer did
     *                              not step and the parameters are unchanged)
     */
    public void run(Batch batch, long step) {
        loss = forwardBackward(model, batch);
        norm = UpdateGuard.check(trainable, loss, step, clipNorm, clipValue);
        optimizer.step();
    }

    /**
     * The part of a step before the update: training mode, gradients zeroed, forward, and backward
     * when the loss is finite. Returns the batch's mean loss.
     */
    public static float forwardBackward(SequenceClassifier model, Batch batch) {
        model.train(true);
        model.zeroGrad();
        float loss = model.forward(batch);
        if (Float.isFinite(loss)) model.backward();
        return loss;
    }

    /** Mean loss of the last step's batch. */
    public float loss() { return loss; }

    /** Global gradient norm of the last step, before clipping. */
    public float gradNorm() { return norm; }
}
