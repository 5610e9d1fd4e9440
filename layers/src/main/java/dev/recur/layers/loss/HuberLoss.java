package dev.recur.layers.loss;

import dev.recur.engine.FloatMatrix;

/**
 * Huber loss, as {@code torch.nn.HuberLoss(delta)}: with {@code d = x − y},
 * {@code ℓ = ½d²} where {@code |d| < δ} and {@code δ(|d| − ½δ)} elsewhere, {@code L = (1/N) Σ ℓ};
 * {@code ∂L/∂x = d/N} where {@code |d| ≤ δ}, else {@code δ·sign(d)/N}. Quadratic near zero like
 * MSE, linear in the tails like L1 (so outliers pull less).
 */
public final class HuberLoss implements RegressionLoss {
    private final float delta;

    /** PyTorch's default, δ = 1. */
    public HuberLoss() { this(1f); }

    /** @param delta where the loss turns from quadratic to linear; must be positive and finite */
    public HuberLoss(float delta) {
        if (!(delta > 0) || !Float.isFinite(delta)) {
            throw new IllegalArgumentException("Huber delta must be positive and finite, got " + delta);
        }
        this.delta = delta;
    }

    public float delta() { return delta; }

    @Override
    public float forward(FloatMatrix prediction, FloatMatrix target, FloatMatrix gradient) {
        long n = RegressionLoss.checkShapes("Huber", prediction, target, gradient);
        if (n == 0) return 0f;
        double sum = 0;
        float scale = (float) (1.0 / n);
        for (int r = 0; r < prediction.rows(); r++) {
            for (int c = 0; c < prediction.cols(); c++) {
                float d = prediction.get(r, c) - target.get(r, c);
                float z = Math.abs(d);
                sum += z < delta ? 0.5 * d * d : delta * (z - 0.5 * delta);
                if (gradient != null) gradient.set(r, c, scale * (z <= delta ? d : delta * Math.signum(d)));
            }
        }
        return (float) (sum / n);
    }

    @Override
    public String name() { return "huber"; }

    @Override
    public String toString() { return "HuberLoss(delta=" + delta + ")"; }
}
