package dev.recur.layers.rnn;

import static dev.recur.engine.Transpose.N;
import static dev.recur.engine.Transpose.T;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.PackedB;
import dev.recur.engine.RowOps;
import dev.recur.engine.VectorOps;
import dev.recur.engine.cell.CellKernels;
import dev.recur.layers.Parameter;
import java.lang.foreign.MemorySegment;
import java.util.function.LongFunction;

/**
 * One direction of one layer of the recurrent stack: its four parameters, its per-step buffers and
 * its recurrence, forward and backward.
 *
 * <p>The recurrence is offered in row ranges so that {@link RecurrenceScheduler} can split it:
 * {@code forwardRows(r0, r1)} runs sequences {@code [r0, r1)} through every step, and
 * {@code forwardStep(t, r0, r1)} runs one step on them (likewise for backward). Every row's numbers
 * are computed by the same operations whatever the range it is part of (the per-step GEMM is
 * row-wise, the kernels are row-wise), so any split gives the bits of the unsplit run. Each step
 * also makes its rows' input projection x_t·W_ihᵀ (forward) and input gradient dG_t·W_ih
 * (backward, first direction), so the gate rows it works on stay in cache. The all-steps parts
 * (weight gradients; the second direction's input gradient) are whole-batch GEMMs run by the
 * calling thread, which {@link Gemm#sgemm} splits by output blocks.
 *
 * <p>Hidden states live in slot buffers of {@code (T+1)·B × H}: forward direction slot 0 is h0 and
 * slot t+1 is h_t; reverse direction slot T is h0 and slot t is h_t.
 */
final class RecurrentDirection {
    final int layer, dirIndex, inW;
    final boolean reverse;
    final Parameter wih, whh, bih, bhh;

    private final CellType cell;
    private final int hidden, gateWidth, numDirs;
    private final CellKernels kernels = CellKernels.get();
    private final ActiveRows rows;
    private final StateBuffers states;
    /** At least maxB × max(gH, output width) zeros, shared, read only. */
    private final MemorySegment zeros;

    /** Gates, all steps: maxT·maxB × gH (GRU: the x part). */
    private final MemorySegment g;
    /** GRU only: the h part of the gates, all steps. */
    private final MemorySegment gh;
    /** Hidden states by slot, (maxT+1)·maxB × H; see {@link #outSlot}. */
    private final MemorySegment hs;
    /** LSTM only: cell states by slot, as hs. */
    private final MemorySegment cs;
    /** Running gradient w.r.t. the hidden (and cell) state, maxB × H, row b for sequence b. */
    private final MemorySegment dh, dc;
    /** b_ih + b_hh (RNN, LSTM), gH; in backward, scratch for the bias-gradient sums. */
    private final MemorySegment biasSum;
    /**
     * W_hhᵀ packed once per forward pass for the GRU's step products h·W_hhᵀ (k = H, n = gH; null
     * for the LSTM and RNN, whose steps use {@link #joinedWeights}), and W_hh
     * once per backward pass for dG·W_hh (k = gH, n = H): a general GEMM would re-pack its B
     * operand at every step, which for a 64-row step costs about as much as the multiply.
     */
    private final PackedB forwardWeights, backwardWeights;
    /**
     * W_ihᵀ packed once per forward pass for the per-step input projection x_t·W_ihᵀ (k = in,
     * n = gH), and W_ih once per backward pass for the per-step input gradient dG_t·W_ih (k = gH,
     * n = in). Done step by step, the gate rows a step's recurrent GEMM adds to and its kernel
     * reads are the ones just written (in cache), instead of rows of an all-steps product
     * (T·B·gH floats, far larger than the caches) read back from memory; a row of a GEMM is the
     * same sum whatever rows are multiplied with it, so the bits are those of the all-steps product.
     */
    private final PackedB inputWeights, inputGradWeights;
    /**
     * LSTM and RNN (null for the GRU, the only one that uses {@link #inputWeights}): {@code [W_ih | W_hh]} (gH ×
     * (in + H)) copied side by side once per forward pass and packed transposed, so a step's gates
     * are one product {@code [x_t | h_{t−1}]·[W_ih | W_hh]ᵀ} of depth in + H: C is stored once, where
     * the input projection and the recurrent product stored it, read it back and stored it again.
     */
    private final MemorySegment joined;
    private final PackedB joinedWeights;

