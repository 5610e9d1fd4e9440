package dev.recur.app.forecast;

/**
 * The sliding windows (stride 1) of one part of a split over normalised data: window {@code w}
 * has the look-back rows {@code [first + w, first + w + L)} of every input channel and the target
 * rows {@code [first + w + L, first + w + L + H)} of every output channel, as the reference loaders'
 * {@code __getitem__}. Immutable view of shared data.
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
        if ((long) (first + count - 1 + lookback + horizon) * inputs > data.length) throw new IllegalArgumentException("windows run past the data");
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

    /** Target value of window w at horizon step h ∈ [0, H), output channel k. */
    public float target(int w, int h, int k) { return data[(first + w + lookback + h) * inputs + outputs[k]]; }

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
}
