package dev.recur.app.forecast;

import dev.recur.engine.FloatMatrix;

/**
 * The sliding windows (stride 1) of one part of a split over normalised data: window {@code w}
 * has the look-back rows {@code [first + w, first + w + L)} of every input channel and the target
 * rows {@code [first + w + L, first + w + L + H)} of every output channel, as the reference loaders'
 * {@code __getitem__}. Immutable view of shared data. The windows of a forecast past the end of
 * the data ({@link LatestWindow}) have a look-back and no targets.
 */
public final class Windows {
    private final float[] data;
    private final int inputs;
    private final int[] outputs;
    private final int first;
    private final int count;
    private final int lookback;
    private final int horizon;

    /**
     * @param data     normalised values, row-major: {@code data[row·inputs + c]}
     * @param inputs   input channels per row
     * @param outputs  the input channel of each output channel
     * @param first    the part's first row (look-back included)
     * @param count    the number of windows
     */
    Windows(float[] data, int inputs, int[] outputs, int first, int count, int lookback, int horizon) {
        if ((long) (first + count - 1 + lookback) * inputs > data.length) throw new IllegalArgumentException("look-backs run past the data");
        this.data = data;
        this.inputs = inputs;
        this.outputs = outputs.clone();
        this.first = first;
        this.count = count;
        this.lookback = lookback;
        this.horizon = horizon;
    }

    public int count() { return count; }

    public int lookback() { return lookback; }

    public int horizon() { return horizon; }

    /** Channels of the look-back (C_in). */
    public int inputChannels() { return inputs; }

    /** Channels of the forecast (C_out). */
    public int outputChannels() { return outputs.length; }

    /** The input channel that output channel k forecasts. */
    public int inputOf(int k) { return outputs[k]; }

    /** Row of the data (and of the file) where window w's look-back starts. */
    public int firstRow(int w) { return first + w; }

    /** Look-back value of window w at step t ∈ [0, L), input channel c. */
    public float input(int w, int t, int c) { return data[(first + w + t) * inputs + c]; }

    /** Whether the data holds the windows' targets (not for a forecast past the end of the data). */
    public boolean hasTargets() { return (long) (first + count - 1 + lookback + horizon) * inputs <= data.length; }

    /** Target value of window w at horizon step h ∈ [0, H), output channel k. */
    public float target(int w, int h, int k) {
        if (h < 0 || h >= horizon) throw new IndexOutOfBoundsException("step " + h + " of " + horizon);
        int i = (first + w + lookback + h) * inputs + outputs[k];
        if (i >= data.length) throw new IllegalStateException("window " + w + " forecasts past the end of the data: it has no targets");
        return data[i];
    }

    /** Copies window w's look-back, {@code L × C_in} row-major, to {@code dst[offset ..]}. */
    public void copyInput(int w, float[] dst, int offset) {
        System.arraycopy(data, (first + w) * inputs, dst, offset, lookback * inputs);
    }

    /** Copies window w's targets, {@code H × C_out} row-major, to {@code dst[offset ..]}. */
    public void copyTarget(int w, float[] dst, int offset) {
        for (int h = 0; h < horizon; h++) {
            for (int k = 0; k < outputs.length; k++) dst[offset + h * outputs.length + k] = target(w, h, k);
        }
    }

    /**
     * Writes a batch time-major, the layout of the model stack: windows {@code order[from + b]} for
     * b &lt; B into {@code input} ({@code L·B × C_in}, row {@code t·B + b} = step t of window b) and,
     * when not null, {@code target} ({@code H·B × C_out}, row {@code h·B + b}). Both are overwritten.
     */
    public void fillBatch(int[] order, int from, int batch, FloatMatrix input, FloatMatrix target) {
        input.requireShape("forecast input batch", lookback * batch, inputs);
        if (target != null) {
            target.requireShape("forecast target batch", horizon * batch, outputs.length);
            if (!hasTargets()) throw new IllegalStateException("these windows have no targets");
        }
        for (int b = 0; b < batch; b++) {
            int w = order[from + b];
            if (w < 0 || w >= count) throw new IndexOutOfBoundsException("window " + w + " of " + count);
            for (int t = 0; t < lookback; t++) {
                int src = (first + w + t) * inputs;
                for (int c = 0; c < inputs; c++) input.set(t * batch + b, c, data[src + c]);
            }
            if (target == null) continue;
            for (int h = 0; h < horizon; h++) {
                int src = (first + w + lookback + h) * inputs;
                for (int k = 0; k < outputs.length; k++) target.set(h * batch + b, k, data[src + outputs[k]]);
            }
        }
    }

    /**
     * Writes a batch channel-independent, for one model shared by every channel: each of the
     * {@code B·C} (window, channel) pairs is a series of one feature, sequence {@code b·C + c};
     * {@code input} is {@code L·(B·C) × 1} with row {@code t·B·C + b·C + c}, {@code target} (when
     * not null) {@code H·(B·C) × 1}. Needs the outputs to be the inputs ({@link Features#M} or
     * {@link Features#S}).
     */
    public void fillChannelIndependentBatch(int[] order, int from, int batch, FloatMatrix input, FloatMatrix target) {
        if (outputs.length != inputs) throw new IllegalStateException("channel independence needs every input channel forecast (features M or S)");
        int series = batch * inputs;
        input.requireShape("channel-independent input batch", lookback * series, 1);
        if (target != null) {
            target.requireShape("channel-independent target batch", horizon * series, 1);
            if (!hasTargets()) throw new IllegalStateException("these windows have no targets");
        }
        for (int b = 0; b < batch; b++) {
            int w = order[from + b];
            if (w < 0 || w >= count) throw new IndexOutOfBoundsException("window " + w + " of " + count);
            for (int t = 0; t < lookback; t++) {
                int src = (first + w + t) * inputs;
                for (int c = 0; c < inputs; c++) input.set(t * series + b * inputs + c, 0, data[src + c]);
            }
            if (target == null) continue;
            for (int h = 0; h < horizon; h++) {
                int src = (first + w + lookback + h) * inputs;
                for (int c = 0; c < inputs; c++) target.set(h * series + b * inputs + c, 0, data[src + outputs[c]]);
            }
        }
    }
}