    /** Truncated-BPTT window inside one forward (0 = full BPTT). */
    int gradientWindow;

    // the pass in flight, set by prepareForward / prepareBackward and read by the row ranges
    private int gateSlots = 1; // 1: step t's gates at rows t·B…; 0: every step reuses step 0's rows (inference)
    private FloatMatrix h0, c0, dhN, dcN;
    private MemorySegment dOut;
    private long dOutOff;
    private int ldOut;
    /** The forward's input rows (row t·B + b, leading dimension ldx) when the steps project them, else null. */
    private MemorySegment x;
    private int ldx;
    /** Where the backward writes dX step by step (rows t·B + b, leading dimension inW), or null: after all steps. */
    private MemorySegment dxSteps;

    RecurrentDirection(String prefix, int layer, boolean reverse, int inW, RecurrentConfig cfg, int maxSteps,
                       int maxBatch, ActiveRows rows, StateBuffers states, MemorySegment zeros,
                       LongFunction<MemorySegment> floats) {
        this.layer = layer;
        this.reverse = reverse;
        this.dirIndex = reverse ? 1 : 0;
        this.inW = inW;
        this.cell = cfg.cell();
        this.hidden = cfg.hiddenSize();
        this.gateWidth = cell.gates() * hidden;
        this.numDirs = cfg.directions();
        this.rows = rows;
        this.states = states;
        this.zeros = zeros;
        String suffix = "_l" + layer + (reverse ? "_reverse" : "");
        wih = param(floats, prefix + "weight_ih" + suffix, gateWidth, inW);
        whh = param(floats, prefix + "weight_hh" + suffix, gateWidth, hidden);
        bih = param(floats, prefix + "bias_ih" + suffix, 1, gateWidth);
        bhh = param(floats, prefix + "bias_hh" + suffix, 1, gateWidth);
        long tb = (long) maxSteps * maxBatch;
        g = floats.apply(tb * gateWidth);
        gh = cell == CellType.GRU ? floats.apply(tb * gateWidth) : null;
        hs = floats.apply((tb + maxBatch) * hidden);
        cs = cell.hasCellState() ? floats.apply((tb + maxBatch) * hidden) : null;
        dh = floats.apply((long) maxBatch * hidden);
        dc = cell.hasCellState() ? floats.apply((long) maxBatch * hidden) : null;
        biasSum = floats.apply(gateWidth);
        MemorySegment w = whh.value().segment();
        boolean joins = cell != CellType.GRU;
        forwardWeights = joins ? null : Gemm.packB(T, hidden, gateWidth, w, 0, hidden);
        backwardWeights = Gemm.packB(N, gateWidth, hidden, w, 0, hidden);
        MemorySegment wi = wih.value().segment();
        joined = joins ? floats.apply((long) gateWidth * (inW + hidden)) : null;
        joinedWeights = joins ? Gemm.packB(T, inW + hidden, gateWidth, joined, 0, inW + hidden) : null;
        inputWeights = joins ? null : Gemm.packB(T, inW, gateWidth, wi, 0, inW);
        inputGradWeights = Gemm.packB(N, gateWidth, inW, wi, 0, inW);
    }

    private static Parameter param(LongFunction<MemorySegment> floats, String name, int r, int c) {
        return new Parameter(name, FloatMatrix.wrap(floats.apply((long) r * c), r, c, c),
                FloatMatrix.wrap(floats.apply((long) r * c), r, c, c));
    }

