package dev.recur.app.train;

import dev.recur.layers.Parameter;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.optim.Optimizer;
import java.util.List;

/**
 * One optimizer step on one batch, exactly as {@code train} runs it (and {@code bench} times it):
 * zero the gradients, forward in training mode, backward, check for NaN/Inf, clip by norm and by
 * value, update.
 */
public final class TrainingStep {
    /** Why a step could not be completed: the loss or a gradient was not finite. */
    public record Divergence(String what, String parameter) {}

    /** Test hook, called after every backward pass (before clipping): may poison a gradient. */
    interface Hook { void afterBackward(long step, SequenceClassifier model); }

    static volatile Hook testHook;

    private final SequenceClassifier model;
    private final Optimizer optimizer;
    private final float clipNorm;
    private final float clipValue;
    private float loss;
    private float norm;

    /** {@code clipNorm}, {@code clipValue}: 0 for off. */
    public TrainingStep(SequenceClassifier model, Optimizer optimizer, double clipNorm, double clipValue) {
        this.model = model;
        this.optimizer = optimizer;
        this.clipNorm = (float) clipNorm;
        this.clipValue = (float) clipValue;
    }

    /**
     * Runs step number {@code step} on {@code batch}. Returns null when done, or what was not finite
     * (then the optimizer did not step and the parameters are unchanged).
     */
    public Divergence run(Batch batch, long step) {
        model.train(true);
        model.zeroGrad();
        loss = model.forward(batch);
        if (!Float.isFinite(loss)) return new Divergence("the loss is " + loss, "loss");
        model.backward();
        Hook hook = testHook;
        if (hook != null) hook.afterBackward(step, model);
        List<Parameter> params = model.parameters();
        norm = clipNorm > 0 ? GradientClipping.clipGradNorm(params, clipNorm) : GradientClipping.globalNorm(params);
        if (!Float.isFinite(norm)) {
            Parameter bad = GradientClipping.firstNonFinite(params);
            String name = bad == null ? "an unknown parameter" : bad.name();
            return new Divergence("the gradient of " + name + " is not finite", name);
        }
        if (clipValue > 0) GradientClipping.clipGradValue(params, clipValue);
        optimizer.step();
        return null;
    }

    /** Mean loss of the last step's batch. */
    public float loss() { return loss; }

    /** Global gradient norm of the last step, before clipping. */
    public float gradNorm() { return norm; }
}
