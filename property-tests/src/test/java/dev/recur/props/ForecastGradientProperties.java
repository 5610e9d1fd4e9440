package dev.recur.props;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.forecast.EncoderDecoderForecaster;
import dev.recur.layers.forecast.ForecastConfig;
import dev.recur.layers.forecast.ForecastModel;
import dev.recur.layers.rnn.CellType;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The forecasters of {@code layers/forecast} on generated small shapes: every parameter's analytic
 * gradient (a few elements of each) equals centred finite differences of the model's own loss.
 * The direct LSTM/GRU forecaster, the encoder–decoder (free-running, teacher-forced or mixed: the
 * teacher-forced steps are held fixed by resetting the draw counter before every evaluation) and
 * SegRNN, with and without RevIN, MSE or Huber loss, one or two layers, 1–3 channels and sequences.
 *
 * <p>The model computes in float32, so the finite differences use a step of 5e-3 and the tolerance
 * is {@code 3e-3 + 3 %} of the difference; one-sided differences are accepted near a kink (SegRNN's
 * ReLU, Huber's δ).
 */
class ForecastGradientProperties {

    enum Kind { DIRECT_LSTM, DIRECT_GRU, ENCODER_DECODER, SEGMENT }

    @Provide
    Arbitrary<Float> ratios() { return Arbitraries.of(0f, 0.5f, 1f); }

    @Property(tries = 40)
    void analyticGradientsMatchFiniteDifferences(@ForAll Kind kind, @ForAll @IntRange(min = 1, max = 3) int lookbackUnits,
                                                 @ForAll @IntRange(min = 1, max = 3) int horizonUnits,
                                                 @ForAll @IntRange(min = 1, max = 3) int channels,
                                                 @ForAll @IntRange(min = 1, max = 3) int batch,
                                                 @ForAll @IntRange(min = 1, max = 3) int hiddenHalf,
                                                 @ForAll @IntRange(min = 1, max = 2) int layers, @ForAll ForecastConfig.Norm norm,
                                                 @ForAll boolean huber, @ForAll("ratios") float ratio,
                                                 @ForAll @IntRange(min = 0, max = 1_000_000) int seed) {
        int w = 2, L = lookbackUnits * w, H = horizonUnits * w, hidden = 2 * hiddenHalf;
        String loss = huber ? "huber" : "mse";
        ForecastConfig cfg = switch (kind) {
            case DIRECT_LSTM, DIRECT_GRU -> ForecastConfig.direct(kind == Kind.DIRECT_LSTM ? CellType.LSTM : CellType.GRU, channels,
                    norm != ForecastConfig.Norm.NONE ? channels : 1, L, H, hidden, layers, norm, loss);
            case ENCODER_DECODER -> ForecastConfig.encoderDecoder(channels, L, H, hidden, layers, 0f, norm, loss);
            case SEGMENT -> ForecastConfig.segment(channels, L, H, hidden, w, 0f, norm, loss);
        };
        int seq = kind == Kind.SEGMENT ? batch * channels : batch;
        try (Arena a = Arena.ofShared(); ForecastModel m = ForecastModel.create(cfg, seed, seq)) {
            if (m instanceof EncoderDecoderForecaster ed) ed.setTeacherForcing(ratio);
            FloatMatrix x = random(a, L * seq, cfg.inputs(), seed + 1), y = random(a, H * seq, cfg.outputs(), seed + 2);
            java.util.function.DoubleSupplier f = () -> {
                if (m instanceof EncoderDecoderForecaster ed) ed.setTeacherForcingCalls(0);
                return m.forward(x, y, seq, true);
            };
            m.zeroGrad();
            f.getAsDouble();
            m.backward();
            for (Parameter p : m.parameters()) {
                for (int k = 0; k < 3; k++) {
                    int r = (k * 7 + 3) % p.rows(), c = (k * 5 + 1) % p.cols();
                    float old = p.value().get(r, c), h = 5e-3f;
                    p.value().set(r, c, old + h);
                    double up = f.getAsDouble();
                    p.value().set(r, c, old - h);
                    double down = f.getAsDouble();
                    p.value().set(r, c, old);
                    double mid = f.getAsDouble();
                    double analytic = p.grad().get(r, c);
                    boolean ok = close((up - down) / (2 * h), analytic) || close((up - mid) / h, analytic) || close((mid - down) / h, analytic);
                    if (!ok) {
                        throw new AssertionError(kind + " " + cfg + " ratio " + ratio + ": " + p.name() + "[" + r + "," + c + "] analytic "
                                + analytic + ", centred " + (up - down) / (2 * h));
                    }
                }
            }
        }
    }

    private static boolean close(double numeric, double analytic) {
        return Math.abs(numeric - analytic) <= 3e-3 + 0.03 * Math.abs(numeric);
    }

    private static FloatMatrix random(Arena a, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        FloatMatrix m = FloatMatrix.allocate(a, rows, cols);
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m.set(i, j, (float) (r.nextDouble() * 2 - 1));
        return m;
    }
}