    /** Slot of h_t in the state buffers; the state before step t is in {@link #prevSlot}. */
    private int outSlot(int t) { return reverse ? t : t + 1; }

    private int prevSlot(int t) { return reverse ? t + 1 : t; }

    /** Row of this layer-direction's sequence b in the (L·D·B) × H state matrices. */
    private long stateRow(int b) { return ((long) layer * numDirs + dirIndex) * rows.batch() + b; }

    // ------------------------------------------------------------------ forward

    /**
     * The whole-batch part of a forward, on the calling thread: the summed bias; for the LSTM and
     * RNN (always {@code stepwise}) the packing of {@code [W_ih | W_hh]ᵀ}; for the GRU the packing
     * of W_hhᵀ and either the packing of W_ihᵀ for the steps' own input projections or, when not
     * {@code stepwise}, the input projection of all steps {@code G = X·W_ihᵀ} (split by rows over
     * the pool, {@link TallGemm}: for small batches on several threads, whose steps would run it on
     * one thread); remembers the initial state (null = zeros) for the row ranges. In inference
     * ({@code keepGates} false) the steps that make their own projection write their gates to
     * step 0's rows of the gate buffer, one step after the other: what backward would read is not
     * kept, so the T·B·gates·H buffer is not streamed through memory (the same arithmetic, so the
     * same bits).
     */
    void prepareForward(MemorySegment x, int ldx, FloatMatrix h0, FloatMatrix c0, boolean stepwise, boolean keepGates,
                        TallGemm gemm) {
        this.h0 = h0;
        this.c0 = c0;
        this.x = stepwise ? x : null;
        this.ldx = ldx;
        this.gateSlots = stepwise && !keepGates ? 0 : 1;
        if (cell != CellType.GRU) {
            kernels.add(gateWidth, bih.value().segment(), 0, bhh.value().segment(), 0, biasSum, 0);
        }
        if (joinedWeights != null) {
            if (!stepwise) throw new IllegalStateException("the LSTM and RNN steps always make their own input projection");
            int w = inW + hidden;
            for (int r = 0; r < gateWidth; r++) { // [W_ih | W_hh], row by row
                MemorySegment.copy(wih.value().segment(), (long) r * inW * 4, joined, (long) r * w * 4, (long) inW * 4);
                MemorySegment.copy(whh.value().segment(), (long) r * hidden * 4, joined, ((long) r * w + inW) * 4, (long) hidden * 4);
            }
            joinedWeights.repack(joined, 0, w);
            return;
        }
        if (stepwise) {
            inputWeights.repack(wih.value().segment(), 0, inW);
        } else {
            int tb = rows.steps() * rows.batch();
            gemm.multiply(T, tb, gateWidth, inW, x, ldx, wih.value().segment(), inW, 0f, g, gateWidth);
        }
        forwardWeights.repack(whh.value().segment(), 0, hidden);
    }

    /** Sequences [r0, r1) through every step, then their final states. */
    void forwardRows(int r0, int r1) {
        startForward(r0, r1);
        int nT = rows.steps();
        for (int k = 0; k < nT; k++) forwardStep(reverse ? nT - 1 - k : k, r0, r1);
        finishForward(r0, r1);
    }

    /** Before the first step: the forward direction's slot 0 ← h0 (c0) for sequences [r0, r1). */
    void startForward(int r0, int r1) {
        if (reverse) return;
        loadInitial(h0, hs, 0, r0, r1);
        if (cs != null) loadInitial(c0, cs, 0, r0, r1);
    }

