package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * Reversible instance normalisation (RevIN, Kim et al., ICLR 2022), as the authors' {@code RevIN}
 * module: each window's channels are normalised with that window's own look-back mean and
 * standard deviation before the model, and the model's output is mapped back with the same
 * statistics, so a model sees series without their level and scale shifts.
 *
 * <pre>
 *   μ, σ  = mean and √(population variance + ε) of x[·, b, c] over the look-back
 *   normalise:    y = (x − μ)/σ · w_c + b_c
 *   denormalise:  x = (y − b_c)/(w_c + ε²) · σ + μ
 * </pre>
 *
 * <p>Learnable affine weight (ones) and bias (zeros) per channel, named
 * {@code <prefix>.affine_weight} and {@code <prefix>.affine_bias} (1 × C); ε = 1e-5. As in the
 * reference, μ and σ are constants for the gradient ({@code .detach()}): no gradient flows through
 * the statistics.
 *
 * <p>Matrices are time-major: {@code T·B × C}, row {@code t·B + b}, for any T (the look-back L on
 * the way in, the horizon H on the way out). Call {@link #statistics} on the look-back first; the
 * other methods use the statistics it stored. A {@link Module}: nothing allocated in steady state
 * (the statistics arrays grow only with the batch). Not thread-safe: one caller at a time.
 */
public final class RevIn implements InstanceNormalisation {
    /** The reference's ε, added to the variance and (squared) to the weight on the way back. */
    public static final float EPS = 1e-5f;

    private final int channels;
    private final boolean affine;
    private final Parameter weight;
    private final Parameter bias;
    private final List<Parameter> parameters;
    private float[] mean = new float[0];
    private float[] std = new float[0];
    private int batch;

    /**
     * @param channels C, the number of columns
     * @param affine   whether to learn the per-channel weight and bias (the reference's default: true)
     */
    public RevIn(Arena arena, String prefix, int channels, boolean affine) {
        if (channels < 1) throw new IllegalArgumentException("RevIN " + prefix + ": channels must be ≥ 1, got " + channels);
        this.channels = channels;
        this.affine = affine;
        weight = new Parameter(prefix + ".affine_weight", FloatMatrix.allocate(arena, 1, channels), FloatMatrix.allocate(arena, 1, channels));
        bias = new Parameter(prefix + ".affine_bias", FloatMatrix.allocate(arena, 1, channels), FloatMatrix.allocate(arena, 1, channels));
        weight.value().fill(1f);
        parameters = affine ? List.of(weight, bias) : List.of();
    }

    public int channels() { return channels; }

    public boolean affine() { return affine; }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    /** The affine weight and bias, or nothing when not affine. */
    @Override
    public List<Parameter> parameters() { return parameters; }

    /** The stored mean of window b, channel c. */
    public float mean(int b, int c) { return mean[b * channels + c]; }

    /** The stored standard deviation √(var + ε) of window b, channel c. */
    public float std(int b, int c) { return std[b * channels + c]; }

    /**
     * Computes and stores each window's mean and √(population variance + ε) per channel over the
     * look-back {@code x} ({@code L·B × C}). Arrays grow only when a batch is larger than any before.
     */
    public void statistics(FloatMatrix x, int batch) {
        int steps = steps("RevIN look-back", x, batch);
        this.batch = batch;
        if (mean.length < batch * channels) {
            mean = new float[batch * channels];
            std = new float[batch * channels];
        }
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                for (int t = 0; t < steps; t++) sum += x.get(t * batch + b, c);
                double mu = sum / steps;
                double sq = 0;
                for (int t = 0; t < steps; t++) {
                    double d = x.get(t * batch + b, c) - mu;
                    sq += d * d;
                }
                mean[b * channels + c] = (float) mu;
                std[b * channels + c] = (float) Math.sqrt(sq / steps + EPS);
            }
        }
    }

    /** {@code y = (x − μ)/σ · w + b} with the stored statistics; x and y are {@code T·B × C} (y overwritten; may be x). */
    public void normalise(FloatMatrix x, FloatMatrix y) {
        int steps = steps("RevIN input", x, batch);
        y.requireShape("RevIN output", x.rows(), channels);
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int row = t * batch + b;
                for (int c = 0; c < channels; c++) {
                    int s = b * channels + c;
                    float v = (x.get(row, c) - mean[s]) / std[s];
                    y.set(row, c, affine ? v * weight.value().get(0, c) + bias.value().get(0, c) : v);
                }
            }
        }
    }

    /**
     * Backward of {@link #normalise}: writes {@code dx = dy·w/σ} (overwritten; may be dy) and, when
     * affine, accumulates {@code dw += Σ dy·(x − μ)/σ} and {@code db += Σ dy}.
     */
    public void normaliseBackward(FloatMatrix x, FloatMatrix dy, FloatMatrix dx) {
        int steps = steps("RevIN input", x, batch);
        dy.requireShape("RevIN output gradient", x.rows(), channels);
        dx.requireShape("RevIN input gradient", x.rows(), channels);
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int row = t * batch + b;
                for (int c = 0; c < channels; c++) {
                    int s = b * channels + c;
                    float g = dy.get(row, c);
                    if (affine) {
                        float w = weight.value().get(0, c);
                        float xHat = (x.get(row, c) - mean[s]) / std[s];
                        addTo(weight.grad(), c, g * xHat);
                        addTo(bias.grad(), c, g);
                        dx.set(row, c, g * w / std[s]);
                    } else {
                        dx.set(row, c, g / std[s]);
                    }
                }
            }
        }
    }

    /** {@code out = (y − b)/(w + ε²) · σ + μ} with the stored statistics; y and out are {@code T·B × C} (out overwritten; may be y). */
    public void denormalise(FloatMatrix y, FloatMatrix out) {
        int steps = steps("RevIN model output", y, batch);
        out.requireShape("RevIN denormalised output", y.rows(), channels);
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int row = t * batch + b;
                for (int c = 0; c < channels; c++) {
                    int s = b * channels + c;
                    float v = y.get(row, c);
                    if (affine) v = (v - bias.value().get(0, c)) / (weight.value().get(0, c) + EPS * EPS);
                    out.set(row, c, v * std[s] + mean[s]);
                }
            }
        }
    }

    /**
     * Backward of {@link #denormalise}: writes {@code dy = dOut·σ/(w + ε²)} (overwritten; may be dOut)
     * and, when affine, accumulates {@code db −= Σ dOut·σ/(w + ε²)} and
     * {@code dw −= Σ dOut·σ·(y − b)/(w + ε²)²}.
     */
    public void denormaliseBackward(FloatMatrix y, FloatMatrix dOut, FloatMatrix dy) {
        int steps = steps("RevIN model output", y, batch);
        dOut.requireShape("RevIN denormalised output gradient", y.rows(), channels);
        dy.requireShape("RevIN model output gradient", y.rows(), channels);
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int row = t * batch + b;
                for (int c = 0; c < channels; c++) {
                    int s = b * channels + c;
                    float g = dOut.get(row, c) * std[s];
                    if (affine) {
                        float w = weight.value().get(0, c) + EPS * EPS;
                        float centred = y.get(row, c) - bias.value().get(0, c);
                        addTo(bias.grad(), c, -g / w);
                        addTo(weight.grad(), c, -g * centred / (w * w));
                        dy.set(row, c, g / w);
                    } else {
                        dy.set(row, c, g);
                    }
                }
            }
        }
    }

    private int steps(String what, FloatMatrix m, int batch) {
        if (batch < 1) throw new IllegalStateException("RevIN: call statistics(look-back, batch) with batch ≥ 1 first");
        if (m.cols() != channels || m.rows() % batch != 0 || m.rows() == 0) {
            throw new IllegalArgumentException(what + " must be T·" + batch + " × " + channels + " (time-major), got "
                    + m.rows() + "×" + m.cols());
        }
        return m.rows() / batch;
    }

    private static void addTo(FloatMatrix row, int c, float v) { row.set(0, c, row.get(0, c) + v); }
}
