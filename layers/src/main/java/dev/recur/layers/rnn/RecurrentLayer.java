package dev.recur.layers.rnn;

import static dev.recur.engine.Transpose.N;
import static dev.recur.engine.Transpose.T;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.PackedB;
import dev.recur.engine.ParallelTask;
import dev.recur.engine.WorkerPool;
import dev.recur.engine.cell.CellKernels;
import dev.recur.layers.DropoutHash;
import dev.recur.layers.HasParameters;
import dev.recur.layers.Parameter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * {@code dX} as a few GEMMs over all steps. Each step's active rows are split across
 * {@link Engine#pool()}; row results do not depend on the split, so the numbers are the same for
 * any thread count. After construction, forward and backward allocate nothing (except a new result
 * view when the batch shape changes). A {@code gradOutput} in memory confined to the calling
 * thread is allowed; the backward steps then run on the calling thread only.
 *
 * <p>Not thread-safe: one caller at a time. Close to free its off-heap memory (parameters included).
 */
public final class RecurrentLayer implements HasParameters, AutoCloseable {
    /** Fewest rows worth giving a worker in one time step. */
    private static final int MIN_ROWS_PER_PIECE = 8;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final RecurrentConfig cfg;
    private final CellType cell;
    private final int hidden, gateWidth, numLayers, numDirs, outW, maxSteps, maxBatch;
    private final Arena arena = Arena.ofShared();
    private final CellKernels kernels = CellKernels.get();
    private final Direction[][] dirs;
    private final List<Parameter> params;
    /** Seed of the inter-layer dropout masks. */
    private final long dropoutSeed;
    /** Training forwards that drew inter-layer dropout masks so far: the mask stream's position. */
    private long dropoutCalls;

    // per layer l
    private final MemorySegment[] out;      // maxT·maxB × outW
    private final MemorySegment[] mask;     // dropout mask on out[l] (l < L−1), when dropout > 0
    private final MemorySegment[] dropped;  // out[l] ⊙ mask[l]: layer l+1's input in training
    private final MemorySegment[] dIn;      // gradient w.r.t. layer l's input, maxT·maxB × inW(l)
    private final MemorySegment hN, cN, dh0, dc0; // L·D·maxB × H
    private final MemorySegment zeros;       // maxB × max(gH, outW) zeros, for clearing rows
    private final MemorySegment gradScratch; // max(in, H) × gH: a weight gradient before its transpose

    // the last forward call
    private int steps = -1, batch;
    private final int[] lengths;
    private final int[] active;             // active[t] = #{b : lengths[b] > t}
    private final boolean[] orderMarks;     // scratch of checkOrder
    private boolean training, dropoutOn;
    private FloatMatrix input;
    private boolean backwardReady;
    /** False when a caller's buffer read by the per-step kernels is confined to the calling thread. */
    private boolean stepsMayUseWorkers = true;
    /** Gradient window K of truncated BPTT inside one forward (0 = full BPTT); see {@link #setGradientWindow}. */
    private int gradientWindow;

    private final View outputView, inputGradView, hNView, cNView, dh0View, dc0View;

    // stateful carrying (see setStateful): the carried state in the caller's row order, and the
    // initial state staged from it in the layer's (sorted) row order
    private boolean stateful;
    /** Sequences the carried state holds; 0 = none yet (the next forward starts from zeros). */
    private int carriedBatch;
    private final MemorySegment carriedH, carriedC, stagedH, stagedC; // L·D·maxB × H
    private final View carriedHView, carriedCView, stagedHView, stagedCView;

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
        this.gateWidth = cell.gates() * hidden;
        this.numLayers = config.numLayers();
        this.numDirs = config.directions();
        this.outW = config.outputSize();
        this.maxSteps = maxSteps;
        this.maxBatch = maxBatch;
        this.lengths = new int[maxBatch];
        this.active = new int[maxSteps];
        this.orderMarks = new boolean[maxBatch];
        this.dropoutSeed = config.seed() ^ 0x5DEECE66DL;

        long tb = (long) maxSteps * maxBatch;
        dirs = new Direction[numLayers][numDirs];
        List<Parameter> ps = new ArrayList<>();
        for (int l = 0; l < numLayers; l++) {
            for (int d = 0; d < numDirs; d++) {
                dirs[l][d] = new Direction(namePrefix, l, d == 1, config.layerInputSize(l));
                ps.add(dirs[l][d].wih);
                ps.add(dirs[l][d].whh);
                ps.add(dirs[l][d].bih);
                ps.add(dirs[l][d].bhh);
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
        long states = (long) numLayers * numDirs * maxBatch * hidden;
        hN = floats(states);
        dh0 = floats(states);
        cN = cell.hasCellState() ? floats(states) : null;
        dc0 = cell.hasCellState() ? floats(states) : null;
        zeros = floats((long) maxBatch * Math.max(gateWidth, outW));
        gradScratch = floats((long) Math.max(Math.max(config.inputSize(), outW), hidden) * gateWidth);
        outputView = new View(out[numLayers - 1], outW);
        inputGradView = new View(dIn[0], config.inputSize());
        hNView = new View(hN, hidden);
        dh0View = new View(dh0, hidden);
        cNView = cN == null ? null : new View(cN, hidden);
        dc0View = dc0 == null ? null : new View(dc0, hidden);
        carriedH = floats(states);
        stagedH = floats(states);
        carriedC = cell.hasCellState() ? floats(states) : null;
        stagedC = cell.hasCellState() ? floats(states) : null;
        carriedHView = new View(carriedH, hidden);
        stagedHView = new View(stagedH, hidden);
        carriedCView = carriedC == null ? null : new View(carriedC, hidden);
        stagedCView = stagedC == null ? null : new View(stagedC, hidden);
        Initializer.initialize(this);
    }

    private MemorySegment floats(long n) {
        return arena.allocate(Math.max(1, n) * Float.BYTES, FloatMatrix.ALIGNMENT);
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
     * pure function of (seed, this counter, element index) ({@link DropoutHash}), so saving this
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
     * @param h0       initial hidden state {@code (L·D·B) × H}, or {@code null} for zeros
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
        checkOrder(order, batch);
        if (carriedBatch != 0 && carriedBatch != batch) {
            throw new IllegalArgumentException("the carried state is for a batch of " + carriedBatch
                    + " sequences but this batch has " + batch + "; keep the batch size fixed or call resetState()");
        }
        FloatMatrix h0 = null, c0 = null;
        if (carriedBatch != 0) {
            permuteState(carriedH, stagedH, batch, order, true);
            h0 = stagedHView.get(numLayers * numDirs * batch);
            if (carriedC != null) {
                permuteState(carriedC, stagedC, batch, order, true);
                c0 = stagedCView.get(numLayers * numDirs * batch);
            }
        }
        FloatMatrix out = run(input, batch, lengths, h0, c0, training);
        permuteState(hN, carriedH, batch, order, false);
        if (carriedC != null) permuteState(cN, carriedC, batch, order, false);
        carriedBatch = batch;
        return out;
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
        carriedBatch = 0;
    }

    /** Whether the layer carries state across forwards ({@link #setStateful}). */
    public boolean isStateful() { return stateful; }

    /** Forgets the carried state of every sequence: the next forward starts from zeros. */
    public void resetState() { carriedBatch = 0; }

    /**
     * Zeroes the carried state of one sequence (the caller's row {@code row}), e.g. when its stream
     * starts a new document; the others keep theirs. Nothing to do before the first forward.
     */
    public void resetState(int row) {
        if (carriedBatch == 0) return;
        if (row < 0 || row >= carriedBatch) {
            throw new IllegalArgumentException("row " + row + " is outside the carried batch [0, " + carriedBatch + ")");
        }
        for (int k = 0; k < numLayers * numDirs; k++) {
            long off = ((long) k * carriedBatch + row) * hidden * 4;
            MemorySegment.copy(zeros, 0, carriedH, off, (long) hidden * 4);
            if (carriedC != null) MemorySegment.copy(zeros, 0, carriedC, off, (long) hidden * 4);
        }
    }

    /** Sequences whose state is carried, 0 when none is (the next stateful forward starts from zeros). */
    public int carriedBatch() { return carriedBatch; }

    /**
     * The carried hidden state, {@code (L·D·B) × H} in the caller's row order (row
     * {@code (l·D + d)·B + b} for the caller's sequence b; B = {@link #carriedBatch()}), for saving
     * it with a checkpoint. A view of the layer's workspace, valid until the next forward.
     */
    public FloatMatrix carriedHidden() {
        requireCarried("carriedHidden");
        return carriedHView.get(numLayers * numDirs * carriedBatch);
    }

    /** The carried cell state (LSTM only), laid out as {@link #carriedHidden()}. */
    public FloatMatrix carriedCell() {
        requireCarried("carriedCell");
        if (carriedCView == null) throw new IllegalStateException("a " + cell + " layer has no cell state");
        return carriedCView.get(numLayers * numDirs * carriedBatch);
    }

    /**
     * Sets the carried state (to resume from a checkpoint): {@code h} is {@code (L·D·B) × H} in the
     * caller's row order, as {@link #carriedHidden()} returns it, for some B in [1, maxBatch];
     * {@code c} the cell state, required for LSTM and {@code null} otherwise. Copied.
     */
    public void setCarriedState(FloatMatrix h, FloatMatrix c) {
        Objects.requireNonNull(h, "h");
        int blocks = numLayers * numDirs;
        int b = h.rows() / blocks;
        if (h.rows() % blocks != 0 || b < 1 || b > maxBatch || h.cols() != hidden) {
            throw new IllegalArgumentException("carried hidden state is " + h.rows() + "×" + h.cols() + "; expected ("
                    + blocks + "·B) × " + hidden + " (layers·directions·batch × hidden) with B in [1, " + maxBatch + "]");
        }
        if (cell.hasCellState() != (c != null)) {
            throw new IllegalArgumentException(cell.hasCellState()
                    ? "a " + cell + " layer needs the carried cell state too; pass c"
                    : "a " + cell + " layer has no cell state; pass null for c");
        }
        if (c != null) c.requireShape("carried cell state", h.rows(), hidden);
        copyMatrix(h, carriedH);
        if (c != null) copyMatrix(c, carriedC);
        carriedBatch = b;
    }

    private void copyMatrix(FloatMatrix src, MemorySegment dst) {
        copyRows(src.segment(), 0, src.ld(), dst, 0, src.rows(), hidden);
    }

    private void requireCarried(String what) {
        if (carriedBatch == 0) {
            throw new IllegalStateException(what + ": no state is carried (the layer is not stateful, was reset,"
                    + " or ran no forward yet); check carriedBatch() first");
        }
    }

    private void checkOrder(int[] order, int b) {
        if (order == null) return;
        if (order.length < b) {
            throw new IllegalArgumentException("row order has " + order.length + " entries for a batch of " + b);
        }
        // a permutation of [0, b): every entry in range, none twice
        java.util.Arrays.fill(orderMarks, 0, b, false);
        for (int i = 0; i < b; i++) {
            int r = order[i];
            if (r < 0 || r >= b || orderMarks[r]) {
                throw new IllegalArgumentException("row order is not a permutation of [0, " + b + "): order[" + i
                        + "] = " + r + (r >= 0 && r < b ? " appears twice" : " is out of range"));
            }
            orderMarks[r] = true;
        }
    }

    /**
     * Copies state rows between the caller's order and the batch's order: toBatch: dst[k·B + i] =
     * src[k·B + order[i]]; else dst[k·B + order[i]] = src[k·B + i].
     */
    private void permuteState(MemorySegment src, MemorySegment dst, int b, int[] order, boolean toBatch) {
        long rowBytes = (long) hidden * 4;
        for (int k = 0; k < numLayers * numDirs; k++) {
            for (int i = 0; i < b; i++) {
                int o = order == null ? i : order[i];
                long from = (long) k * b + (toBatch ? o : i), to = (long) k * b + (toBatch ? i : o);
                MemorySegment.copy(src, from * rowBytes, dst, to * rowBytes, rowBytes);
            }
        }
    }

    private FloatMatrix run(FloatMatrix input, int batch, int[] lengths, FloatMatrix h0, FloatMatrix c0,
                            boolean training) {
        int t = checkInput(input, batch, lengths);
        checkState("h0", h0, batch);
        if (c0 != null && !cell.hasCellState()) {
            throw new IllegalArgumentException("c0 was given but a " + cell + " layer has no cell state; pass null");
        }
        checkState("c0", c0, batch);
        this.steps = t;
        this.batch = batch;
        this.input = input;
        this.training = training;
        this.dropoutOn = training && cfg.dropout() > 0f && numLayers > 1;
        this.stepsMayUseWorkers = true;   // forward steps touch only the layer's own (shared) memory
        for (int s = 0; s < t; s++) {
            int n = 0;
            while (n < batch && this.lengths[n] > s) n++;
            active[s] = n;
        }
        long dropoutKey = dropoutOn ? DropoutHash.callKey(dropoutSeed, ++dropoutCalls) : 0L;
        for (int l = 0; l < numLayers; l++) {
            MemorySegment x;
            long ldx;
            if (l == 0) {
                x = input.segment();
                ldx = input.ld();
            } else {
                x = dropoutOn ? dropped[l - 1] : out[l - 1];
                ldx = outW;
            }
            for (int d = 0; d < numDirs; d++) {
                dirs[l][d].forward(x, (int) ldx, h0, c0);
            }
            writeLayerOutput(l);
            if (dropoutOn && l < numLayers - 1) applyNewDropout(l, dropoutKey);
        }
        backwardReady = training;
        return outputView.get(t * batch);
    }

    /** Final hidden state of the last {@link #forward}: {@code (L·D·B) × H}, row (l·D+d)·B + b. */
    public FloatMatrix finalHidden() {
        requireForward("finalHidden");
        return hNView.get(numLayers * numDirs * batch);
    }

    /** Final cell state (LSTM only), laid out as {@link #finalHidden()}. */
    public FloatMatrix finalCell() {
        requireForward("finalCell");
        if (cNView == null) throw new IllegalStateException("a " + cell + " layer has no cell state");
        return cNView.get(numLayers * numDirs * batch);
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
                    + (steps < 0 ? "no forward ran yet" : "the last forward was in inference mode"));
        }
        int rows = steps * batch;
        if (gradOutput != null) gradOutput.requireShape("gradOutput", rows, outW);
        checkState("gradFinalHidden", gradFinalHidden, batch);
        if (gradFinalCell != null && !cell.hasCellState()) {
            throw new IllegalArgumentException("gradFinalCell was given but a " + cell + " layer has no cell state");
        }
        checkState("gradFinalCell", gradFinalCell, batch);
        Thread worker = Engine.pool().anyWorker();
        stepsMayUseWorkers = gradOutput == null || worker == null || gradOutput.segment().isAccessibleBy(worker);
        for (int l = numLayers - 1; l >= 0; l--) {
            MemorySegment dOut;
            int ldOut;
            if (l == numLayers - 1) {
                dOut = gradOutput == null ? null : gradOutput.segment();
                ldOut = gradOutput == null ? outW : gradOutput.ld();
            } else {
                dOut = dIn[l + 1];
                ldOut = outW;
                if (dropoutOn) multiplyInPlace(dIn[l + 1], mask[l], (long) rows * outW);
            }
            MemorySegment x;
            int ldx;
            if (l == 0) {
                x = input.segment();
                ldx = input.ld();
            } else {
                x = dropoutOn ? dropped[l - 1] : out[l - 1];
                ldx = outW;
            }
            for (int d = 0; d < numDirs; d++) {
                int col = cfg.merge() == DirectionMerge.CONCAT ? d * hidden : 0;
                dirs[l][d].backward(dOut, col, ldOut, gradFinalHidden, gradFinalCell, x, ldx, dIn[l], d > 0);
            }
        }
        return inputGradView.get(rows);
    }

    /** Gradient w.r.t. the initial hidden state h0 after {@link #backward}, laid out as h0. */
    public FloatMatrix gradInitialHidden() {
        requireForward("gradInitialHidden");
        return dh0View.get(numLayers * numDirs * batch);
    }

    /** Gradient w.r.t. the initial cell state c0 (LSTM) after {@link #backward}. */
    public FloatMatrix gradInitialCell() {
        requireForward("gradInitialCell");
        if (dc0View == null) throw new IllegalStateException("a " + cell + " layer has no cell state");
        return dc0View.get(numLayers * numDirs * batch);
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
        if (lens == null) {
            java.util.Arrays.fill(lengths, 0, b, t);
            return t;
        }
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
            lengths[i] = lens[i];
        }
        return t;
    }

    private void checkState(String what, FloatMatrix s, int b) {
        if (s != null) s.requireShape(what + " ((layers·directions·batch) × hidden)", numLayers * numDirs * b, hidden);
    }

    private void requireForward(String what) {
        if (steps < 0) throw new IllegalStateException(what + " needs a preceding forward");
    }

    // ------------------------------------------------------------------ layer glue

    /** Copies each direction's hidden states into out[l] (zeros on padding rows). */
    private void writeLayerOutput(int l) {
        MemorySegment o = out[l];
        int b = batch;
        long rowBytes = (long) hidden * Float.BYTES;
        for (int d = 0; d < numDirs; d++) {
            Direction dir = dirs[l][d];
            boolean add = cfg.merge() == DirectionMerge.SUM && d == 1;
            int col = cfg.merge() == DirectionMerge.CONCAT ? d * hidden : 0;
            for (int t = 0; t < steps; t++) {
                int n = active[t];
                long src = (long) dir.outSlot(t) * b * hidden;
                long dst = (long) t * b * outW + col;
                if (!add && outW == hidden) {
                    MemorySegment.copy(dir.hs, src * 4, o, dst * 4, n * rowBytes);
                    if (n < b) MemorySegment.copy(zeros, 0, o, (dst + (long) n * outW) * 4, (b - n) * rowBytes);
                    continue;
                }
                for (int r = 0; r < b; r++) {
                    long di = dst + (long) r * outW;
                    if (r >= n) {
                        if (!add) MemorySegment.copy(zeros, 0, o, di * 4, rowBytes);
                    } else if (add) {
                        kernels.add(hidden, o, di, dir.hs, src + (long) r * hidden, o, di);
                    } else {
                        MemorySegment.copy(dir.hs, (src + (long) r * hidden) * 4, o, di * 4, rowBytes);
                    }
                }
            }
        }
    }

    /**
     * Draws the inverted-dropout mask for out[l] and writes dropped[l] = out[l] ⊙ mask. Element i of
     * layer l is element l·n + i of this call's hash stream (n = T·B·outW), so layers never share draws.
     */
    private void applyNewDropout(int l, long callKey) {
        float p = cfg.dropout();
        float keep = 1f / (1f - p);
        long n = (long) steps * batch * outW;
        long first = l * n;
        MemorySegment m = mask[l], o = out[l], dr = dropped[l];
        for (long i = 0; i < n; i++) {
            float v = DropoutHash.uniform(callKey, first + i) < p ? 0f : keep;
            m.setAtIndex(F, i, v);
            dr.setAtIndex(F, i, o.getAtIndex(F, i) * v);
        }
    }

    /** dst (cols × rows, row-major) += srcᵀ, src rows × cols. */
    private static void addTransposed(MemorySegment src, int rows, int cols, MemorySegment dst) {
        for (int i = 0; i < cols; i++) {
            long d = (long) i * rows;
            for (int j = 0; j < rows; j++) {
                dst.setAtIndex(F, d + j, dst.getAtIndex(F, d + j) + src.getAtIndex(F, (long) j * cols + i));
            }
        }
    }

    private static void multiplyInPlace(MemorySegment a, MemorySegment b, long n) {
        for (long i = 0; i < n; i++) a.setAtIndex(F, i, a.getAtIndex(F, i) * b.getAtIndex(F, i));
    }

    private static void copyRows(MemorySegment src, long srcOff, int ldSrc, MemorySegment dst, long dstOff,
                                 int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(src, (srcOff + (long) r * ldSrc) * 4, dst, (dstOff + (long) r * cols) * 4,
                    (long) cols * 4);
        }
    }

    // ------------------------------------------------------------------ one direction of one layer

    /** A layer-direction: its parameters, its per-step buffers and its recurrence. */
    final class Direction {
        final int layer, dirIndex, inW;
        final boolean reverse;
        final Parameter wih, whh, bih, bhh;
        /** Gates, all steps: maxT·maxB × gH (GRU: the x part). */
        final MemorySegment g;
        /** GRU only: the h part of the gates, all steps. */
        final MemorySegment gh;
        /** Hidden states by slot, (maxT+1)·maxB × H; see {@link #outSlot}. */
        final MemorySegment hs;
        /** LSTM only: cell states by slot, as hs. */
        final MemorySegment cs;
        /** Running gradient w.r.t. the hidden (and cell) state, maxB × H. */
        final MemorySegment dh, dc;
        /** b_ih + b_hh (RNN, LSTM), gH; in backward, scratch for the bias-gradient sums. */
        final MemorySegment biasSum;
        final StepTask task = new StepTask(this);
        /**
         * W_hhᵀ packed once per forward pass for the step products h·W_hhᵀ (k = H, n = gH), and W_hh
         * once per backward pass for dG·W_hh (k = gH, n = H): a general GEMM would re-pack its B
         * operand at every step, which for a 64-row step costs about as much as the multiply.
         */
        final PackedB forwardWeights, backwardWeights;

        Direction(String prefix, int layer, boolean reverse, int inW) {
            this.layer = layer;
            this.reverse = reverse;
            this.dirIndex = reverse ? 1 : 0;
            this.inW = inW;
            String suffix = "_l" + layer + (reverse ? "_reverse" : "");
            wih = param(prefix + "weight_ih" + suffix, gateWidth, inW);
            whh = param(prefix + "weight_hh" + suffix, gateWidth, hidden);
            bih = param(prefix + "bias_ih" + suffix, 1, gateWidth);
            bhh = param(prefix + "bias_hh" + suffix, 1, gateWidth);
            long tb = (long) maxSteps * maxBatch;
            g = floats(tb * gateWidth);
            gh = cell == CellType.GRU ? floats(tb * gateWidth) : null;
            hs = floats((tb + maxBatch) * hidden);
            cs = cell.hasCellState() ? floats((tb + maxBatch) * hidden) : null;
            dh = floats((long) maxBatch * hidden);
            dc = cell.hasCellState() ? floats((long) maxBatch * hidden) : null;
            biasSum = floats(gateWidth);
            MemorySegment w = whh.value().segment();
            forwardWeights = Gemm.packB(T, hidden, gateWidth, w, 0, hidden);
            backwardWeights = Gemm.packB(N, gateWidth, hidden, w, 0, hidden);
        }

        private Parameter param(String name, int rows, int cols) {
            return new Parameter(name, FloatMatrix.wrap(floats((long) rows * cols), rows, cols, cols),
                    FloatMatrix.wrap(floats((long) rows * cols), rows, cols, cols));
        }

        /**
         * Slot of h_t in {@link #hs}. Forward direction: slot 0 is h0, slot t+1 is h_t. Reverse:
         * slot T is h0, slot t is h_t. The state before step t is in {@link #prevSlot}.
         */
        int outSlot(int t) { return reverse ? t : t + 1; }

        int prevSlot(int t) { return reverse ? t + 1 : t; }

        /** Row of this layer-direction's sequence b in the (L·D·B) × H state matrices. */
        long stateRow(int b) { return ((long) layer * numDirs + dirIndex) * batch + b; }

        void forward(MemorySegment x, int ldx, FloatMatrix h0, FloatMatrix c0) {
            int nT = steps, B = batch, H = hidden, gH = gateWidth;
            long tb = (long) nT * B;
            // input projection of all steps: G = X·W_ihᵀ
            RawGemm.parallel(N, T, (int) tb, gH, inW, 1f, x, 0, ldx, wih.value().segment(), 0, inW,
                    0f, g, 0, gH);
            if (cell != CellType.GRU) {
                kernels.add(gH, bih.value().segment(), 0, bhh.value().segment(), 0, biasSum, 0);
            }
            forwardWeights.repack(whh.value().segment(), 0, H);
            if (!reverse) {
                loadInitial(h0, hs, 0, B, 0);
                if (cs != null) loadInitial(c0, cs, 0, B, 0);
            }
            for (int k = 0; k < nT; k++) {
                int t = reverse ? nT - 1 - k : k;
                int n = active[t];
                if (n == 0) continue;
                if (reverse) {
                    // sequences whose last step is t start here: their previous state is h0
                    int started = t + 1 < nT ? active[t + 1] : 0;
                    long slot = (long) (t + 1) * B;
                    loadInitial(h0, hs, slot, n, started);
                    if (cs != null) loadInitial(c0, cs, slot, n, started);
                }
                runStep(t, n, false, null, 0, 0);
            }
            // final states
            for (int b = 0; b < B; b++) {
                int len = lengths[b];
                long dst = stateRow(b) * H;
                if (len == 0) {
                    // passes through: h_n = h0
                    copyInitialRow(h0, b, hN, dst);
                    if (cs != null) copyInitialRow(c0, b, cN, dst);
                    continue;
                }
                long src = ((long) outSlot(reverse ? 0 : len - 1) * B + b) * H;
                MemorySegment.copy(hs, src * 4, hN, dst * 4, (long) H * 4);
                if (cs != null) MemorySegment.copy(cs, src * 4, cN, dst * 4, (long) H * 4);
            }
        }

        /** Rows [from, to) of slot starting at row slotRow ← this direction's rows of the initial state. */
        private void loadInitial(FloatMatrix init, MemorySegment buf, long slotRow, int to, int from) {
            if (to <= from) return;
            long dst = (slotRow + from) * hidden;
            if (init == null) {
                MemorySegment.copy(zeros, 0, buf, dst * 4, (long) (to - from) * hidden * 4);
            } else {
                copyRows(init.segment(), stateRow(from) * init.ld(), init.ld(), buf, dst, to - from, hidden);
            }
        }

        private void copyInitialRow(FloatMatrix init, int b, MemorySegment dstBuf, long dst) {
            if (init == null) {
                MemorySegment.copy(zeros, 0, dstBuf, dst * 4, (long) hidden * 4);
            } else {
                MemorySegment.copy(init.segment(), stateRow(b) * init.ld() * 4, dstBuf, dst * 4, (long) hidden * 4);
            }
        }

        /** Runs step t on rows [0, n), split across the pool. */
        private void runStep(int t, int n, boolean back, MemorySegment dOut, long dOutOff, int ldOut) {
            task.set(t, n, back, dOut, dOutOff, ldOut);
            WorkerPool pool = Engine.pool();
            int pieces = stepsMayUseWorkers ? Math.min(pool.threads(), Math.max(1, n / MIN_ROWS_PER_PIECE)) : 1;
            if (pieces == 1) task.run(0, 1);
            else pool.run(pieces, task);
        }

        /** Forward of step t on rows [r0, r0 + rows): recurrent GEMM, then the fused kernel. */
        void forwardRows(int t, int r0, int rows) {
            int B = batch, H = hidden, gH = gateWidth;
            long hPrev = ((long) prevSlot(t) * B + r0) * H;
            long hOut = ((long) outSlot(t) * B + r0) * H;
            long gOff = ((long) t * B + r0) * gH;
            PackedB w = forwardWeights;
            switch (cell) {
                case LSTM -> {
                    Gemm.sgemmSerial(N, rows, 1f, hs, hPrev, H, w, 1f, g, gOff, gH);
                    kernels.lstmForward(rows, H, g, gOff, biasSum, 0, cs, hPrev, cs, hOut, hs, hOut);
                }
                case GRU -> {
                    Gemm.sgemmSerial(N, rows, 1f, hs, hPrev, H, w, 0f, gh, gOff, gH);
                    kernels.gruForward(rows, H, g, gOff, gh, gOff, bih.value().segment(), 0,
                            bhh.value().segment(), 0, hs, hPrev, hs, hOut);
                }
                case RNN_TANH, RNN_RELU -> {
                    Gemm.sgemmSerial(N, rows, 1f, hs, hPrev, H, w, 1f, g, gOff, gH);
                    kernels.rnnForward(rows, H, cell == CellType.RNN_RELU, g, gOff, biasSum, 0, hs, hOut);
                }
            }
        }

        /** Backward of step t on rows [r0, r0 + rows): fused kernel, then dh = dG·W_hh (+ direct part). */
        void backwardRows(int t, int r0, int rows, MemorySegment dOut, long dOutOff, int ldOut) {
            int B = batch, H = hidden, gH = gateWidth;
            long hPrev = ((long) prevSlot(t) * B + r0) * H;
            long hOut = ((long) outSlot(t) * B + r0) * H;
            long gOff = ((long) t * B + r0) * gH;
            long sOff = (long) r0 * H;
            long dOff = dOutOff + ((long) t * B + r0) * ldOut;
            PackedB w = backwardWeights;
            switch (cell) {
                case LSTM -> {
                    kernels.lstmBackward(rows, H, g, gOff, cs, hOut, cs, hPrev, dOut, dOff, ldOut, dh, sOff, dc, sOff);
                    Gemm.sgemmSerial(N, rows, 1f, g, gOff, gH, w, 0f, dh, sOff, H);
                }
                case GRU -> {
                    kernels.gruBackward(rows, H, g, gOff, gh, gOff, hs, hPrev, dOut, dOff, ldOut, dh, sOff);
                    Gemm.sgemmSerial(N, rows, 1f, gh, gOff, gH, w, 1f, dh, sOff, H);
                }
                case RNN_TANH, RNN_RELU -> {
                    kernels.rnnBackward(rows, H, cell == CellType.RNN_RELU, hs, hOut, dOut, dOff, ldOut,
                            dh, sOff, g, gOff);
                    Gemm.sgemmSerial(N, rows, 1f, g, gOff, gH, w, 0f, dh, sOff, H);
                }
            }
        }

        void backward(MemorySegment dOut, int col, int ldOut, FloatMatrix dhN, FloatMatrix dcN,
                      MemorySegment x, int ldx, MemorySegment dx, boolean accumulateDx) {
            int nT = steps, B = batch, H = hidden, gH = gateWidth;
            long tb = (long) nT * B;
            loadInitial(dhN, dh, 0, B, 0);
            if (dc != null) loadInitial(dcN, dc, 0, B, 0);
            backwardWeights.repack(whh.value().segment(), 0, H);
            long gateRowBytes = (long) gH * 4;
            for (int k = 0; k < nT; k++) {
                int t = reverse ? k : nT - 1 - k;
                int n = active[t];
                // padding rows get no gradient: zero them so the all-steps GEMMs below ignore them
                if (n < B) {
                    long off = ((long) t * B + n) * gH * 4;
                    MemorySegment.copy(zeros, 0, g, off, (B - n) * gateRowBytes);
                    if (gh != null) MemorySegment.copy(zeros, 0, gh, off, (B - n) * gateRowBytes);
                }
                if (n == 0) continue;
                runStep(t, n, true, dOut, col, ldOut);
                if (reverse) {
                    // sequences whose reverse pass started at t: dh, dc now hold d(h0), d(c0)
                    int started = t + 1 < nT ? active[t + 1] : 0;
                    storeInitialGrad(dh, dh0, started, n);
                    if (dc != null) storeInitialGrad(dc, dc0, started, n);
                }
                if (cutsAfter(t, nT)) {
                    // truncated BPTT: the gradient carried into the previous window is dropped
                    long bytes = (long) n * H * 4;
                    MemorySegment.copy(zeros, 0, dh, 0, bytes);
                    if (dc != null) MemorySegment.copy(zeros, 0, dc, 0, bytes);
                }
            }
            // the forward direction's running gradient ends as d(h0); reverse: rows of length 0
            int from = reverse ? active[0] : 0;
            storeInitialGrad(dh, dh0, from, B);
            if (dc != null) storeInitialGrad(dc, dc0, from, B);

            // all-steps GEMMs: dW_ih += dGxᵀ·X, dW_hh += dGhᵀ·H_prev, biases, dX (+)= dGx·W_ih
            MemorySegment dgh = cell == CellType.GRU ? gh : g;
            long hPrev0 = reverse ? (long) B * H : 0;
            // as Xᵀ·dG into a scratch, then added transposed: the TN product with the narrow operand
            // transposed measured ~1.5× faster than dGᵀ·X
            RawGemm.parallel(T, N, inW, gH, (int) tb, 1f, x, 0, ldx, g, 0, gH, 0f, gradScratch, 0, gH);
            addTransposed(gradScratch, inW, gH, wih.grad().segment());
            RawGemm.parallel(T, N, H, gH, (int) tb, 1f, hs, hPrev0, H, dgh, 0, gH, 0f, gradScratch, 0, gH);
            addTransposed(gradScratch, H, gH, whh.grad().segment());
            if (cell == CellType.GRU) {
                kernels.addColumnSums((int) tb, gH, g, 0, gH, bih.grad().segment(), 0);
                kernels.addColumnSums((int) tb, gH, dgh, 0, gH, bhh.grad().segment(), 0);
            } else {
                // one pass over the gate gradients: db_ih and db_hh get the same sums (biasSum is
                // free until the next forward recomputes it)
                MemorySegment.copy(zeros, 0, biasSum, 0, (long) gH * 4);
                kernels.addColumnSums((int) tb, gH, g, 0, gH, biasSum, 0);
                kernels.add(gH, bih.grad().segment(), 0, biasSum, 0, bih.grad().segment(), 0);
                kernels.add(gH, bhh.grad().segment(), 0, biasSum, 0, bhh.grad().segment(), 0);
            }
            RawGemm.parallel(N, N, (int) tb, inW, gH, 1f, g, 0, gH, wih.value().segment(), 0, inW,
                    accumulateDx ? 1f : 0f, dx, 0, inW);
        }

        /**
         * Whether the backward of step t ends at a window boundary of {@link #gradientWindow}: the
         * next step back in this direction's chain (t−1 forward, t+1 reverse) lies in another window.
         */
        private boolean cutsAfter(int t, int nT) {
            int k = gradientWindow;
            if (k <= 0) return false;
            return reverse ? t + 1 < nT && (t + 1) % k == 0 : t > 0 && t % k == 0;
        }

        private void storeInitialGrad(MemorySegment running, MemorySegment dst, int from, int to) {
            if (to <= from) return;
            MemorySegment.copy(running, (long) from * hidden * 4, dst, stateRow(from) * hidden * 4,
                    (long) (to - from) * hidden * 4);
        }
    }

    /** The per-step job given to the pool: one row slice per piece. Reused, so no allocation. */
    private static final class StepTask implements ParallelTask {
        private final Direction dir;
        private int t, n, ldOut;
        private boolean backward;
        private MemorySegment dOut;
        private long dOutOff;

        StepTask(Direction dir) { this.dir = dir; }

        void set(int t, int n, boolean backward, MemorySegment dOut, long dOutOff, int ldOut) {
            this.t = t;
            this.n = n;
            this.backward = backward;
            this.dOut = dOut;
            this.dOutOff = dOutOff;
            this.ldOut = ldOut;
        }

        @Override
        public void run(int piece, int pieces) {
            int r0 = (int) ((long) piece * n / pieces);
            int r1 = (int) ((long) (piece + 1) * n / pieces);
            if (r1 <= r0) return;
            if (backward) dir.backwardRows(t, r0, r1 - r0, dOut, dOutOff, ldOut);
            else dir.forwardRows(t, r0, r1 - r0);
        }
    }

    /** A view of the first rows of a workspace buffer, re-made only when the row count changes. */
    private static final class View {
        private final MemorySegment seg;
        private final int cols;
        private int rows = -1;
        private FloatMatrix m;

        View(MemorySegment seg, int cols) {
            this.seg = seg;
            this.cols = cols;
        }

        FloatMatrix get(int r) {
            if (r != rows) {
                m = FloatMatrix.wrap(seg, r, cols, cols);
                rows = r;
            }
            return m;
        }
    }

    // package access for the initializer
    Direction[][] directions() { return dirs; }
}