    /** Step t on the active ones of sequences [r0, r1): input projection, recurrent GEMM, then the fused kernel. */
    void forwardStep(int t, int r0, int r1) {
        int n = Math.min(rows.active(t), r1);
        if (n <= r0) return;
        if (reverse) {
            // sequences whose last step is t start here: their previous state is h0
            int started = Math.max(r0, rows.activeAfter(t));
            long slot = (long) (t + 1) * rows.batch();
            loadInitial(h0, hs, slot, started, n);
            if (cs != null) loadInitial(c0, cs, slot, started, n);
        }
        int B = rows.batch(), H = hidden, gH = gateWidth, m = n - r0;
        long hPrev = ((long) prevSlot(t) * B + r0) * H;
        long hOut = ((long) outSlot(t) * B + r0) * H;
        long gOff = ((long) t * gateSlots * B + r0) * gH;
        long xOff = ((long) t * B + r0) * ldx;
        switch (cell) {
            case LSTM -> {
                Gemm.sgemmSerialJoined(m, 1f, x, xOff, ldx, inW, hs, hPrev, H, joinedWeights, 0f, g, gOff, gH);
                kernels.lstmForward(m, H, g, gOff, biasSum, 0, cs, hPrev, cs, hOut, hs, hOut);
            }
            case GRU -> {
                if (x != null) Gemm.sgemmSerial(N, m, 1f, x, xOff, ldx, inputWeights, 0f, g, gOff, gH);
                if (startsFromZeros(t)) {
                    // W_hh·0 = 0: the first step from the zero state needs no recurrent GEMM
                    for (int r = 0; r < m; r++) MemorySegment.copy(zeros, 0, gh, (gOff + (long) r * gH) * 4, (long) gH * 4);
                } else {
                    Gemm.sgemmSerial(N, m, 1f, hs, hPrev, H, forwardWeights, 0f, gh, gOff, gH);
                }
                kernels.gruForward(m, H, g, gOff, gh, gOff, bih.value().segment(), 0,
                        bhh.value().segment(), 0, hs, hPrev, hs, hOut);
            }
            case RNN_TANH, RNN_RELU -> {
                Gemm.sgemmSerialJoined(m, 1f, x, xOff, ldx, inW, hs, hPrev, H, joinedWeights, 0f, g, gOff, gH);
                kernels.rnnForward(m, H, cell == CellType.RNN_RELU, g, gOff, biasSum, 0, hs, hOut);
            }
        }
    }

    /** Whether step t's previous state is the zero initial state for every row (forward direction, no h0/c0 given). */
    private boolean startsFromZeros(int t) { return !reverse && t == 0 && h0 == null && c0 == null; }

    /** After the last step: the final states of sequences [r0, r1), each at its own last step. */
    void finishForward(int r0, int r1) {
        int B = rows.batch();
        long rowBytes = (long) hidden * 4;
        for (int b = r0; b < r1; b++) {
            int len = rows.length(b);
            long dst = stateRow(b) * hidden * 4;
            if (len == 0) {
                // passes through: h_n = h0
                copyInitialRow(h0, b, states.hN, dst);
                if (cs != null) copyInitialRow(c0, b, states.cN, dst);
                continue;
            }
            long src = ((long) outSlot(reverse ? 0 : len - 1) * B + b) * rowBytes;
            MemorySegment.copy(hs, src, states.hN, dst, rowBytes);
            if (cs != null) MemorySegment.copy(cs, src, states.cN, dst, rowBytes);
        }
    }

    /**
     * Writes this direction's hidden states of sequences [r0, r1) at every step into the layer
     * output {@code out} (row t·B + b, columns {@code [col, col + H)} of width {@code outW}), zeros
     * on padding rows; with {@code add}, adds them instead and leaves padding rows alone.
     */
    void writeOutput(MemorySegment out, int outW, int col, boolean add, int r0, int r1) {
        int B = rows.batch(), H = hidden;
        long rowBytes = (long) H * 4;
        for (int t = 0; t < rows.steps(); t++) {
            int n = Math.max(r0, Math.min(rows.active(t), r1));
            long src = ((long) outSlot(t) * B + r0) * H;
            long dst = ((long) t * B + r0) * outW + col;
            if (!add && outW == H) {
                MemorySegment.copy(hs, src * 4, out, dst * 4, (n - r0) * rowBytes);
                if (n < r1) MemorySegment.copy(zeros, 0, out, (dst + (long) (n - r0) * outW) * 4, (r1 - n) * rowBytes);
                continue;
            }
            for (int r = r0; r < r1; r++) {
                long di = dst + (long) (r - r0) * outW, si = src + (long) (r - r0) * H;
                if (r >= n) {
                    if (!add) MemorySegment.copy(zeros, 0, out, di * 4, rowBytes);
                } else if (add) {
                    kernels.add(H, out, di, hs, si, out, di);
                } else {
                    MemorySegment.copy(hs, si * 4, out, di * 4, rowBytes);
                }
            }
        }
    }

