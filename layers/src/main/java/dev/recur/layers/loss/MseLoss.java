package dev.recur.layers.loss;

import dev.recur.engine.FloatMatrix;

/**
 * Mean squared error, as {@code torch.nn.MSELoss}: {@code L = (1/N) Σ (x − y)²} and
 * {@code ∂L/∂x = 2(x − y)/N}, N the number of elements.
 */
public final class MseLoss implements RegressionLoss {

    @Override
    public float forward(FloatMatrix prediction, FloatMatrix target, FloatMatrix gradient) {
        long n = RegressionLoss.checkShapes("MSE", prediction, target, gradient);
        if (n == 0) return 0f;
        double sum = 0;
        float scale = (float) (2.0 / n);
        for (int r = 0; r < prediction.rows(); r++) {
            for (int c = 0; c < prediction.cols(); c++) {
                float d = prediction.get(r, c) - target.get(r, c);
                sum += (double) d * d;
                if (gradient != null) gradient.set(r, c, scale * d);
            }
        }
        return (float) (sum / n);
    }

    @Override
    public String name() { return "mse"; }

    @Override
    public String toString() { return "MSELoss()"; }
}
