package dev.recur.layers.forecast;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.model.GradientCheck;
import dev.recur.layers.rnn.CellType;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The direct multi-step forecaster: gradients against finite differences, RevIN's shift equivariance, batch independence. */
class DirectForecasterTest {
    static final int L = 5, H = 3, B = 3;

    static FloatMatrix random(Arena a, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        FloatMatrix m = FloatMatrix.allocate(a, rows, cols);
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m.set(i, j, (float) (r.nextDouble() * 2 - 1));
        return m;
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        for (CellType cell : new CellType[] {CellType.LSTM, CellType.GRU}) {
            for (ForecastConfig.Norm norm : ForecastConfig.Norm.values()) {
                for (String loss : new String[] {"mse", "huber"}) {
                    int in = 2, out = norm != ForecastConfig.Norm.NONE ? 2 : 1; // M with a normalisation, MS without
                    ForecastConfig cfg = ForecastConfig.direct(cell, in, out, L, H, 4, 2, norm, loss);
                    try (Arena a = Arena.ofShared(); DirectForecaster m = new DirectForecaster(cfg, 7, B)) {
                        FloatMatrix x = random(a, L * B, in, 1), y = random(a, H * B, out, 2);
                        GradientCheck.check(m, () -> m.forward(x, y, B, true), m::backward, cell + " norm " + norm + " " + loss);
                    }
                }
            }
        }
    }

    @Test
    void revinMakesTheForecastFollowALevelShift() {
        ForecastConfig cfg = ForecastConfig.direct(CellType.GRU, 2, 2, L, H, 6, 1, ForecastConfig.Norm.REVIN, "mse");
        try (Arena a = Arena.ofShared(); DirectForecaster m = new DirectForecaster(cfg, 3, B)) {
            FloatMatrix x = random(a, L * B, 2, 5);
            m.forward(x, null, B, false);
            float[] before = m.prediction().toArray();
            for (int r = 0; r < L * B; r++) x.set(r, 1, x.get(r, 1) + 10f);
            m.forward(x, null, B, false);
            float[] after = m.prediction().toArray();
            for (int i = 0; i < before.length; i++) {
                float shift = i % 2 == 1 ? 10f : 0f;
                assertEquals(before[i] + shift, after[i], 1e-3, "element " + i);
            }
        }
    }

    @Test
    void aSequenceGetsTheSameForecastAloneAsInABatch() {
        ForecastConfig cfg = ForecastConfig.direct(CellType.LSTM, 2, 1, L, H, 5, 1, ForecastConfig.Norm.NONE, "mae");
        try (Arena a = Arena.ofShared(); DirectForecaster m = new DirectForecaster(cfg, 11, B)) {
            FloatMatrix x = random(a, L * B, 2, 9);
            m.forward(x, null, B, false);
            float[] all = m.prediction().toArray();
            FloatMatrix one = FloatMatrix.allocate(a, L, 2);
            for (int t = 0; t < L; t++) for (int c = 0; c < 2; c++) one.set(t, c, x.get(t * B + 2, c));
            m.forward(one, null, 1, false);
            for (int h = 0; h < H; h++) assertEquals(all[h * B + 2], m.prediction().get(h, 0), 1e-6);
        }
    }

    @Test
    void parametersHavePyTorchNames() {
        ForecastConfig cfg = ForecastConfig.direct(CellType.GRU, 3, 3, L, H, 4, 1, ForecastConfig.Norm.REVIN, "mse");
        try (DirectForecaster m = new DirectForecaster(cfg, 1, 2)) {
            assertEquals(java.util.List.of("revin.affine_weight", "revin.affine_bias", "gru.weight_ih_l0", "gru.weight_hh_l0",
                    "gru.bias_ih_l0", "gru.bias_hh_l0", "fc.weight", "fc.bias"),
                    m.parameters().stream().map(dev.recur.layers.Parameter::name).toList());
            assertEquals(H * 3, m.parameters().get(6).rows());
        }
        assertEquals(cfg, ForecastConfig.fromMetadata(cfg.toMetadata()));
    }
}
