package dev.recur.app.lm;

import dev.recur.app.AppException;
import dev.recur.app.cli.Choices.OptimizerKind;
import dev.recur.layers.Parameter;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.AdamW;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.optim.NonFiniteException;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.optim.Sgd;
import java.util.List;

/** Small pieces of a training step shared by {@code lm}, {@code tag} and the gradient lab. */
public final class Training {
    private Training() { }

    /** The optimizer named on the command line. */
    public static Optimizer optimizer(OptimizerKind kind, List<Parameter> params, double lr) {
        return switch (kind) {
            case sgd -> new Sgd(params, (float) lr, 0.9f, 0f, false);
            case adam -> new Adam(params, (float) lr);
            case adamw -> new AdamW(params, (float) lr);
        };
    }

    /**
     * Clips by global norm when {@code clipNorm > 0} and returns the norm before clipping; stops
     * with a clear error naming the step and the parameter if the loss or a gradient is not finite.
     */
    public static float clipAndCheck(List<Parameter> params, double clipNorm, float loss, long step) {
        if (!Float.isFinite(loss)) {
            throw new AppException("training diverged at step " + step + ": the loss is " + loss
                    + "; lower --lr or set --clip-norm (the last checkpoint is kept)");
        }
        float norm = clipNorm > 0 ? GradientClipping.clipGradNorm(params, (float) clipNorm)
                : GradientClipping.globalNorm(params);
        if (!Float.isFinite(norm)) {
            try {
                GradientClipping.requireFinite(params, step);
            } catch (NonFiniteException e) {
                throw new AppException("training diverged: " + e.getMessage()
                        + "; lower --lr or set --clip-norm (the last checkpoint is kept)", e);
            }
            throw new AppException("training diverged at step " + step + ": the gradient norm overflowed to "
                    + norm + "; lower --lr or set --clip-norm");
        }
        return norm;
    }
}
