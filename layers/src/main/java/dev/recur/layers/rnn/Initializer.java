package dev.recur.layers.rnn;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import java.util.SplittableRandom;

/**
 * Initial values of a {@link RecurrentLayer}'s parameters, deterministic for a given seed:
 * PyTorch's default (every weight and bias uniform in ±1/√H, drawn in parameter order), then the
 * options of {@link RecurrentConfig}: orthogonal H×H gate blocks of {@code weight_hh}, and an LSTM
 * forget-gate bias summing to 1.
 */
final class Initializer {
    private Initializer() {}

    static void initialize(RecurrentLayer layer) {
        RecurrentConfig cfg = layer.config();
        int h = cfg.hiddenSize();
        SplittableRandom rnd = new SplittableRandom(cfg.seed());
        float bound = (float) (1.0 / Math.sqrt(h));
        for (Parameter p : layer.parameters()) uniform(p.value(), bound, rnd);
        for (RecurrentDirection[] dirs : layer.directions()) {
            for (RecurrentDirection d : dirs) {
                if (cfg.orthogonalRecurrent()) {
                    for (int gate = 0; gate < cfg.cell().gates(); gate++) {
                        orthogonal(d.whh.value(), gate * h, h, rnd);
                    }
                }
                if (cfg.forgetBiasOne()) {
                    for (int j = h; j < 2 * h; j++) {
                        d.bih.value().set(0, j, 1f);
                        d.bhh.value().set(0, j, 0f);
                    }
                }
            }
        }
    }

    private static void uniform(FloatMatrix m, float bound, SplittableRandom rnd) {
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) m.set(r, c, (float) ((rnd.nextDouble() * 2 - 1) * bound));
        }
    }

    /** Rows [row0, row0 + n) of m (n × n) ← a random orthogonal matrix (Gram–Schmidt of a Gaussian). */
    static void orthogonal(FloatMatrix m, int row0, int n, SplittableRandom rnd) {
        double[][] q = new double[n][n];
        for (double[] row : q) for (int j = 0; j < n; j++) row[j] = rnd.nextGaussian();
        for (int i = 0; i < n; i++) {
            for (int pass = 0; pass < 2; pass++) { // twice is enough for double precision
                for (int k = 0; k < i; k++) {
                    double dot = 0;
                    for (int j = 0; j < n; j++) dot += q[i][j] * q[k][j];
                    for (int j = 0; j < n; j++) q[i][j] -= dot * q[k][j];
                }
            }
            double norm = 0;
            for (int j = 0; j < n; j++) norm += q[i][j] * q[i][j];
            norm = Math.sqrt(norm);
            for (int j = 0; j < n; j++) q[i][j] /= norm;
        }
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m.set(row0 + i, j, (float) q[i][j]);
    }
}
