package dev.recur.layers.forecast;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.GruStep;
import dev.recur.layers.Parameter;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.model.GradientCheck;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SegRNN: gradients against finite differences, the shared GRU step against the recurrent layer, names. */
class SegmentForecasterTest {
    static final int L = 6, H = 4, W = 2, C = 2, S = 4;

    @Test
    void gradientMatchesFiniteDifferences() {
        for (ForecastConfig.Norm norm : ForecastConfig.Norm.values()) {
            ForecastConfig cfg = ForecastConfig.segment(C, L, H, 4, W, 0f, norm, "mse");
            try (Arena a = Arena.ofShared(); SegmentForecaster m = new SegmentForecaster(cfg, 5, S)) {
                FloatMatrix x = DirectForecasterTest.random(a, L * S, 1, 3), y = DirectForecasterTest.random(a, H * S, 1, 4);
                GradientCheck.check(m, () -> m.forward(x, y, S, true), m::backward, "norm " + norm);
            }
        }
    }

    @Test
    void theLastValueShiftMakesTheForecastFollowALevelShift() {
        ForecastConfig cfg = ForecastConfig.segment(C, L, H, 4, W, 0f, ForecastConfig.Norm.LAST, "mse");
        try (Arena a = Arena.ofShared(); SegmentForecaster m = new SegmentForecaster(cfg, 5, S)) {
            FloatMatrix x = DirectForecasterTest.random(a, L * S, 1, 3);
            m.forward(x, null, S, false);
            float[] before = m.prediction().toArray();
            for (int t = 0; t < L; t++) x.set(t * S + 1, 0, x.get(t * S + 1, 0) + 10f);   // sequence 1 only
            m.forward(x, null, S, false);
            float[] after = m.prediction().toArray();
            for (int i = 0; i < before.length; i++) {
                float shift = i % S == 1 ? 10f : 0f;   // row t·S + s
                assertEquals(before[i] + shift, after[i], 1e-4, "element " + i);
            }
        }
    }

    @Test
    void theNormalisationTravelsInTheMetadataAndOldMetadataStillReads() {
        for (ForecastConfig.Norm norm : ForecastConfig.Norm.values()) {
            ForecastConfig cfg = ForecastConfig.segment(7, 96, 96, 16, 24, 0.1f, norm, "mse");
            assertEquals(cfg, ForecastConfig.fromMetadata(cfg.toMetadata()));
            // a LAST model must not look like a model without normalisation to a version that reads only "revin"
            assertEquals(norm != ForecastConfig.Norm.LAST, cfg.toMetadata().containsKey(ForecastConfig.META_PREFIX + "revin"));
        }
        var old = new java.util.LinkedHashMap<>(ForecastConfig.segment(7, 96, 96, 16, 24, 0f, ForecastConfig.Norm.REVIN, "mse").toMetadata());
        old.remove(ForecastConfig.META_PREFIX + "norm");   // written before the last-value shift existed
        assertEquals(ForecastConfig.Norm.REVIN, ForecastConfig.fromMetadata(old).norm());
        old.put(ForecastConfig.META_PREFIX + "norm", "mean");
        var e = assertThrows(IllegalArgumentException.class, () -> ForecastConfig.fromMetadata(old));
        assertTrue(e.getMessage().contains("norm"), e.getMessage());
    }

    @Test
    void theGruStepIsTheLayersStep() {
        int in = 3, hid = 4, n = 5;
        try (Arena a = Arena.ofShared();
             RecurrentStack stack = new RecurrentStack("rnn", RecurrentConfig.of(CellType.GRU, in, hid).withSeed(9), 2, n)) {
            List<Parameter> g = stack.parameters();
            GruStep step = new GruStep(a, g.get(0), g.get(1), g.get(2), g.get(3), n);
            FloatMatrix x = DirectForecasterTest.random(a, 2 * n, in, 8);
            BatchOrder order = new BatchOrder(n);
            order.sort(new int[] {2, 2, 2, 2, 2}, n);
            FloatMatrix h = stack.forward(x, order, false);
            FloatMatrix h1 = FloatMatrix.allocate(a, n, hid), h2 = FloatMatrix.allocate(a, n, hid);
            for (int b = 0; b < n; b++) for (int k = 0; k < hid; k++) h1.set(b, k, h.get(b, k));
            step.forward(x.rowRange(n, n), h1, h2); // step 2 from the layer's step-1 state
            for (int b = 0; b < n; b++) for (int k = 0; k < hid; k++) assertEquals(h.get(n + b, k), h2.get(b, k), 1e-5);
        }
    }

    @Test
    void parametersHaveTheReferenceNames() {
        ForecastConfig cfg = ForecastConfig.segment(7, 96, 96, 16, 24, 0.1f, ForecastConfig.Norm.REVIN, "mae");
        try (SegmentForecaster m = new SegmentForecaster(cfg, 1, 3)) {
            assertEquals(List.of("pos_emb", "channel_emb", "valueEmbedding.0.weight", "valueEmbedding.0.bias", "rnn.weight_ih_l0",
                    "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "predict.1.weight", "predict.1.bias"),
                    m.parameters().stream().map(Parameter::name).toList());
            assertEquals(4, m.parameters().get(0).rows());
            assertEquals(8, m.parameters().get(0).cols());
            assertEquals(7, m.parameters().get(1).rows());
        }
        assertEquals(cfg, ForecastConfig.fromMetadata(cfg.toMetadata()));
        assertThrows(IllegalArgumentException.class, () -> ForecastConfig.segment(7, 96, 100, 16, 24, 0f, ForecastConfig.Norm.NONE, "mse"));
    }
}
