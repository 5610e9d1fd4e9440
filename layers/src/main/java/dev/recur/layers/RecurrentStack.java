package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Objects;

/**
 * The recurrent stack as a module: a {@link RecurrentLayer} ({@code nn.RNN/LSTM/GRU}, stacked,
 * optionally bidirectional) named {@code <name>} — parameters {@code <name>.weight_ih_l0}, … —
 * run over a batch in the sorted order of a {@link BatchOrder}.
 *
 * <p><b>Truncated BPTT</b>, one mechanism with two knobs:
 * <ul>
 *   <li>{@link #setStateful(boolean) stateful}: each forward starts from the previous forward's
 *       final states (h, and c for LSTM), detached — the gradient stops at the window start. The
 *       states are kept in the caller's sequence order, so batches may be unsorted; the batch size
 *       must stay the same (sequence b continues sequence b). {@link #resetState()} starts from zero
 *       again. This is how a language model reads a long stream in windows.</li>
 *   <li>{@link #setGradientWindow(int) gradient window} k: inside one forward the recurrent
 *       gradient is cut every k steps while the loss still reaches every step
 *       ({@link RecurrentLayer#setGradientWindow}).</li>
 * </ul>
 *
 * <p>Owns its native memory: {@link #close()} frees it.
 */
public final class RecurrentStack implements Module {
    private final String name;
    private final RecurrentLayer rnn;
    private final int blocksPerSequence;
    private final boolean lstm;
    private final Arena arena = Arena.ofShared();
    // carried states, caller order, and the sorted copies passed as initial states
    private final FloatMatrix carriedH, carriedC, h0, c0;
    private final RowViews h0View, c0View;
    private boolean stateful;
    private boolean haveCarried;
    private int carriedBatch;

    /** A stack whose parameters are named {@code <name>.weight_ih_l0}, …, with workspace for {@code maxSteps × maxBatch}. */
    public RecurrentStack(String name, RecurrentConfig config, int maxSteps, int maxBatch) {
        this.name = Objects.requireNonNull(name, "name");
        rnn = new RecurrentLayer(name + ".", config, maxSteps, maxBatch);
        blocksPerSequence = config.numLayers() * config.directions();
        lstm = config.cell().hasCellState();
        int rows = blocksPerSequence * maxBatch;
        carriedH = FloatMatrix.allocate(arena, rows, config.hiddenSize());
        h0 = FloatMatrix.allocate(arena, rows, config.hiddenSize());
        carriedC = lstm ? FloatMatrix.allocate(arena, rows, config.hiddenSize()) : null;
        c0 = lstm ? FloatMatrix.allocate(arena, rows, config.hiddenSize()) : null;
        h0View = new RowViews(h0);
        c0View = lstm ? new RowViews(c0) : null;
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

    /** Turns state carrying across forwards on or off (off forgets the carried state). */
    public void setStateful(boolean on) {
        stateful = on;
        if (!on) haveCarried = false;
    }

    public boolean isStateful() { return stateful; }

    /** Forgets the carried states: the next forward starts from zero. */
    public void resetState() { haveCarried = false; }

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
        FloatMatrix hInit = null, cInit = null;
        if (stateful && haveCarried) {
            if (carriedBatch != batch) {
                throw new IllegalArgumentException("the carried state is for a batch of " + carriedBatch
                        + " sequences but this batch has " + batch + "; keep the batch size fixed or call resetState()");
            }
            hInit = h0View.first(blocksPerSequence * batch);
            order.permuteStateRows(carriedH, hInit, blocksPerSequence, true);
            if (lstm) {
                cInit = c0View.first(blocksPerSequence * batch);
                order.permuteStateRows(carriedC, cInit, blocksPerSequence, true);
            }
        }
        FloatMatrix out = rnn.forward(x, batch, order.sortedLengths(), hInit, cInit, training);
        if (stateful) {
            order.permuteStateRows(rnn.finalHidden(), carriedH, blocksPerSequence, false);
            if (lstm) order.permuteStateRows(rnn.finalCell(), carriedC, blocksPerSequence, false);
            haveCarried = true;
            carriedBatch = batch;
        }
        return out;
    }

    /** Back-propagates {@code dOut} (sorted order, as forward's output); returns the input gradient (a view). */
    public FloatMatrix backward(FloatMatrix dOut) {
        return rnn.backward(dOut, null, null);
    }

    /**
     * The carried hidden state in the caller's order, {@code (L·D·B) × H} for the last batch size
     * (row {@code (l·D + d)·B + b}); meaningful after a stateful forward.
     */
    public FloatMatrix carriedHidden() { return carriedH.rowRange(0, blocksPerSequence * carriedBatchOrMax()); }

    /** The carried cell state (LSTM), as {@link #carriedHidden()}, or null for other cells. */
    public FloatMatrix carriedCell() { return lstm ? carriedC.rowRange(0, blocksPerSequence * carriedBatchOrMax()) : null; }

    /**
     * Sets the carried state (for resuming a stream): {@code h} (and {@code c} for LSTM) in the
     * caller's order for a batch of {@code batch} sequences; the next stateful forward starts from it.
     */
    public void setCarriedState(FloatMatrix h, FloatMatrix c, int batch) {
        int rows = blocksPerSequence * batch;
        carriedH.rowRange(0, rows).copyFrom(h);
        if (lstm) {
            if (c == null) throw new IllegalArgumentException("an LSTM's carried state needs the cell state c");
            carriedC.rowRange(0, rows).copyFrom(c);
        }
        carriedBatch = batch;
        haveCarried = true;
    }

    private int carriedBatchOrMax() { return haveCarried ? carriedBatch : rnn.maxBatch(); }

    @Override
    public void close() {
        rnn.close();
        arena.close();
    }
}