    /** Rows [from, to) of the slot starting at buffer row slotRow ← this direction's rows of init (zeros when null). */
    private void loadInitial(FloatMatrix init, MemorySegment buf, long slotRow, int from, int to) {
        if (to <= from) return;
        long dst = (slotRow + from) * hidden * 4, rowBytes = (long) hidden * 4;
        if (init == null) {
            MemorySegment.copy(zeros, 0, buf, dst, (to - from) * rowBytes);
            return;
        }
        MemorySegment src = init.segment();
        long ld = init.ld();
        for (int b = from; b < to; b++) {
            MemorySegment.copy(src, stateRow(b) * ld * 4, buf, dst + (b - from) * rowBytes, rowBytes);
        }
    }

    private void copyInitialRow(FloatMatrix init, int b, MemorySegment dstBuf, long dstByte) {
        if (init == null) {
            MemorySegment.copy(zeros, 0, dstBuf, dstByte, (long) hidden * 4);
        } else {
            MemorySegment.copy(init.segment(), stateRow(b) * init.ld() * 4, dstBuf, dstByte, (long) hidden * 4);
        }
    }

    // ------------------------------------------------------------------ backward

    /**
     * Remembers the gradients flowing in (w.r.t. the outputs, at {@code dOutOff + (t·B + b)·ldOut};
     * w.r.t. the final states, null = 0) and packs W_hh for the step products.
     *
     * @param dxSteps where each step writes its rows of the input gradient {@code dX = dG·W_ih}
     *                (row t·B + b, leading dimension inW; padding rows 0), or null to leave dX to
     *                {@link #weightGradients} (which then adds it to what is there: the second
     *                direction of a bidirectional layer, whose steps may run beside the first's)
     */
    void prepareBackward(MemorySegment dOut, long dOutOff, int ldOut, FloatMatrix dhN, FloatMatrix dcN,
                         MemorySegment dxSteps) {
        this.dOut = dOut;
        this.dOutOff = dOutOff;
        this.ldOut = ldOut;
        this.dhN = dhN;
        this.dcN = dcN;
        this.dxSteps = dxSteps;
        backwardWeights.repack(whh.value().segment(), 0, hidden);
        if (dxSteps != null) inputGradWeights.repack(wih.value().segment(), 0, inW);
    }

    /** Sequences [r0, r1) back through every step, then their initial-state gradients. */
    void backwardRows(int r0, int r1) {
        startBackward(r0, r1);
        int nT = rows.steps();
        for (int k = 0; k < nT; k++) {
            int t = reverse ? k : nT - 1 - k;
            clearPadding(t, r0, r1);
            backwardStep(t, r0, r1);
        }
        finishBackward(r0, r1);
    }

    /** The running gradients of sequences [r0, r1) ← the final-state gradients. */
    void startBackward(int r0, int r1) {
        loadInitial(dhN, dh, 0, r0, r1);
        if (dc != null) loadInitial(dcN, dc, 0, r0, r1);
    }

