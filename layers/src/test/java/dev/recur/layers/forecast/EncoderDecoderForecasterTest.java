package dev.recur.layers.forecast;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.model.GradientCheck;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The encoder–decoder: gradients (free running, teacher-forced, mixed), what teacher forcing feeds, names. */
class EncoderDecoderForecasterTest {
    static final int L = 5, H = 4, B = 3, C = 2;

    @Test
    void gradientMatchesFiniteDifferences() {
        for (float ratio : new float[] {0f, 0.5f, 1f}) {
            for (ForecastConfig.Norm norm : ForecastConfig.Norm.values()) {
                boolean revin = norm != ForecastConfig.Norm.NONE;
                int layers = revin ? 1 : 2;
                ForecastConfig cfg = ForecastConfig.encoderDecoder(C, L, H, 4, layers, 0f, norm, revin ? "huber" : "mse");
                try (Arena a = Arena.ofShared(); EncoderDecoderForecaster m = new EncoderDecoderForecaster(cfg, 7, B)) {
                    m.setTeacherForcing(ratio);
                    FloatMatrix x = DirectForecasterTest.random(a, L * B, C, 1), y = DirectForecasterTest.random(a, H * B, C, 2);
                    GradientCheck.check(m, () -> {
                        m.setTeacherForcingCalls(0);   // the same teacher-forced steps at every evaluation
                        return m.forward(x, y, B, true);
                    }, m::backward, "ratio " + ratio + " norm " + norm + " layers " + layers);
                }
            }
        }
    }

    /** With ratio 1 step t + 1 reads the true value of step t; with ratio 0 (and at inference) only its own forecast. */
    @Test
    void teacherForcingFeedsTheTruth() {
        ForecastConfig cfg = ForecastConfig.encoderDecoder(C, L, H, 6, 1, 0f, ForecastConfig.Norm.NONE, "mse");
        try (Arena a = Arena.ofShared(); EncoderDecoderForecaster m = new EncoderDecoderForecaster(cfg, 3, B)) {
            FloatMatrix x = DirectForecasterTest.random(a, L * B, C, 5), y = DirectForecasterTest.random(a, H * B, C, 6);
            for (float ratio : new float[] {0f, 1f}) {
                m.setTeacherForcing(ratio);
                m.forward(x, y, B, true);
                float[] before = m.prediction().toArray();
                y.set(1 * B + 2, 0, y.get(1 * B + 2, 0) + 5f);   // the truth of step 1, sequence 2
                m.forward(x, y, B, true);
                float[] after = m.prediction().toArray();
                y.set(1 * B + 2, 0, y.get(1 * B + 2, 0) - 5f);
                for (int t = 0; t < H; t++) {
                    for (int b = 0; b < B; b++) {
                        for (int c = 0; c < C; c++) {
                            int i = (t * B + b) * C + c;
                            boolean reads = ratio == 1f && t >= 2 && b == 2;
                            if (reads) assertNotEquals(before[i], after[i], "step " + t + " should read the truth");
                            else assertEquals(before[i], after[i], "ratio " + ratio + " step " + t + " sequence " + b);
                        }
                    }
                }
            }
            m.setTeacherForcing(1f);
            m.forward(x, y, B, false);   // inference never reads the target
            float[] inference = m.prediction().toArray();
            m.setTeacherForcing(0f);
            m.forward(x, y, B, true);
            assertArrayEquals(inference, m.prediction().toArray());
        }
    }

    @Test
    void theTeacherForcingDrawIsAFunctionOfTheCallCounter() {
        ForecastConfig cfg = ForecastConfig.encoderDecoder(C, L, 40, 4, 1, 0f, ForecastConfig.Norm.NONE, "mse");
        try (Arena a = Arena.ofShared(); EncoderDecoderForecaster m = new EncoderDecoderForecaster(cfg, 3, B)) {
            FloatMatrix x = DirectForecasterTest.random(a, L * B, C, 5), y = DirectForecasterTest.random(a, 40 * B, C, 6);
            m.setTeacherForcing(0.5f);
            m.forward(x, y, B, true);
            float first = m.forward(x, y, B, true);
            float[] second = m.prediction().toArray();
            assertEquals(2, m.teacherForcingCalls());
            m.setTeacherForcingCalls(1);
            assertEquals(first, m.forward(x, y, B, true));
            assertArrayEquals(second, m.prediction().toArray());
            m.forward(x, y, B, true);
            assertFalse(java.util.Arrays.equals(second, m.prediction().toArray()), "another call draws other steps");
        }
    }

    @Test
    void aSequenceGetsTheSameForecastAloneAsInABatch() {
        ForecastConfig cfg = ForecastConfig.encoderDecoder(C, L, H, 5, 1, 0f, ForecastConfig.Norm.REVIN, "mae");
        try (Arena a = Arena.ofShared(); EncoderDecoderForecaster m = new EncoderDecoderForecaster(cfg, 11, B)) {
            FloatMatrix x = DirectForecasterTest.random(a, L * B, C, 9);
            m.forward(x, null, B, false);
            float[] all = m.prediction().toArray();
            FloatMatrix one = FloatMatrix.allocate(a, L, C);
            for (int t = 0; t < L; t++) for (int c = 0; c < C; c++) one.set(t, c, x.get(t * B + 2, c));
            m.forward(one, null, 1, false);
            for (int h = 0; h < H; h++) for (int c = 0; c < C; c++) assertEquals(all[(h * B + 2) * C + c], m.prediction().get(h, c), 1e-5);
        }
    }

    @Test
    void parametersHavePyTorchNames() {
        ForecastConfig cfg = ForecastConfig.encoderDecoder(3, L, H, 4, 1, 0f, ForecastConfig.Norm.REVIN, "mse");
        try (EncoderDecoderForecaster m = new EncoderDecoderForecaster(cfg, 1, 2)) {
            assertEquals(List.of("gru.weight_ih_l0", "gru.weight_hh_l0", "gru.bias_ih_l0", "gru.bias_hh_l0",
                    "decoder.weight_ih_l0", "decoder.weight_hh_l0", "decoder.bias_ih_l0", "decoder.bias_hh_l0", "fc.weight", "fc.bias"),
                    m.parameters().stream().map(Parameter::name).toList());
            assertEquals(3, m.parameters().get(8).rows());
        }
        assertEquals(cfg, ForecastConfig.fromMetadata(cfg.toMetadata()));
        assertThrows(IllegalArgumentException.class, () -> new ForecastConfig(ForecastConfig.Architecture.ENCODER_DECODER,
                dev.recur.layers.rnn.CellType.GRU, 3, 1, 1, L, H, 4, 1, 0, 0f, ForecastConfig.Norm.NONE, "mse"));
    }
}
