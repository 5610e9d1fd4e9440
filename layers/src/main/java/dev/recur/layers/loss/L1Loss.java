package dev.recur.layers.loss;

import dev.recur.engine.FloatMatrix;

/**
 * Mean absolute error, as {@code torch.nn.L1Loss}: {@code L = (1/N) Σ |x − y|} and
 * {@code ∂L/∂x = sign(x − y)/N}, with sign(0) = 0 as in PyTorch.
 */
public final class L1Loss implements RegressionLoss {

    @Override
    public float forward(FloatMatrix prediction, FloatMatrix target, FloatMatrix gradient) {
        long n = RegressionLoss.checkShapes("L1", prediction, target, gradient);
        if (n == 0) return 0f;
        double sum = 0;
        float scale = (float) (1.0 / n);
        for (int r = 0; r < prediction.rows(); r++) {
            for (int c = 0; c < prediction.cols(); c++) {
                float d = prediction.get(r, c) - target.get(r, c);
                sum += Math.abs(d);
                if (gradient != null) gradient.set(r, c, scale * Math.signum(d));
            }
        }
        return (float) (sum / n);
    }

    @Override
    public String name() { return "mae"; }

    @Override
    public String toString() { return "L1Loss()"; }
}