    /**
     * Padding rows of step t among [r0, r1) get no gradient: zeroed, so the all-steps GEMMs ignore
     * them (and their rows of a step-by-step dX are 0).
     */
    void clearPadding(int t, int r0, int r1) {
        int from = Math.max(r0, rows.active(t));
        if (from >= r1) return;
        long off = ((long) t * rows.batch() + from) * gateWidth * 4, bytes = (long) (r1 - from) * gateWidth * 4;
        MemorySegment.copy(zeros, 0, g, off, bytes);
        if (gh != null) MemorySegment.copy(zeros, 0, gh, off, bytes);
        if (dxSteps != null) {
            VectorOps.fill(0f, dxSteps, ((long) t * rows.batch() + from) * inW, (r1 - from) * inW);
        }
    }

    /**
     * Backward of step t on the active ones of sequences [r0, r1): fused kernel, then dh = dG·W_hh
     * (+ direct part), and this step's rows of dX = dG·W_ih when they are made step by step.
     */
    void backwardStep(int t, int r0, int r1) {
        int n = Math.min(rows.active(t), r1);
        if (n <= r0) return;
        int B = rows.batch(), H = hidden, gH = gateWidth, m = n - r0;
        long hPrev = ((long) prevSlot(t) * B + r0) * H;
        long hOut = ((long) outSlot(t) * B + r0) * H;
        long gOff = ((long) t * B + r0) * gH;
        long sOff = (long) r0 * H;
        long dOff = dOutOff + ((long) t * B + r0) * ldOut;
        PackedB w = backwardWeights;
        switch (cell) {
            case LSTM -> {
                kernels.lstmBackward(m, H, g, gOff, cs, hOut, cs, hPrev, dOut, dOff, ldOut, dh, sOff, dc, sOff);
                Gemm.sgemmSerial(N, m, 1f, g, gOff, gH, w, 0f, dh, sOff, H);
            }
            case GRU -> {
                kernels.gruBackward(m, H, g, gOff, gh, gOff, hs, hPrev, dOut, dOff, ldOut, dh, sOff);
                Gemm.sgemmSerial(N, m, 1f, gh, gOff, gH, w, 1f, dh, sOff, H);
            }
            case RNN_TANH, RNN_RELU -> {
                kernels.rnnBackward(m, H, cell == CellType.RNN_RELU, hs, hOut, dOut, dOff, ldOut, dh, sOff, g, gOff);
                Gemm.sgemmSerial(N, m, 1f, g, gOff, gH, w, 0f, dh, sOff, H);
            }
        }
        if (dxSteps != null) {
            Gemm.sgemmSerial(N, m, 1f, g, gOff, gH, inputGradWeights, 0f, dxSteps, ((long) t * B + r0) * inW, inW);
        }
        if (reverse) {
            // sequences whose reverse pass started at t: dh, dc now hold d(h0), d(c0)
            int started = Math.max(r0, rows.activeAfter(t));
            storeInitialGrad(dh, states.dh0, started, n);
            if (dc != null) storeInitialGrad(dc, states.dc0, started, n);
        }
        if (cutsAfter(t)) {
            // truncated BPTT: the gradient carried into the previous window is dropped
            long off = sOff * 4, bytes = (long) m * H * 4;
            MemorySegment.copy(zeros, 0, dh, off, bytes);
            if (dc != null) MemorySegment.copy(zeros, 0, dc, off, bytes);
        }
    }

    /** After the last step back: the forward direction's running gradient is d(h0); reverse: rows of length 0. */
    void finishBackward(int r0, int r1) {
        int from = reverse ? Math.max(r0, rows.active(0)) : r0;
        storeInitialGrad(dh, states.dh0, from, r1);
        if (dc != null) storeInitialGrad(dc, states.dc0, from, r1);
    }

    /**
     * Whether the backward of step t ends at a window boundary of {@link #gradientWindow}: the
     * next step back in this direction's chain (t−1 forward, t+1 reverse) lies in another window.
     */
    private boolean cutsAfter(int t) {
        int k = gradientWindow;
        if (k <= 0) return false;
        return reverse ? t + 1 < rows.steps() && (t + 1) % k == 0 : t > 0 && t % k == 0;
    }

