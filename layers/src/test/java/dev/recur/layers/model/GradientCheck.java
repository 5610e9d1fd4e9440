package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import java.util.function.DoubleSupplier;

/** A model's analytic gradient against centred finite differences of its own loss, at a few elements of every parameter. */
final class GradientCheck {
    private GradientCheck() {}

    static void check(SequenceModel m, DoubleSupplier loss, Runnable backward, String what) {
        m.zeroGrad();
        loss.getAsDouble();
        backward.run();
        for (Parameter p : m.parameters()) {
            FloatMatrix v = p.value(), g = p.grad();
            for (int k = 0; k < 4; k++) {
                int r = (k * 7 + 3) % p.rows(), c = (k * 5 + 1) % p.cols();
                float old = v.get(r, c);
                float h = 5e-3f;
                v.set(r, c, old + h);
                double up = loss.getAsDouble();
                v.set(r, c, old - h);
                double down = loss.getAsDouble();
                v.set(r, c, old);
                double mid = loss.getAsDouble();
                double numeric = (up - down) / (2 * h);
                double analytic = g.get(r, c);
                // relu and max are piecewise linear: near a kink the centred difference straddles it,
                // so a one-sided difference that matches is accepted too
                boolean ok = close(numeric, analytic) || close((up - mid) / h, analytic) || close((mid - down) / h, analytic);
                assertTrue(ok, what + " " + p.name() + "[" + r + "," + c + "]: analytic " + analytic + ", centred " + numeric
                        + ", one-sided " + (up - mid) / h + " / " + (mid - down) / h);
            }
        }
    }

    private static boolean close(double numeric, double analytic) {
        return Math.abs(numeric - analytic) <= 3e-3 + 0.03 * Math.abs(numeric);
    }
}
