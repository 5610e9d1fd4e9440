package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import java.util.List;

/**
 * The last-value normalisation of NLinear (Zeng et al., AAAI 2023) and of SegRNN's reference code
 * (its {@code revin=0} path, the default of the authors' scripts): each window's channels are
 * shifted by that window's last look-back value before the model, and the forecast is shifted back.
 *
 * <pre>
 *   ℓ = x[L − 1, b, c]                      (a constant for the gradient: .detach())
 *   normalise:    y = x − ℓ                  backward: dx = dy
 *   denormalise:  out = y + ℓ                backward: dy = dOut
 * </pre>
 *
 * <p>No parameters. Time-major {@code T·B × C} as {@link InstanceNormalisation}; call
 * {@link #statistics} on the look-back first. Nothing allocated in steady state (the stored row
 * grows only with the batch). Not thread-safe: one caller at a time.
 */
public final class LastValueShift implements InstanceNormalisation {
    private final int channels;
    private float[] last = new float[0];
    private int batch;

    public LastValueShift(int channels) {
        if (channels < 1) throw new IllegalArgumentException("last-value shift: channels must be ≥ 1, got " + channels);
        this.channels = channels;
    }

    public int channels() { return channels; }

    @Override
    public List<Parameter> parameters() { return List.of(); }

    @Override
    public boolean affine() { return false; }

    /** The stored last look-back value of window b, channel c. */
    public float last(int b, int c) { return last[b * channels + c]; }

    @Override
    public void statistics(FloatMatrix x, int batch) {
        int steps = steps("last-value shift look-back", x, batch);
        this.batch = batch;
        if (last.length < batch * channels) last = new float[batch * channels];
        int row0 = (steps - 1) * batch;
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) last[b * channels + c] = x.get(row0 + b, c);
        }
    }

    @Override
    public void normalise(FloatMatrix x, FloatMatrix y) { shift(x, y, -1f, "input"); }

    @Override
    public void denormalise(FloatMatrix y, FloatMatrix out) { shift(y, out, 1f, "model output"); }

    @Override
    public void normaliseBackward(FloatMatrix x, FloatMatrix dy, FloatMatrix dx) { pass(x, dy, dx, "input"); }

    @Override
    public void denormaliseBackward(FloatMatrix y, FloatMatrix dOut, FloatMatrix dy) { pass(y, dOut, dy, "model output"); }

    /** {@code to = from + sign·ℓ} for every row. */
    private void shift(FloatMatrix from, FloatMatrix to, float sign, String what) {
        int steps = steps("last-value shift " + what, from, batch);
        to.requireShape("last-value shift " + what + " result", from.rows(), channels);
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int row = t * batch + b;
                for (int c = 0; c < channels; c++) to.set(row, c, from.get(row, c) + sign * last[b * channels + c]);
            }
        }
    }

    /** The gradient of a shift by a constant: passed through unchanged. */
    private void pass(FloatMatrix value, FloatMatrix g, FloatMatrix out, String what) {
        steps("last-value shift " + what, value, batch);
        g.requireShape("last-value shift " + what + " gradient", value.rows(), channels);
        out.requireShape("last-value shift " + what + " gradient result", value.rows(), channels);
        if (out != g) out.copyFrom(g);
    }

    private int steps(String what, FloatMatrix m, int batch) {
        if (batch < 1) throw new IllegalStateException("last-value shift: call statistics(look-back, batch) with batch ≥ 1 first");
        if (m.cols() != channels || m.rows() % batch != 0 || m.rows() == 0) {
            throw new IllegalArgumentException(what + " must be T·" + batch + " × " + channels + " (time-major), got "
                    + m.rows() + "×" + m.cols());
        }
        return m.rows() / batch;
    }
}
