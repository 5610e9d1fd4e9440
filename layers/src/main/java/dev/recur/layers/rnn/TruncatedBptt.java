package dev.recur.layers.rnn;

import dev.recur.engine.FloatMatrix;
import java.util.Objects;

/**
 * Truncated back-propagation through time: runs a long time-major batch through a
 * {@link RecurrentLayer} in windows of {@code window} steps. The state is carried from one window
 * to the next (the final state of window w is the initial state of window w+1) and the gradient is
 * cut at each window boundary (the carried state enters as a constant). Per window the caller's
 * {@link Window} turns the outputs into a loss gradient and, after backward, may step an optimizer.
 *
 * <pre>{@code
 * var tbptt = new TruncatedBptt(lstm);
 * tbptt.run(x, batch, lengths, 35, null, null, new TruncatedBptt.Window() {
 *     public FloatMatrix gradOutput(int w, int firstStep, int steps, FloatMatrix out) { return lossGrad(out); }
 *     public void afterBackward(int w) { optimizer.step(); lstm.zeroGrad(); }
 * });
 * }</pre>
 */
public final class TruncatedBptt {

    /** What to do with each window. */
    public interface Window {
        /**
         * Given window {@code window}'s outputs ({@code (steps·B) × outputSize}, covering steps
         * {@code firstStep .. firstStep+steps−1} of the whole batch), returns the gradient of the
         * loss w.r.t. them (same shape), or null to run no backward for this window.
         */
        FloatMatrix gradOutput(int window, int firstStep, int steps, FloatMatrix output);

        /** Called after the window's backward (e.g. clip, optimizer step, zero the gradients). */
        default void afterBackward(int window) {}
    }

    private final RecurrentLayer layer;
    private final int[] windowLengths;

    public TruncatedBptt(RecurrentLayer layer) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.windowLengths = new int[layer.maxBatch()];
    }

    /**
     * Runs the windows. {@code input} is {@code (T·batch) × inputSize} for any T (not bounded by the
     * layer's maxSteps, only {@code window} is); lengths as in {@link RecurrentLayer#forward} (at least {@code batch} entries, the first {@code batch} read).
     * Afterwards {@link RecurrentLayer#finalHidden()} holds the state after the whole batch.
     */
    public void run(FloatMatrix input, int batch, int[] lengths, int window, FloatMatrix h0, FloatMatrix c0,
                    Window body) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(body, "body");
        if (window < 1 || window > layer.maxSteps()) {
            throw new IllegalArgumentException("window " + window + " must be in [1, maxSteps = "
                    + layer.maxSteps() + "]");
        }
        if (batch < 1 || input.rows() % batch != 0) {
            throw new IllegalArgumentException("input rows " + input.rows() + " are not a multiple of batch " + batch);
        }
        if (lengths != null && lengths.length < batch) {
            throw new IllegalArgumentException("only " + lengths.length + " lengths given for a batch of " + batch
                    + "; pass at least one length per sequence (extra entries past the batch are ignored)");
        }
        int total = input.rows() / batch;
        FloatMatrix h = h0, c = c0;
        for (int w = 0, t0 = 0; t0 < total; w++, t0 += window) {
            int steps = Math.min(window, total - t0);
            for (int b = 0; b < batch; b++) {
                int len = lengths == null ? total : lengths[b];
                windowLengths[b] = Math.max(0, Math.min(steps, len - t0));
            }
            FloatMatrix x = input.rowRange(t0 * batch, steps * batch);
            int[] lens = windowLengths;  // the layer reads only the first batch entries
            boolean train = true;
            FloatMatrix out = layer.forward(x, batch, lens, h, c, train);
            FloatMatrix grad = body.gradOutput(w, t0, steps, out);
            if (grad != null) {
                layer.backward(grad, null, null);
                body.afterBackward(w);
            }
            // carry the state, cut the gradient: the final state becomes the next window's input
            h = layer.finalHidden();
            c = layer.config().cell().hasCellState() ? layer.finalCell() : null;
        }
    }
}