    private void storeInitialGrad(MemorySegment running, MemorySegment dst, int from, int to) {
        if (to <= from) return;
        MemorySegment.copy(running, (long) from * hidden * 4, dst, stateRow(from) * hidden * 4,
                (long) (to - from) * hidden * 4);
    }

    /**
     * The all-steps part of backward, on the calling thread (GEMMs split by output blocks, sums in
     * one fixed order): {@code dW_ih += dGxᵀ·X}, {@code dW_hh += dGhᵀ·H_prev}, the bias gradients,
     * and, unless the steps made it ({@link #prepareBackward}), {@code dX = dGx·W_ih} ({@code +=}
     * when {@code accumulateDx}).
     *
     * @param scratch (in + H) × gH floats
     * @param passes    splits the bias-gradient column sums over the pool
     * @param gemm      splits the input gradient by rows over the pool
     */
    void weightGradients(MemorySegment x, int ldx, MemorySegment dx, boolean accumulateDx, MemorySegment scratch,
                         SplitPasses passes, TallGemm gemm) {
        int B = rows.batch(), H = hidden, gH = gateWidth, tb = rows.steps() * B;
        if (tb == 0) return;
        MemorySegment dgh = cell == CellType.GRU ? gh : g;
        long hPrev0 = reverse ? (long) B * H : 0;
        // as Xᵀ·dG and H_prevᵀ·dG into a scratch, then added transposed: the TN product with the
        // narrow operand transposed measured ~1.5× faster than dGᵀ·X
        if (dgh == g) {
            // one dG for both (RNN, LSTM): stacked, so the big operand is packed once. Step 0's
            // rows of H_prev are the initial state, zeros when none was given: they add exact zeros.
            long whhRows = (long) inW * gH;
            Gemm.sgemmStacked(T, N, inW, H, gH, tb, 1f, x, 0, ldx, hs, hPrev0, H, g, 0, gH, 0f, scratch, 0, gH);
            RowOps.addTransposed(scratch, 0, inW, gH, gH, wih.grad().segment(), 0, inW);
            RowOps.addTransposed(scratch, whhRows, H, gH, gH, whh.grad().segment(), 0, H);
        } else {
            Gemm.sgemm(T, N, inW, gH, tb, 1f, x, 0, ldx, g, 0, gH, 0f, scratch, 0, gH);
            RowOps.addTransposed(scratch, 0, inW, gH, gH, wih.grad().segment(), 0, inW);
            // the forward direction's step 0 from the zero state adds 0ᵀ·dGh to dW_hh: its rows are left out
            int skip = startsFromZeros(0) ? B : 0;
            if (tb > skip) {
                Gemm.sgemm(T, N, H, gH, tb - skip, 1f, hs, hPrev0 + (long) skip * H, H, dgh, (long) skip * gH, gH, 0f, scratch, 0, gH);
                RowOps.addTransposed(scratch, 0, H, gH, gH, whh.grad().segment(), 0, H);
            }
        }
        if (cell == CellType.GRU) {
            passes.addColumnSums(tb, gH, g, bih.grad().segment());
            passes.addColumnSums(tb, gH, dgh, bhh.grad().segment());
        } else {
            // one pass over the gate gradients: db_ih and db_hh get the same sums (biasSum is free
            // until the next forward recomputes it)
            MemorySegment.copy(zeros, 0, biasSum, 0, (long) gH * 4);
            passes.addColumnSums(tb, gH, g, biasSum);
            kernels.add(gH, bih.grad().segment(), 0, biasSum, 0, bih.grad().segment(), 0);
            kernels.add(gH, bhh.grad().segment(), 0, biasSum, 0, bhh.grad().segment(), 0);
        }
        if (dxSteps == null) {
            gemm.multiply(N, tb, inW, gH, g, gH, wih.value().segment(), inW, accumulateDx ? 1f : 0f, dx, inW);
        }
    }
}
