package dev.recur.props.reference;

import java.util.function.DoubleSupplier;

/** Centred finite differences in double precision: {@code ∂f/∂θ_i ≈ (f(θ + εe_i) − f(θ − εe_i)) / 2ε}. */
public final class FiniteDifferences {
    /** The default step: error O(ε²) from curvature against O(1e-16/ε) from rounding. */
    public static final double EPS = 1e-6;

    private FiniteDifferences() {}

    /**
     * The gradient of {@code loss} with respect to every element of {@code theta}, which the loss
     * must read (it is perturbed in place and restored).
     */
    public static double[] gradient(DoubleSupplier loss, double[] theta) {
        double[] g = new double[theta.length];
        for (int i = 0; i < theta.length; i++) {
            double keep = theta[i];
            theta[i] = keep + EPS;
            double plus = loss.getAsDouble();
            theta[i] = keep - EPS;
            double minus = loss.getAsDouble();
            theta[i] = keep;
            g[i] = (plus - minus) / (2 * EPS);
        }
        return g;
    }
}
