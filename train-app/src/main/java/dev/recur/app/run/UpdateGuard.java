package dev.recur.app.run;

import dev.recur.app.core.AppException;
import dev.recur.layers.Parameter;
import dev.recur.layers.optim.GradientClipping;
import java.util.List;

/**
 * What every task does between backward and the optimizer step: check that the loss and every
 * gradient are finite, clip by global norm and by value. A non-finite value stops the run with a
 * {@link Diverged} naming the step and the parameter (the optimizer has not stepped, so the
 * parameters and the last checkpoint are the last good ones).
 */
public final class UpdateGuard {
    private UpdateGuard() {}

    /** Training stopped because the loss or a gradient was NaN or infinite. */
    public static final class Diverged extends AppException {
        private final long step;
        private final String parameter;

        Diverged(long step, String what, String parameter) {
            super("training stopped at step " + step + ": " + what
                    + ". Lower --lr or clip gradients with --clip-norm; the last checkpoint is kept.");
            this.step = step;
            this.parameter = parameter;
        }

        /** The 1-based optimizer step that failed. */
        public long step() { return step; }

        /** The parameter whose gradient was not finite, or {@code "loss"}. */
        public String parameter() { return parameter; }

        /** What was not finite, without the advice (for a message with more context). */
        public String what() {
            String m = getMessage();
            return m.substring(m.indexOf(": ") + 2, m.indexOf(". Lower --lr"));
        }
    }

    /**
     * Checks step {@code step}'s loss and gradients, clips them ({@code clipNorm}, {@code clipValue}:
     * 0 for off) and returns the global gradient norm before clipping.
     *
     * @throws Diverged when the loss or a gradient is not finite
     */
    public static float check(List<Parameter> params, float loss, long step, double clipNorm, double clipValue) {
        if (!Float.isFinite(loss)) throw new Diverged(step, "the loss is " + loss, "loss");
        float norm = clipNorm > 0 ? GradientClipping.clipGradNorm(params, (float) clipNorm) : GradientClipping.globalNorm(params);
        if (!Float.isFinite(norm)) {
            Parameter bad = GradientClipping.firstNonFinite(params);
            String name = bad == null ? "an unknown parameter" : bad.name();
            throw new Diverged(step, "the gradient of " + name + " is not finite", name);
        }
        if (clipValue > 0) GradientClipping.clipGradValue(params, (float) clipValue);
        return norm;
    }

    /** {@link #check} with clipping by norm only. */
    public static float check(List<Parameter> params, float loss, long step, double clipNorm) {
        return check(params, loss, step, clipNorm, 0);
    }
}
