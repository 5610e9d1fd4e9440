package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.util.List;
import java.util.Objects;

/**
 * The recurrent stack as a module: a {@link RecurrentLayer} ({@code nn.RNN/LSTM/GRU}, stacked,
 * optionally bidirectional) named {@code <name>} — parameters {@code <name>.weight_ih_l0}, … —
 * run over a batch in the sorted order of a {@link BatchOrder}.
 *
 * <p><b>Truncated BPTT</b> is the layer's one mechanism, with two knobs:
 * <ul>
 *   <li>{@link #setStateful(boolean) stateful}: each forward starts from the previous forward's
 *       final states (h, and c for LSTM), detached — the gradient stops at the window start. The
 *       layer keeps the states in the caller's sequence order (this module passes it the batch's
 *       sort), so batches may be unsorted; the batch size must stay the same (sequence b continues
 *       sequence b). {@link #resetState()} starts from zero again. This is how a language model
 *       reads a long stream in windows.</li>
 *   <li>{@link #setGradientWindow(int) gradient window} k: inside one forward the recurrent
 *       gradient is cut every k steps while the loss still reaches every step.</li>
 * </ul>
 *
 * <p>Owns its native memory: {@link #close()} frees it.
 */
public final class RecurrentStack implements Module {
    private final String name;
    private final RecurrentLayer rnn;

    /** A stack whose parameters are named {@code <name>.weight_ih_l0}, …, with workspace for {@code maxSteps × maxBatch}. */
    public RecurrentStack(String name, RecurrentConfig config, int maxSteps, int maxBatch) {
        this.name = Objects.requireNonNull(name, "name");
        rnn = new RecurrentLayer(name + ".", config, maxSteps, maxBatch);
    }

    /** PyTorch's usual module name for a cell: {@code lstm}, {@code gru} or {@code rnn}. */
    public static String defaultName(CellType cell) {
        return switch (cell) {
            case LSTM -> "lstm";
            case GRU -> "gru";
            case RNN_TANH, RNN_RELU -> "rnn";
        };
    }

    /** The module name (prefix of the parameter names, without the dot). */
    public String name() { return name; }

    public RecurrentConfig config() { return rnn.config(); }

    /** Width of the output rows (directions · hidden). */
    public int outputSize() { return rnn.outputSize(); }

    /** The wrapped layer (for probes such as the gradient lab; the stack's own methods are the API). */
    public RecurrentLayer layer() { return rnn; }

    @Override
    public List<Parameter> parameters() { return rnn.parameters(); }

    /** Turns state carrying across forwards on or off ({@link RecurrentLayer#setStateful}); either forgets the carried state. */
    public void setStateful(boolean on) { rnn.setStateful(on); }

    public boolean isStateful() { return rnn.isStateful(); }

    /** Forgets the carried states: the next forward starts from zero. */
    public void resetState() { rnn.resetState(); }

    /** Zeroes the carried state of the caller's sequence {@code b} only (its stream starts anew). */
    public void resetState(int b) { rnn.resetState(b); }

    /**
     * The carried hidden state in the caller's order, {@code (L·D·B) × H} (row
     * {@code (l·D + d)·B + b}), for saving with a checkpoint; a view valid until the next forward.
     */
    public FloatMatrix carriedHidden() { return rnn.carriedHidden(); }

    /** The carried cell state (LSTM only), as {@link #carriedHidden()}. */
    public FloatMatrix carriedCell() { return rnn.carriedCell(); }

    /** Sets the carried state (resuming a stream): h, and c for LSTM ({@code null} otherwise), as {@link #carriedHidden()} gives them. */
    public void setCarriedState(FloatMatrix h, FloatMatrix c) { rnn.setCarriedState(h, c); }

    /** Sequences whose state is carried (0 when none is). */
    public int carriedBatch() { return rnn.carriedBatch(); }

    /** Truncated BPTT inside one forward: cut the recurrent gradient every {@code k} steps (0 = full BPTT). */
    public void setGradientWindow(int k) { rnn.setGradientWindow(k); }

    public int gradientWindow() { return rnn.gradientWindow(); }

    /** Position of the inter-layer dropout stream (for exact resume). */
    public long dropoutCalls() { return rnn.dropoutCalls(); }

    public void setDropoutCalls(long calls) { rnn.setDropoutCalls(calls); }

    /**
     * Runs the stack over {@code x} ({@code T·B × inputSize}, time-major, sequences in the sorted
     * order of {@code order}, whose sorted lengths are used). Returns {@code T·B × outputSize()}
     * in sorted order, padding rows 0, a view valid until the next forward.
     */
    public FloatMatrix forward(FloatMatrix x, BatchOrder order, boolean training) {
        int batch = order.size();
        if (rnn.isStateful()) return rnn.forward(x, batch, order.sortedLengths(), order.sources(), training);
        return rnn.forward(x, batch, order.sortedLengths(), null, null, training);
    }

    /** Back-propagates {@code dOut} (sorted order, as forward's output); returns the input gradient (a view). */
    public FloatMatrix backward(FloatMatrix dOut) {
        return rnn.backward(dOut, null, null);
    }

    /**
     * Back-propagates {@code dOut} and the gradients of the final states ({@link #finalHidden()},
     * {@link #finalCell()}; either may be null for zero), all in sorted order; returns the input
     * gradient (a view).
     */
    public FloatMatrix backward(FloatMatrix dOut, FloatMatrix dFinalHidden, FloatMatrix dFinalCell) {
        return rnn.backward(dOut, dFinalHidden, dFinalCell);
    }

    /** Final hidden states of the last forward, {@code (L·D·B) × H}, row {@code (l·D + d)·B + b}, sorted order (a view). */
    public FloatMatrix finalHidden() { return rnn.finalHidden(); }

    /** Final cell states (LSTM only), laid out as {@link #finalHidden()}. */
    public FloatMatrix finalCell() { return rnn.finalCell(); }

    @Override
    public void close() { rnn.close(); }
}
