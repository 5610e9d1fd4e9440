package dev.recur.app.lm;

import dev.recur.app.core.AppException;
/**
 * Cuts a long stream of ids into windows for truncated back-propagation through time.
 *
 * <p>The text is split into {@code batch} contiguous streams of equal length {@code L = n / batch}
 * (the few characters left over at the end are dropped). Window {@code w} holds, for every stream
 * {@code b}, the {@code k} inputs at positions {@code w·k … w·k+k-1} of that stream and, as targets,
 * the characters that follow them. Consecutive windows continue each stream where the previous one
 * stopped, so the recurrent state at the end of window {@code w} is the right initial state for
 * window {@code w+1} (state carried, gradient cut). The last window may be shorter than {@code k}.
 *
 * <p>Arrays are time-major: element {@code t·batch + b} is step {@code t} of stream {@code b},
 * matching the layers' {@code [T][B]} layout.
 */
public final class TbpttBatcher {
    private final int[] data;
    private final int batch;
    private final int window;
    private final int streamLength;

    public TbpttBatcher(int[] data, int batch, int window) {
        if (batch < 1) throw AppException.usage("--batch must be at least 1, got " + batch);
        if (window < 1) throw AppException.usage("--tbptt (window length) must be at least 1, got " + window);
        this.data = data;
        this.batch = batch;
        this.window = window;
        this.streamLength = data.length / batch;
        if (streamLength < 2) {
            throw new AppException(data.length + " characters cannot be cut into " + batch
                    + " streams of at least 2 characters; use a smaller --batch or a longer text");
        }
    }

    public int batch() { return batch; }

    public int window() { return window; }

    /** Characters per stream. */
    public int streamLength() { return streamLength; }

    /** Number of windows in one pass over the data (the last may be shorter). */
    public int windows() {
        return (streamLength - 1 + window - 1) / window;
    }

    /** Number of predicted characters in one pass: {@code batch · (L - 1)}. */
    public long targetsPerPass() { return (long) batch * (streamLength - 1); }

    /**
     * Fills window {@code w} into {@code inputs} and {@code targets} (each at least
     * {@code window·batch} long) and returns its number of steps {@code T ≤ window}.
     */
    public int fill(int w, int[] inputs, int[] targets) {
        if (w < 0 || w >= windows()) {
            throw new IndexOutOfBoundsException("window " + w + " of " + windows());
        }
        int start = w * window;
        int steps = Math.min(window, streamLength - 1 - start);
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int pos = b * streamLength + start + t;
                inputs[t * batch + b] = data[pos];
                targets[t * batch + b] = data[pos + 1];
            }
        }
        return steps;
    }
}
