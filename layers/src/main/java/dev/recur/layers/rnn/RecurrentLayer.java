package dev.recur.layers.rnn;

import dev.recur.engine.DropoutMask;
import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.HasParameters;
import dev.recur.layers.Parameter;
import dev.recur.layers.RowViews;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A multi-layer, optionally bidirectional RNN, LSTM or GRU over a batch of variable-length
 * sequences: PyTorch's {@code nn.RNN}, {@code nn.LSTM} and {@code nn.GRU} with packed sequences,
 * same equations, gate order, parameter names and shapes, state layout.
 *
 * <h2>Data layout</h2>
 * <ul>
 *   <li><b>Input</b>: time-major {@code [T][B][F]} as a {@code (T·B) × F} {@link FloatMatrix}: row
 *       {@code t·B + b} is step t of sequence b. Any leading dimension.</li>
 *   <li><b>Lengths</b>: {@code lengths[b]} in {@code [0, T]}, <b>non-increasing</b> in b (as
 *       PyTorch's {@code pack_padded_sequence(enforce_sorted=True)}; sort the batch by length,
 *       {@link #descendingOrder(int[])} helps). Steps {@code t ≥ lengths[b]} are padding: their input
 *       rows are never read into the state (they must hold finite numbers), their outputs are 0,
 *       they get no gradient, and the reverse direction of sequence b starts at its own last step
 *       {@code lengths[b] − 1}. The array may be longer than B: only its first B entries are read,
 *       so one array sized for the largest batch serves every smaller one without allocation.</li>
 *   <li><b>Output</b>: {@code (T·B) × outputSize()}, row {@code t·B + b}; bidirectional CONCAT puts
 *       the forward direction in columns {@code [0, H)} and the reverse in {@code [H, 2H)}.
 *       Padding rows are 0.</li>
 *   <li><b>States</b> (initial in, final out, and their gradients): {@code (L·D·B) × H}, row
 *       {@code (l·D + d)·B + b} for layer l, direction d (0 forward, 1 reverse): PyTorch's
 *       {@code h_n[l·D + d][b]}. The final state of sequence b is taken at its own last step (at
 *       step 0 for the reverse direction); a sequence of length 0 passes its initial state through.</li>
 * </ul>
 *
 * <h2>Use</h2>
 * <pre>{@code
 * var lstm = new RecurrentLayer("lstm.", RecurrentConfig.of(CellType.LSTM, 128, 128), 200, 64);
 * FloatMatrix out = lstm.forward(x, 64, lengths, null, null, true);   // (200·64) × 128
 * FloatMatrix hN = lstm.finalHidden();                                // (1·1·64) × 128
 * // ... loss gives dOut (same shape as out) and/or dhN ...
 * FloatMatrix dx = lstm.backward(dOut, dhN, null);                    // accumulates into grads
 * }</pre>
 * Matrices returned by {@code forward}, {@code backward} and the state getters are views of the
 * layer's own workspace: valid until the next call that rewrites them, never to be closed by the
 * caller. Gradients accumulate ({@code +=}) into each {@link Parameter#grad()}.
 *
 * <h2>Truncated BPTT and carried state</h2>
 * One mechanism, two knobs. {@link #setGradientWindow(int) setGradientWindow(k)} cuts the recurrent
 * gradient every k steps inside one forward over the whole sequence (for a many-to-one model whose
 * loss pools over every step). {@link #setStateful(boolean) setStateful(true)} carries each
 * sequence's final h (and c) into the next forward as a detached initial state, so consecutive
 * windows of long sequences continue where they stopped while the gradient stops at the window
 * border (a language model over text streams). The carried state is kept in the caller's row order;
 * a caller that sorts each window by length passes its permutation to
 * {@link #forward(FloatMatrix, int, int[], int[], boolean)}. {@link #carriedHidden()},
 * {@link #setCarriedState} and {@link #resetState()} read, write and clear it (checkpoints, resume,
 * new documents).
 *
 * <h2>Cost and threads</h2>
 * Forward: one GEMM for the input projection of all steps; per step, only the recurrent GEMM
 * {@code h_{t-1}·W_hhᵀ} on the {@code n_t} active rows and one fused kernel. Backward: per step the
 * fused backward kernel and {@code dG_t·W_hh}; then {@code dW_ih}, {@code dW_hh}, the biases and
 * {@code dX} as a few GEMMs over all steps. The recurrence runs over {@link Engine#pool()} as
 * {@link RecurrenceScheduler} chooses from measured time: batch-parallel (each worker takes a block
 * of sequences through every step, no per-step barrier) or per step. No sum runs across rows whose
 * order depends on the split, so the numbers are the same bits for any thread count and either
 * split. After construction, forward and backward allocate nothing (except a new result view when
 * the batch shape changes). Caller memory confined to the calling thread (an initial state, a
 * gradient) is allowed; the steps then run on the calling thread only.
 *
 * <p>The parts: {@link RecurrentDirection} is one direction of one layer (its weights and its
 * recurrence, in row ranges), {@link RecurrenceScheduler} spreads a layer's recurrence over the
 * threads, and this class stacks the layers and directions (inter-layer dropout, merging, states).
 *
 * <p>Not thread-safe: one caller at a time. Close to free its off-heap memory (parameters included).
 */
public final class RecurrentLayer implements HasParameters, AutoCloseable {
    private final RecurrentConfig cfg;
    private final CellType cell;
    private final int hidden, numLayers, numDirs, outW, maxSteps, maxBatch;
    private final Arena arena = Arena.ofShared();
    private final RecurrentDirection[][] dirs;
    private final List<Parameter> params;
    private final ActiveRows rows;
    private final RecurrenceScheduler scheduler;
    private final CarriedState carried;
    private final SplitPasses passes = new SplitPasses();
    private final TallGemm tallGemm = new TallGemm();
    /** Seed of the inter-layer dropout masks. */
    private final long dropoutSeed;
    /** Training forwards that drew inter-layer dropout masks so far: the mask stream's position. */
    private long dropoutCalls;

    // per layer l
    private final MemorySegment[] out;      // maxT·maxB × outW
    private final MemorySegment[] mask;     // dropout mask on out[l] (l < L−1), when dropout > 0
    private final MemorySegment[] dropped;  // out[l] ⊙ mask[l]: layer l+1's input in training
    private final MemorySegment[] dIn;      // gradient w.r.t. layer l's input, maxT·maxB × inW(l)
    private final StateBuffers states;      // hN, cN, dh0, dc0: L·D·maxB × H
    private final MemorySegment zeros;       // maxB × max(gH, outW) zeros, for clearing rows
    private final MemorySegment gradScratch; // (in + H) × gH: the weight gradients before their transpose

    // the last forward call
    private boolean dropoutOn;
    private FloatMatrix input;
    private boolean backwardReady;
    /** Gradient window K of truncated BPTT inside one forward (0 = full BPTT); see {@link #setGradientWindow}. */
    private int gradientWindow;
    private boolean stateful;

    private final RowViews outputView, inputGradView, hNView, cNView, dh0View, dc0View;

    /**
     * Creates the layer, initialises its parameters (see {@link RecurrentConfig}) and allocates the
     * workspace for up to {@code maxSteps} steps of up to {@code maxBatch} sequences.
     *
     * @param namePrefix prefix of every parameter name, e.g. {@code "lstm."} gives
     *                   {@code lstm.weight_ih_l0}
     */
    public RecurrentLayer(String namePrefix, RecurrentConfig config, int maxSteps, int maxBatch) {
        Objects.requireNonNull(namePrefix, "namePrefix");
        this.cfg = Objects.requireNonNull(config, "config");
        if (maxSteps < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("RecurrentLayer: maxSteps and maxBatch must be ≥ 1, got "
                    + maxSteps + " and " + maxBatch);
        }
        this.cell = config.cell();
        this.hidden = config.hiddenSize();
        int gateWidth = cell.gates() * hidden;
        this.numLayers = config.numLayers();
        this.numDirs = config.directions();
        this.outW = config.outputSize();
        this.maxSteps = maxSteps;
        this.maxBatch = maxBatch;
        this.dropoutSeed = config.seed() ^ 0x5DEECE66DL;
        this.rows = new ActiveRows(maxSteps, maxBatch);
        this.scheduler = new RecurrenceScheduler(rows, maxBatch);

        long tb = (long) maxSteps * maxBatch;
        int stateRows = numLayers * numDirs * maxBatch;
        long stateFloats = (long) stateRows * hidden;
        states = new StateBuffers(floats(stateFloats), cell.hasCellState() ? floats(stateFloats) : null,
                floats(stateFloats), cell.hasCellState() ? floats(stateFloats) : null);
        zeros = floats((long) maxBatch * Math.max(gateWidth, outW));
        gradScratch = floats((long) (Math.max(config.inputSize(), outW) + hidden) * gateWidth);
        dirs = new RecurrentDirection[numLayers][numDirs];
        List<Parameter> ps = new ArrayList<>();
        for (int l = 0; l < numLayers; l++) {
            for (int d = 0; d < numDirs; d++) {
                RecurrentDirection dir = new RecurrentDirection(namePrefix, l, d == 1, config.layerInputSize(l), config,
                        maxSteps, maxBatch, rows, states, zeros, this::floats);
                dirs[l][d] = dir;
                ps.add(dir.wih);
                ps.add(dir.whh);
                ps.add(dir.bih);
                ps.add(dir.bhh);
            }
        }
        params = Collections.unmodifiableList(ps);
        out = new MemorySegment[numLayers];
        mask = new MemorySegment[numLayers];
        dropped = new MemorySegment[numLayers];
        dIn = new MemorySegment[numLayers];
        for (int l = 0; l < numLayers; l++) {
            out[l] = floats(tb * outW);
            dIn[l] = floats(tb * config.layerInputSize(l));
            if (l < numLayers - 1 && config.dropout() > 0f) {
                mask[l] = floats(tb * outW);
                dropped[l] = floats(tb * outW);
            }
        }
        outputView = rowViews(out[numLayers - 1], (int) tb, outW);
        inputGradView = rowViews(dIn[0], (int) tb, config.inputSize());
        hNView = rowViews(states.hN, stateRows, hidden);
        dh0View = rowViews(states.dh0, stateRows, hidden);
        cNView = states.cN == null ? null : rowViews(states.cN, stateRows, hidden);
        dc0View = states.dc0 == null ? null : rowViews(states.dc0, stateRows, hidden);
        carried = new CarriedState(matrix(stateRows, hidden), cell.hasCellState() ? matrix(stateRows, hidden) : null,
                matrix(stateRows, hidden), cell.hasCellState() ? matrix(stateRows, hidden) : null,
                numLayers * numDirs, maxBatch, zeros);
        Initializer.initialize(this);
    }

    private MemorySegment floats(long n) {
        return arena.allocate(Math.max(1, n) * Float.BYTES, FloatMatrix.ALIGNMENT);
    }

    private FloatMatrix matrix(int r, int c) {
        return FloatMatrix.wrap(floats((long) r * c), r, c, c);
    }

    private static RowViews rowViews(MemorySegment seg, int r, int c) {
        return new RowViews(FloatMatrix.wrap(seg, r, c, c));
    }

    // ------------------------------------------------------------------ public API

    public RecurrentConfig config() { return cfg; }

    /** Width of the output rows: 2H for bidirectional CONCAT, else H. */
    public int outputSize() { return outW; }

    public int maxSteps() { return maxSteps; }

    public int maxBatch() { return maxBatch; }

    /**
     * Parameters in PyTorch's order: for each layer l and direction ({@code ""}, {@code "_reverse"}):
     * {@code weight_ih_l{l}} (gates·H × in), {@code weight_hh_l{l}} (gates·H × H),
     * {@code bias_ih_l{l}} (1 × gates·H), {@code bias_hh_l{l}} (1 × gates·H).
     */
    @Override
    public List<Parameter> parameters() { return params; }

    /** The parameter with this full name (prefix included), or a clear error. */
    public Parameter parameter(String name) {
        for (Parameter p : params) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("no parameter named '" + name + "'; this layer has " + params);
    }

    /**
     * Number of training forwards so far that drew inter-layer dropout masks (only when
     * {@code numLayers > 1} and {@code dropout > 0}): the position of the mask stream. Masks are a
     * pure function of (seed, this counter, element index) ({@link DropoutMask}), so saving this
     * number and giving it back with {@link #setDropoutCalls} resumes the exact same masks.
     */
    public long dropoutCalls() { return dropoutCalls; }

    /** Restores the inter-layer dropout stream's position saved from {@link #dropoutCalls()} (≥ 0). */
    public void setDropoutCalls(long calls) {
        if (calls < 0) {
            throw new IllegalArgumentException("dropout call counter must be ≥ 0, got " + calls
                    + " (restore a value saved from dropoutCalls())");
        }
        this.dropoutCalls = calls;
    }

    /**
     * Truncated back-propagation through time inside one {@link #forward}: with {@code k ≥ 1}, the
     * recurrent gradient (dh, and dc for LSTM) is cut at the boundaries of the time windows
     * {@code [0, k), [k, 2k), …}: it does not flow from a step of window w into window w−1. The
     * forward pass, the outputs and the gradient reaching each step from {@code gradOutput} are
     * unchanged, so this is what PyTorch users get by detaching the state every k steps while the
     * loss still sees every step's output. Every layer and both directions use the same windows: the
     * forward direction drops the carried gradient after the backward of step t when
     * {@code t % k == 0} (t > 0); the reverse direction, whose chain runs from step t+1 to step t,
     * drops it after step t when {@code (t + 1) % k == 0}. The gradients w.r.t. the initial states
     * still flow within the window that starts from them. {@code k ≥ T} (and the default 0) is full
     * BPTT, bit for bit. Costs nothing extra and allocates nothing.
     *
     * @param k window length in steps, ≥ 1, or 0 for full BPTT
     */
    public void setGradientWindow(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("gradient window must be ≥ 1 steps (or 0 for full BPTT), got " + k);
        }
        this.gradientWindow = k;
        for (RecurrentDirection[] layer : dirs) for (RecurrentDirection d : layer) d.gradientWindow = k;
    }

    /** The truncated-BPTT window set by {@link #setGradientWindow} (0 = full BPTT). */
    public int gradientWindow() { return gradientWindow; }

    /**
     * Runs the layer over a batch.
     *
     * @param input    {@code (T·batch) × inputSize}, time-major; T = input.rows() / batch ≤ maxSteps
     * @param batch    B ≤ maxBatch
     * @param lengths  at least B lengths: the first B are read (each in [0, T], non-increasing) and
     *                 the rest ignored, so a caller can pass one workspace array sized for its
     *                 largest batch to every smaller batch; {@code null} means all T
     * @param h0       initial hidden state {@code (L·D·B) × H}, or {@code null} for zeros; must be
     *                 null for a {@linkplain #setStateful stateful} layer (it starts from its
     *                 carried state, in the identity row order)
     * @param c0       initial cell state (LSTM only), same shape, or {@code null} for zeros
     * @param training true to apply inter-layer dropout (and allow {@link #backward})
     * @return the last layer's outputs, {@code (T·B) × outputSize()}, padding rows 0
     */
    public FloatMatrix forward(FloatMatrix input, int batch, int[] lengths, FloatMatrix h0, FloatMatrix c0,
                               boolean training) {
        if (stateful) {
            if (h0 != null || c0 != null) {
                throw new IllegalArgumentException("this layer is stateful: its initial state is the carried state;"
                        + " pass null h0 and c0 (write the state with setCarriedState) or call setStateful(false)");
            }
            return forward(input, batch, lengths, null, training);
        }
        return run(input, batch, lengths, h0, c0, training);
    }

    /**
     * Runs a {@linkplain #setStateful stateful} layer over the next window of its sequences, whose
     * rows the caller has permuted (e.g. sorted by length): row i of this batch is the caller's
     * sequence {@code order[i]}. The carried state is kept in the caller's row order, so the
     * sequence {@code order[i]} continues from its own state whatever position the sort gives it in
     * each window. Arguments otherwise as in {@link #forward(FloatMatrix, int, int[], FloatMatrix,
     * FloatMatrix, boolean)}; {@link #finalHidden()} stays in this batch's (sorted) order.
     *
     * @param order a permutation of {@code [0, batch)} in its first {@code batch} entries (longer
     *              arrays allowed, the rest ignored), or {@code null} for the identity
     * @throws IllegalStateException when the layer is not stateful
     */
    public FloatMatrix forward(FloatMatrix input, int batch, int[] lengths, int[] order, boolean training) {
        if (!stateful) {
            throw new IllegalStateException("forward with a row order carries state: call setStateful(true) first");
        }
        carried.check(order, batch);
        FloatMatrix h0 = carried.stagedHidden(order, batch), c0 = carried.stagedCell(order, batch);
        FloatMatrix result = run(input, batch, lengths, h0, c0, training);
        carried.keep(states.hN, states.cN, order, batch);
        return result;
    }

    /**
     * Stateful carrying of h (and c) across forwards: when on, each {@code forward} starts from the
     * carried state (zeros after {@link #resetState()} or at first) and afterwards carries its
     * final state — taken for each sequence at its own last step, as {@link #finalHidden()} — into
     * the next. The carried state enters the next forward as a constant: the gradient stops at the
     * window border ({@link #gradInitialHidden()} still reports it). This is truncated BPTT over
     * consecutive windows of long sequences (a language model's text streams); combine it with
     * {@link #setGradientWindow} to also cut inside a window. The batch size must stay the same
     * while state is carried. Works in training and inference. Switching it on or off forgets the
     * carried state. Default off: every forward starts from its h0/c0 argument.
     */
    public void setStateful(boolean on) {
        stateful = on;
        carried.reset();
    }

    /** Whether the layer carries state across forwards ({@link #setStateful}). */
    public boolean isStateful() { return stateful; }

    /** Forgets the carried state of every sequence: the next forward starts from zeros. */
    public void resetState() { carried.reset(); }

    /**
     * Zeroes the carried state of one sequence (the caller's row {@code row}), e.g. when its stream
     * starts a new document; the others keep theirs. Nothing to do when no state is carried.
     */
    public void resetState(int row) { carried.reset(row); }

    /** Sequences whose state is carried, 0 when none is (the next stateful forward starts from zeros). */
    public int carriedBatch() { return carried.batch(); }

    /**
     * The carried hidden state, {@code (L·D·B) × H} in the caller's row order (row
     * {@code (l·D + d)·B + b} for the caller's sequence b; B = {@link #carriedBatch()}), for saving
     * it with a checkpoint. A view of the layer's workspace, valid until the next forward.
     *
     * @throws IllegalStateException when no state is carried
     */
    public FloatMatrix carriedHidden() { return carried.hidden(); }

    /** The carried cell state (LSTM only), laid out as {@link #carriedHidden()}. */
    public FloatMatrix carriedCell() { return carried.cell(cell.toString()); }

    /**
     * Sets the carried state (to resume from a checkpoint): {@code h} is {@code (L·D·B) × H} in the
     * caller's row order, as {@link #carriedHidden()} returns it, for some B in [1, maxBatch];
     * {@code c} the cell state, required for LSTM and {@code null} otherwise. Copied.
     */
    public void setCarriedState(FloatMatrix h, FloatMatrix c) {
        carried.set(Objects.requireNonNull(h, "h"), c, cell.toString());
    }

    private FloatMatrix run(FloatMatrix input, int batch, int[] lengths, FloatMatrix h0, FloatMatrix c0,
                            boolean training) {
        int t = checkInput(input, batch, lengths);
        checkState("h0", h0, batch);
        if (c0 != null && !cell.hasCellState()) {
            throw new IllegalArgumentException("c0 was given but a " + cell + " layer has no cell state; pass null");
        }
        checkState("c0", c0, batch);
        rows.set(t, batch, lengths);
        this.input = input;
        this.dropoutOn = training && cfg.dropout() > 0f && numLayers > 1;
        boolean mayUseWorkers = sharedWithWorkers(h0) && sharedWithWorkers(c0);
        boolean stepsMayUseWorkers = mayUseWorkers && sharedWithWorkers(input);
        boolean stepwise = cell != CellType.GRU || stepwise(batch, stepsMayUseWorkers);
        if (stepwise) mayUseWorkers = stepsMayUseWorkers; // the steps read the input
        boolean mergeLater = numDirs == 2 && cfg.merge() == DirectionMerge.SUM;
        long dropoutKey = dropoutOn ? DropoutMask.callKey(dropoutSeed, ++dropoutCalls) : 0L;
        for (int l = 0; l < numLayers; l++) {
            MemorySegment x = l == 0 ? input.segment() : dropoutOn ? dropped[l - 1] : out[l - 1];
            int ldx = l == 0 ? input.ld() : outW;
            for (RecurrentDirection d : dirs[l]) d.prepareForward(x, ldx, h0, c0, stepwise, training, tallGemm);
            scheduler.forward(dirs[l], out[l], outW, hidden, mergeLater, mayUseWorkers);
            if (mergeLater) {
                dirs[l][0].writeOutput(out[l], outW, 0, false, 0, batch);
                dirs[l][1].writeOutput(out[l], outW, 0, true, 0, batch);
            }
            if (dropoutOn && l < numLayers - 1) {
                // element i of layer l is element l·n + i of this call's stream: layers never share draws
                passes.dropout(dropoutKey, l, cfg.dropout(), out[l], mask[l], dropped[l], (long) t * batch * outW);
            }
        }
        backwardReady = training;
        return outputView.first(t * batch);
    }

    /**
     * Whether the steps make the first direction's input gradient (backward) and, for the GRU, the
     * input projection (forward) for their own rows, rather than one all-steps GEMM before or after
     * the recurrence. The LSTM's and RNN's forward steps always make their own projection, joined
     * with the recurrent product into one GEMM ({@code Gemm.sgemmSerialJoined}) whose sums differ
     * from an all-steps projection's: so no batch size or thread count changes a bit. Step by step, the gate rows stay in cache (the LSTM and GRU, 4 and 3 gates; the
     * gain was within the noise of a loaded machine, docs/kernels.md); the one-gate RNN measured
     * slower so (its step products, N = H, are too narrow to pay for a second GEMM call per step). On several threads a small batch's steps
     * run on fewer threads than the pool has, while the all-steps GEMM splits T·B rows over all of
     * them. Same bits either way.
     *
     * @param stepsMayUseWorkers whether the steps may run on the pool's workers with the memory they would read
     */
    private boolean stepwise(int batch, boolean stepsMayUseWorkers) {
        if (cell.gates() < 3) return false;
        int threads = Engine.pool().threads();
        return threads == 1 || (stepsMayUseWorkers && batch >= STEPWISE_ROWS_PER_THREAD * threads);
    }

    /** Rows per thread from which the steps' own projections keep every thread busy (the scheduler's smallest per-step piece). */
    private static final int STEPWISE_ROWS_PER_THREAD = 8;

    /** True when the pool's workers may read m (null counts as yes). */
    private static boolean sharedWithWorkers(FloatMatrix m) {
        if (m == null) return true;
        Thread worker = Engine.pool().anyWorker();
        return worker == null || m.segment().isAccessibleBy(worker);
    }

    /** Final hidden state of the last {@link #forward}: {@code (L·D·B) × H}, row (l·D+d)·B + b. */
    public FloatMatrix finalHidden() {
        requireForward("finalHidden");
        return hNView.first(numLayers * numDirs * rows.batch());
    }

    /** Final cell state (LSTM only), laid out as {@link #finalHidden()}. */
    public FloatMatrix finalCell() {
        requireForward("finalCell");
        if (cNView == null) throw new IllegalStateException("a " + cell + " layer has no cell state");
        return cNView.first(numLayers * numDirs * rows.batch());
    }

    /**
     * Back-propagates through the last training {@link #forward}, accumulating every parameter's
     * gradient, and returns the gradient w.r.t. the input.
     *
     * @param gradOutput      gradient w.r.t. the output {@code (T·B) × outputSize()}, or null for 0
     *                        (padding rows are ignored)
     * @param gradFinalHidden gradient w.r.t. {@link #finalHidden()}, same shape, or null for 0
     * @param gradFinalCell   gradient w.r.t. {@link #finalCell()} (LSTM), or null for 0
     * @return gradient w.r.t. the input, {@code (T·B) × inputSize}, padding rows 0
     */
    public FloatMatrix backward(FloatMatrix gradOutput, FloatMatrix gradFinalHidden, FloatMatrix gradFinalCell) {
        if (!backwardReady) {
            throw new IllegalStateException("backward needs a preceding forward(..., training = true); "
                    + (rows.steps() < 0 ? "no forward ran yet" : "the last forward was in inference mode"));
        }
        int batch = rows.batch(), n = rows.steps() * batch;
        if (gradOutput != null) gradOutput.requireShape("gradOutput", n, outW);
        checkState("gradFinalHidden", gradFinalHidden, batch);
        if (gradFinalCell != null && !cell.hasCellState()) {
            throw new IllegalArgumentException("gradFinalCell was given but a " + cell + " layer has no cell state");
        }
        checkState("gradFinalCell", gradFinalCell, batch);
        boolean mayUseWorkers = sharedWithWorkers(gradOutput) && sharedWithWorkers(gradFinalHidden)
                && sharedWithWorkers(gradFinalCell);
        boolean stepwise = stepwise(batch, mayUseWorkers);
        for (int l = numLayers - 1; l >= 0; l--) {
            MemorySegment dOut;
            int ldOut;
            if (l == numLayers - 1) {
                dOut = gradOutput == null ? null : gradOutput.segment();
                ldOut = gradOutput == null ? outW : gradOutput.ld();
            } else {
                dOut = dIn[l + 1];
                ldOut = outW;
                if (dropoutOn) passes.multiply(dIn[l + 1], mask[l], (long) n * outW);
            }
            MemorySegment x = l == 0 ? input.segment() : dropoutOn ? dropped[l - 1] : out[l - 1];
            int ldx = l == 0 ? input.ld() : outW;
            for (int d = 0; d < numDirs; d++) {
                int col = cfg.merge() == DirectionMerge.CONCAT ? d * hidden : 0;
                // the first direction writes dX step by step; a second one adds its part afterwards
                dirs[l][d].prepareBackward(dOut, col, ldOut, gradFinalHidden, gradFinalCell,
                        d == 0 && stepwise ? dIn[l] : null);
            }
            scheduler.backward(dirs[l], mayUseWorkers);
            for (int d = 0; d < numDirs; d++) dirs[l][d].weightGradients(x, ldx, dIn[l], d > 0, gradScratch, passes, tallGemm);
        }
        return inputGradView.first(n);
    }

    /** Gradient w.r.t. the initial hidden state h0 after {@link #backward}, laid out as h0. */
    public FloatMatrix gradInitialHidden() {
        requireForward("gradInitialHidden");
        return dh0View.first(numLayers * numDirs * rows.batch());
    }

    /** Gradient w.r.t. the initial cell state c0 (LSTM) after {@link #backward}. */
    public FloatMatrix gradInitialCell() {
        requireForward("gradInitialCell");
        if (dc0View == null) throw new IllegalStateException("a " + cell + " layer has no cell state");
        return dc0View.first(numLayers * numDirs * rows.batch());
    }

    /**
     * The permutation that sorts a batch by non-increasing length (stable): {@code order[i]} is the
     * original index of the sequence that goes to position i.
     */
    public static int[] descendingOrder(int[] lengths) {
        Integer[] idx = new Integer[lengths.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Integer.compare(lengths[b], lengths[a]));
        int[] order = new int[idx.length];
        for (int i = 0; i < order.length; i++) order[i] = idx[i];
        return order;
    }

    @Override
    public void close() { arena.close(); }

    // ------------------------------------------------------------------ checks

    private int checkInput(FloatMatrix in, int b, int[] lens) {
        Objects.requireNonNull(in, "input");
        if (b < 1 || b > maxBatch) {
            throw new IllegalArgumentException("batch " + b + " is outside [1, " + maxBatch
                    + "]; create the layer with a larger maxBatch");
        }
        if (in.cols() != cfg.inputSize()) {
            throw new IllegalArgumentException("input has " + in.cols() + " columns, the layer expects inputSize "
                    + cfg.inputSize());
        }
        if (in.rows() % b != 0 || in.rows() == 0) {
            throw new IllegalArgumentException("input has " + in.rows() + " rows, not a positive multiple of batch "
                    + b + " (time-major [T][B][F] as (T·B) × F)");
        }
        int t = in.rows() / b;
        if (t > maxSteps) {
            throw new IllegalArgumentException(t + " steps exceed maxSteps " + maxSteps
                    + "; create the layer with a larger maxSteps or cut the sequences");
        }
        if (lens == null) return t;
        if (lens.length < b) {
            throw new IllegalArgumentException("only " + lens.length + " lengths given for a batch of " + b
                    + "; pass at least one length per sequence (extra entries past the batch are ignored)");
        }
        for (int i = 0; i < b; i++) {
            if (lens[i] < 0 || lens[i] > t) {
                throw new IllegalArgumentException("lengths[" + i + "] = " + lens[i] + " is outside [0, " + t + "]");
            }
            if (i > 0 && lens[i] > lens[i - 1]) {
                throw new IllegalArgumentException("lengths must be non-increasing, but lengths[" + i + "] = "
                        + lens[i] + " > lengths[" + (i - 1) + "] = " + lens[i - 1]
                        + "; sort the batch by length (RecurrentLayer.descendingOrder)");
            }
        }
        return t;
    }

    /** Runs every forward and backward: the message is built only on the failing branch, so a good call allocates nothing. */
    private void checkState(String what, FloatMatrix s, int b) {
        int n = numLayers * numDirs * b;
        if (s != null && (s.rows() != n || s.cols() != hidden)) {
            s.requireShape(what + " ((layers·directions·batch) × hidden)", n, hidden);
        }
    }

    private void requireForward(String what) {
        if (rows.steps() < 0) throw new IllegalStateException(what + " needs a preceding forward");
    }

    // package access for the initializer and the scheduling tests
    RecurrentDirection[][] directions() { return dirs; }

    RecurrenceScheduler scheduler() { return scheduler; }
}
