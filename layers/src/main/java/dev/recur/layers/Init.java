package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import java.util.SplittableRandom;

/**
 * Seeded parameter initialisation with PyTorch's default distributions. {@link SplittableRandom}
 * is used because its sequence for a given seed is fixed by its specification, so the same seed
 * gives the same weights on every JVM.
 */
public final class Init {
    private Init() {}

    /** Fills {@code m} with U(−bound, bound). */
    public static void uniform(FloatMatrix m, float bound, SplittableRandom rng) {
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                m.set(r, c, (float) ((rng.nextDouble() * 2 - 1) * bound));
            }
        }
    }

    /** Fills {@code m} with N(0, std²) (Box–Muller on the generator's doubles). */
    public static void normal(FloatMatrix m, float std, SplittableRandom rng) {
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                double u1 = 1.0 - rng.nextDouble(); // (0, 1]
                double u2 = rng.nextDouble();
                double z = Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
                m.set(r, c, (float) (z * std));
            }
        }
    }
}
