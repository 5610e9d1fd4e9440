package dev.recur.layers.loss;

import dev.recur.engine.FloatMatrix;

/**
 * A loss between a prediction and a target of the same shape, averaged over every element
 * ({@code reduction='mean'} in PyTorch). Implementations: {@link MseLoss}, {@link L1Loss},
 * {@link HuberLoss}. Immutable and thread-safe.
 */
public interface RegressionLoss {

    /**
     * The mean loss over all {@code rows × cols} elements; writes {@code ∂L/∂prediction} into
     * {@code gradient} (same shape, overwritten) when it is not null.
     */
    float forward(FloatMatrix prediction, FloatMatrix target, FloatMatrix gradient);

    /** The loss's name as the command line spells it ({@code mse}, {@code mae}, {@code huber}). */
    String name();

    /** Checks the shapes and returns the element count. */
    static long checkShapes(String loss, FloatMatrix prediction, FloatMatrix target, FloatMatrix gradient) {
        // the messages are built only on the failing branch: a good call (every step) allocates nothing
        if (!sameShape(prediction, target)) prediction.requireSameShape(loss + " target", target);
        if (gradient != null && !sameShape(prediction, gradient)) prediction.requireSameShape(loss + " gradient", gradient);
        return prediction.size();
    }

    private static boolean sameShape(FloatMatrix a, FloatMatrix b) {
        return a.rows() == b.rows() && a.cols() == b.cols();
    }
}
