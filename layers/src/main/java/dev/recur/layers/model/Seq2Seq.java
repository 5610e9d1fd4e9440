package dev.recur.layers.model;

import dev.recur.engine.Activations;
import dev.recur.engine.DropoutMask;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.RowOps;
import dev.recur.engine.Transpose;
import dev.recur.engine.VectorOps;
import dev.recur.engine.cell.CellKernels;
import dev.recur.layers.Attention;
import dev.recur.layers.AttentionScore;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Embedding;
import dev.recur.layers.Init;
import dev.recur.layers.Linear;
import dev.recur.layers.Module;
import dev.recur.layers.Parameter;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.RowViews;
import dev.recur.layers.loss.SoftmaxCrossEntropyLoss;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An attentional encoder–decoder for translation (Luong et al. 2015, global attention, with
 * Bahdanau's additive score as one choice). Source and target are two {@link Batch}es of the same
 * sentences: the source's tokens and lengths, the target's decoder inputs {@code <bos> y₁ … y_m}
 * (tokens, length m + 1) and outputs {@code y₁ … y_m <eos>} (targets, {@link Batch#IGNORE} on padding).
 *
 * <pre>
 *   encoder:  H = RecurrentStack(Embedding_src(x))              T·B × K   (K = D·encoderHidden)
 *   start:    s₀ = tanh(W_b [h_fwd; h_bwd] + b_b)                (bridge; else s₀ = h_N of the top layer)
 *             c₀ = tanh(W_bc [c_fwd; c_bwd] + b_bc)              (LSTM, bridge)
 *   step t:   x_t = [Embedding_tgt(y_{t−1}); h̃_{t−1}]           (h̃ only with input feeding; h̃₋₁ = 0)
 *             s_t = cell(x_t, s_{t−1})                           (GRU or LSTM, PyTorch's equations)
 *             c_t = Attention(s_t; H)                            (padding masked out of the softmax)
 *             h̃_t = tanh(W_c [c_t; s_t] + b_c)
 *             logits_t = W_o h̃_t + b_o                           (W_o = Embedding_tgt.weight when tied)
 *   loss:     cross-entropy with label smoothing, mean over the valid target positions
 * </pre>
 *
 * <p><b>Dropout</b> ({@link Seq2SeqConfig#dropout()} = p &gt; 0, training only): inverted dropout on
 * the source embeddings, between stacked encoder layers, on the target embeddings and on h̃ before
 * the output projection; input feeding reads the dropped h̃ (as OpenNMT's decoder). The masks are
 * {@link DropoutMask}'s pure functions of (seed, call, position), one call per training forward and
 * stream; the streams' positions are {@link #rngState()}. Evaluation and decoding drop nothing.
 *
 * <p><b>Parameters</b> (PyTorch names): {@code encoder.embedding.weight}, {@code encoder.rnn.*}
 * (the {@code nn.LSTM}/{@code nn.GRU} names), {@code bridge.weight}/{@code bridge.bias} (and
 * {@code bridge_cell.*} for an LSTM) when {@link Seq2SeqConfig#hasBridge()},
 * {@code decoder.embedding.weight}, {@code decoder.rnn.weight_ih_l0} (gates × (embed [+ hidden]),
 * the embedding's columns first), {@code decoder.rnn.weight_hh_l0}, {@code decoder.rnn.bias_ih_l0},
 * {@code decoder.rnn.bias_hh_l0}, {@code decoder.attention.*} ({@link Attention}),
 * {@code decoder.combine.weight}/{@code .bias}, {@code decoder.out.weight} (absent when tied) and
 * {@code decoder.out.bias}. Both embeddings keep row 0 (padding) at zero.
 *
 * <p><b>Where the work goes.</b> The encoder is the recurrent stack (one input GEMM, a recurrent GEMM
 * and a fused kernel per step, ragged lengths). The attention's key projection is computed once per
 * sentence batch. With full teacher forcing the decoder's embedding part of {@code x·W_ihᵀ} is one
 * GEMM over all steps, and the output projection, the softmax cross-entropy and their backward are
 * single large GEMMs and row kernels after the recurrence; without input feeding the attention and
 * the combination run as one block over all steps too. Per step remain the recurrent GEMM, the
 * engine's fused cell kernel ({@link CellKernels}, SIMD with a scalar twin) and, with input feeding,
 * the attention of that step. Workspaces are allocated at construction for {@code maxSourceSteps ×
 * maxTargetSteps × maxBatch}; a training step or a decode allocates nothing once the batch shape
 * repeats (decoding allocates only its results).
 *
 * <p>Everything inside runs in the encoder's length-sorted order; results come back in the caller's
 * order. One caller at a time; {@link #close()} frees all native memory.
 */
public final class Seq2Seq implements Module {
    /** Metadata value of {@link SequenceModel#KIND_KEY} for this model. */
    public static final String KIND = "seq2seq";

    private final Seq2SeqConfig cfg;
    private final long seed;
    private final int maxSrc, maxTgt, maxBatch;
    private final int hd, k, e, v, g, xin;
    private final CellType cell;
    private final Arena arena = Arena.ofShared();
    private final CellKernels kernels = CellKernels.get();

    // modules and parameters
    private final Embedding srcEmbedding, tgtEmbedding;
    private final SequenceEncoder encoder;
    private final Linear bridge, bridgeCell;
    private final Parameter wIh, wHh, bIh, bHh, outWeight, outBias;
    private final Attention attention;
    private final Linear combine;
    private final List<Parameter> parameters;
    private final BatchOrder order;

    // workspaces (sorted order, row t·B + b)
    private final FloatMatrix emb, gx, gh, states, cells, ctx, cat, ht, logits, work, dHt, dCat, dQ;
    private final FloatMatrix dS, dC, dEncOut, dhN, dcN, bridgeIn, dBridgeIn, dBridgeOut, biasSum, lsm;
    private final Steps embV, statesV, cellsV, ctxV, catV, htV, logitsV, workV, dHtV, dCatV, dQV, dCatCtxV, dCatStateV;
    private final RowViews lsmV, dSV, dCV, dEncV, dhNV, dcNV, bridgeInV, dBridgeInV, dBridgeOutV;
    private final FloatMatrix beamKeys, startH, startC, permute;
    private final RowViews beamKeysV;
    private final int[] decIds, gradIds, targets, stepIds, beamLengths, selParent, selToken;
    private final boolean[] forced;
    // dropout: the masks of the last training forward and h̃ before its mask (allocated only with p > 0)
    private final float dropout;
    private final FloatMatrix embMask, outMask, htKept;
    private long decoderDropoutCalls;
    private boolean dropping;
    private long embKey, outKey;

    // the last forward
    private boolean training = true, backwardReady, allForced;
    private int srcSteps, tgtSteps, batch;
    private long teacherDraws;

    /**
     * A new model, initialised from {@code seed} ({@code nn.Linear}/{@code nn.Embedding}/RNN
     * defaults), with workspaces for up to {@code maxSourceSteps} source tokens,
     * {@code maxTargetSteps} decoder steps (training steps and decoded tokens, {@code <eos>}
     * included) and {@code maxBatch} sentences (for beam search: sentences × beam rows at once).
     */
    public Seq2Seq(Seq2SeqConfig config, long seed, int maxSourceSteps, int maxTargetSteps, int maxBatch) {
        if (maxSourceSteps < 1 || maxTargetSteps < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("maxSourceSteps, maxTargetSteps and maxBatch must be ≥ 1, got "
                    + maxSourceSteps + ", " + maxTargetSteps + " and " + maxBatch);
        }
        this.cfg = config;
        this.seed = seed;
        this.maxSrc = maxSourceSteps;
        this.maxTgt = maxTargetSteps;
        this.maxBatch = maxBatch;
        cell = config.cell();
        hd = config.decoderHidden();
        k = config.keyDim();
        e = config.embedDim();
        v = config.targetVocab();
        g = cell.gates();
        xin = config.decoderInput();
        dropout = config.dropout();
        SplittableRandom rng = new SplittableRandom(seed);

        srcEmbedding = new Embedding(arena, "encoder.embedding", config.sourceVocab(), e, 0, rng);
        RecurrentConfig rc = new RecurrentConfig(cell, e, config.encoderHidden(), config.encoderLayers(), config.bidirectional(),
                DirectionMerge.CONCAT, dropout, false, false, seed + 1);
        encoder = new SequenceEncoder(List.of(srcEmbedding), new Dropout(arena, dropout, seed + 7),
                new RecurrentStack("encoder.rnn", rc, maxSourceSteps, maxBatch), maxSourceSteps, maxBatch);
        boolean hasBridge = config.hasBridge();
        bridge = hasBridge ? new Linear(arena, "bridge", k, hd, rng) : null;
        bridgeCell = hasBridge && cell == CellType.LSTM ? new Linear(arena, "bridge_cell", k, hd, rng) : null;
        tgtEmbedding = new Embedding(arena, "decoder.embedding", v, e, 0, rng);
        float bound = (float) (1.0 / Math.sqrt(hd));
        wIh = param("decoder.rnn.weight_ih_l0", g * hd, xin, bound, rng);
        wHh = param("decoder.rnn.weight_hh_l0", g * hd, hd, bound, rng);
        bIh = param("decoder.rnn.bias_ih_l0", 1, g * hd, bound, rng);
        bHh = param("decoder.rnn.bias_hh_l0", 1, g * hd, bound, rng);
        attention = switch (config.attention()) {
            case DOT -> Attention.dot(arena, hd, maxSourceSteps, maxTargetSteps, maxBatch);
            case GENERAL -> Attention.general(arena, "decoder.attention", hd, k, maxSourceSteps, maxTargetSteps, maxBatch, rng);
            case ADDITIVE -> Attention.additive(arena, "decoder.attention", hd, k, config.attentionDim(),
                    maxSourceSteps, maxTargetSteps, maxBatch, rng);
        };
        combine = new Linear(arena, "decoder.combine", k + hd, hd, rng);
        outWeight = config.tieEmbeddings() ? tgtEmbedding.weight() : param("decoder.out.weight", v, hd, bound, rng);
        outBias = param("decoder.out.bias", 1, v, bound, rng);

        List<Parameter> ps = new ArrayList<>(encoder.parameters());
        if (bridge != null) ps.addAll(bridge.parameters());
        if (bridgeCell != null) ps.addAll(bridgeCell.parameters());
        ps.addAll(tgtEmbedding.parameters());
        ps.addAll(List.of(wIh, wHh, bIh, bHh));
        ps.addAll(attention.parameters());
        ps.addAll(combine.parameters());
        if (!config.tieEmbeddings()) ps.add(outWeight);
        ps.add(outBias);
        parameters = List.copyOf(ps);
        order = new BatchOrder(maxBatch);

        int rows = Math.multiplyExact(maxTargetSteps, maxBatch);
        emb = alloc(rows, e);
        gx = alloc(rows, g * hd);
        gh = alloc(cell == CellType.GRU ? rows : 1, g * hd);
        states = alloc(rows + maxBatch, hd);
        cells = alloc(cell == CellType.LSTM ? rows + maxBatch : 1, hd);
        ctx = alloc(rows, k);
        cat = alloc(rows, k + hd);
        ht = alloc(rows, hd);
        logits = alloc(rows, v);
        work = alloc(rows, v);
        dHt = alloc(rows, hd);
        dCat = alloc(rows, k + hd);
        dQ = alloc(rows, hd);
        dS = alloc(maxBatch, hd);
        dC = alloc(maxBatch, hd);
        dEncOut = alloc(maxSourceSteps * maxBatch, k);
        int stateRows = config.encoderLayers() * (config.bidirectional() ? 2 : 1) * maxBatch;
        dhN = alloc(stateRows, config.encoderHidden());
        dcN = alloc(stateRows, config.encoderHidden());
        bridgeIn = alloc(maxBatch, k);
        dBridgeIn = alloc(maxBatch, k);
        dBridgeOut = alloc(maxBatch, hd);
        biasSum = alloc(1, g * hd);
        lsm = alloc(maxBatch, v);
        embV = new Steps(emb, maxTargetSteps);
        statesV = new Steps(states, maxTargetSteps + 1);
        cellsV = new Steps(cells, maxTargetSteps + 1);
        ctxV = new Steps(ctx, maxTargetSteps);
        catV = new Steps(cat, maxTargetSteps);
        htV = new Steps(ht, maxTargetSteps);
        logitsV = new Steps(logits, maxTargetSteps);
        workV = new Steps(work, maxTargetSteps);
        dHtV = new Steps(dHt, maxTargetSteps);
        dCatV = new Steps(dCat, maxTargetSteps);
        dQV = new Steps(dQ, maxTargetSteps);
        dCatCtxV = new Steps(dCat.view(0, 0, rows, k), maxTargetSteps);
        dCatStateV = new Steps(dCat.view(0, k, rows, hd), maxTargetSteps);
        lsmV = new RowViews(lsm);
        dSV = new RowViews(dS);
        dCV = new RowViews(dC);
        dEncV = new RowViews(dEncOut);
        dhNV = new RowViews(dhN);
        dcNV = new RowViews(dcN);
        bridgeInV = new RowViews(bridgeIn);
        dBridgeInV = new RowViews(dBridgeIn);
        dBridgeOutV = new RowViews(dBridgeOut);
        decIds = new int[rows];
        gradIds = new int[rows];
        targets = new int[rows];
        stepIds = new int[maxBatch];
        beamKeys = alloc(maxSourceSteps * maxBatch, k);
        beamKeysV = new RowViews(beamKeys);
        startH = alloc(maxBatch, hd);
        startC = alloc(cell == CellType.LSTM ? maxBatch : 1, hd);
        permute = alloc(maxBatch, hd);
        beamLengths = new int[maxBatch];
        selParent = new int[rows];
        selToken = new int[rows];
        forced = new boolean[maxTargetSteps];
        boolean drops = dropout > 0f;
        embMask = alloc(drops ? rows : 1, e);
        outMask = alloc(drops ? rows : 1, hd);
        htKept = alloc(drops ? rows : 1, hd);
    }

    private Parameter param(String name, int rows, int cols, float bound, SplittableRandom rng) {
        Parameter p = new Parameter(name, FloatMatrix.allocate(arena, rows, cols), FloatMatrix.allocate(arena, rows, cols));
        Init.uniform(p.value(), bound, rng);
        return p;
    }

    private FloatMatrix alloc(int rows, int cols) { return FloatMatrix.allocate(arena, Math.max(1, rows), cols); }

    // ------------------------------------------------------------------ facts

    public Seq2SeqConfig config() { return cfg; }

    /** {@value #KIND}. */
    public String kind() { return KIND; }

    public long seed() { return seed; }

    public int maxSourceSteps() { return maxSrc; }

    public int maxTargetSteps() { return maxTgt; }

    public int maxBatch() { return maxBatch; }

    /** Every parameter in a stable order under its PyTorch name (a tied output weight appears once, as the embedding). */
    @Override
    public List<Parameter> parameters() { return parameters; }

    /** The parameter named {@code name}, or a clear error listing the names. */
    public Parameter parameter(String name) {
        for (Parameter p : parameters) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("no parameter named " + name + "; the model has "
                + parameters.stream().map(Parameter::name).toList());
    }

    /** Total number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters) n += p.size();
        return n;
    }

    @Override
    public void zeroGrad() {
        encoder.zeroGrad();
        tgtEmbedding.zeroGrad();
        for (int i = 0; i < parameters.size(); i++) {   // indexed: no iterator in a training loop
            Parameter p = parameters.get(i);
            if (p != srcEmbedding.weight() && p != tgtEmbedding.weight()) p.zeroGrad();
        }
    }

    /** Marks the embeddings' gradients as possibly non-zero everywhere (after loading or editing them directly). */
    public void markGradDirty() {
        encoder.markGradDirty();
        tgtEmbedding.markGradDirty();
    }

    /** Training mode (teacher forcing ratio, backward allowed) or evaluation mode (full teacher forcing, no backward). */
    public void train(boolean on) { training = on; }

    public void eval() { train(false); }

    public boolean isTraining() { return training; }

    /** The configuration as metadata entries, with the kind under {@link SequenceModel#KIND_KEY}. */
    public Map<String, String> configMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SequenceModel.KIND_KEY, KIND);
        m.putAll(cfg.toMetadata());
        return m;
    }

    /** Metadata key of the decoder's dropout streams' position (target embeddings and h̃ share one counter). */
    public static final String DECODER_DROPOUT = "recur.rng.decoder_dropout";

    /**
     * The random streams' positions, for an exact resume: {@code recur.rng.teacher_forcing},
     * {@code recur.rng.embedding_dropout} (source embeddings), {@code recur.rng.recurrent_dropout}
     * (between encoder layers) and {@value #DECODER_DROPOUT}.
     */
    public Map<String, String> rngState() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("recur.rng.teacher_forcing", Long.toString(teacherDraws));
        m.put(RngKeys.EMBEDDING_DROPOUT, Long.toString(encoder.inputDropout().calls()));
        m.put(RngKeys.RECURRENT_DROPOUT, Long.toString(encoder.recurrent().dropoutCalls()));
        m.put(DECODER_DROPOUT, Long.toString(decoderDropoutCalls));
        return m;
    }

    /** Restores {@link #rngState()} (an absent key leaves that stream as it is). */
    public void restoreRngState(Map<String, String> state) {
        String s = state.get("recur.rng.teacher_forcing");
        if (s != null) teacherDraws = Long.parseLong(s);
        RngKeys.restore(state, encoder.inputDropout(), encoder.recurrent(), null);
        s = state.get(DECODER_DROPOUT);
        if (s != null) {
            try {
                decoderDropoutCalls = Long.parseLong(s);
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("metadata " + DECODER_DROPOUT + " is not an integer: " + s);
            }
        }
    }

    /** Copies every parameter value from {@code other}, a model of the same configuration. */
    public void copyParametersFrom(Seq2Seq other) {
        if (other.parameters.size() != parameters.size()) {
            throw new IllegalArgumentException("cannot copy " + other.parameters.size() + " parameters into a model with " + parameters.size());
        }
        for (int i = 0; i < parameters.size(); i++) {
            Parameter to = parameters.get(i), from = other.parameters.get(i);
            if (!to.name().equals(from.name())) throw new IllegalArgumentException("cannot copy parameter " + from.name() + " into " + to.name());
            to.value().copyFrom(from.value());
        }
        markGradDirty();
    }

    /** The attention module (its weights of the last forward or greedy decode: {@link Attention#weight}, sorted order). */
    public Attention attention() { return attention; }

    /** The sort of the last forward or decode: sorted position i holds the caller's sentence {@code order().source(i)}. */
    public BatchOrder order() { return order; }

    // ------------------------------------------------------------------ training

    /**
     * Runs the model on a batch of sentence pairs in the current mode and returns the mean
     * (label-smoothed) cross-entropy per valid target token. In training mode the decoder reads the
     * reference token with probability {@link Seq2SeqConfig#teacherForcing()} per step (else its own
     * previous argmax) and keeps what {@link #backward()} needs; in evaluation mode it always reads
     * the reference.
     *
     * @param source sentences: tokens and lengths (in [1, steps])
     * @param target the same sentences' decoder inputs (tokens, from {@code <bos>}), lengths, and
     *               outputs (targets, {@link Batch#IGNORE} past a length)
     */
    public float forward(Batch source, Batch target) {
        int b = source.size(), s = target.steps();
        if (target.size() != b) {
            throw new IllegalArgumentException("the source batch has " + b + " sentences but the target batch has " + target.size());
        }
        if (s > maxTgt) {
            throw new IllegalArgumentException("target batch of " + s + " steps exceeds the model's " + maxTgt
                    + " (create the model with a larger maxTargetSteps)");
        }
        target.checkLengths();
        target.checkIds(0, v);
        FloatMatrix keys = encodeSource(source, training);
        batch = b;
        tgtSteps = s;
        int[] tl = target.lengths(), tt = target.tokens(), ty = target.targets();
        for (int t = 0; t < s; t++) {
            for (int i = 0; i < b; i++) {
                int src = order.source(i), row = t * b + i;
                boolean valid = t < tl[src];
                decIds[row] = valid ? tt[t * b + src] : 0;
                int y = valid ? ty[t * b + src] : Batch.IGNORE;
                if (y != Batch.IGNORE && (y < 0 || y >= v)) {
                    throw new IllegalArgumentException("target " + y + " of sentence " + src + " at step " + t
                            + " is outside the target vocabulary [0, " + v + ")");
                }
                targets[row] = y;
            }
        }
        dropping = training && dropout > 0f;
        if (dropping) {
            long call = ++decoderDropoutCalls;
            embKey = DropoutMask.callKey(seed + 11, call);
            outKey = DropoutMask.callKey(seed + 13, call);
        }
        allForced = !training || cfg.teacherForcing() >= 1f;
        if (!allForced) {
            long draw = ++teacherDraws;
            for (int t = 0; t < s; t++) forced[t] = t == 0 || unit(seed, draw, t) < cfg.teacherForcing();
        }
        initialState(b);
        boolean perStep = cfg.inputFeeding() || !allForced;
        if (allForced) {
            tgtEmbedding.forward(decIds, s * b, embV.block(0, s, b));
            dropEmbeddings(0, s * b);
            System.arraycopy(decIds, 0, gradIds, 0, s * b);
            embeddingGates(0, s * b);
        }
        for (int t = 0; t < s; t++) {
            if (!allForced) {
                int row0 = t * b;
                if (!forced[t]) {
                    FloatMatrix prev = logitsV.step(t - 1, b);
                    for (int i = 0; i < b; i++) decIds[row0 + i] = argmax(prev, i);
                }
                System.arraycopy(decIds, row0, stepIds, 0, b);
                System.arraycopy(decIds, row0, gradIds, row0, b);
                tgtEmbedding.forward(stepIds, b, embV.step(t, b));
                dropEmbeddings(row0, b);
                embeddingGates(row0, b);
            }
            cellForward(t, b);
            if (perStep) {
                attendAndCombine(t, 1, b);
                if (!allForced) project(t, 1, b);
            }
        }
        if (!perStep) attendAndCombine(0, s, b);
        if (allForced) project(0, s, b);
        for (int t = 0; t < s; t++) {   // padded steps get no embedding gradient
            for (int i = 0; i < b; i++) if (t >= tl[order.source(i)]) gradIds[t * b + i] = -1;
        }
        float loss = SoftmaxCrossEntropyLoss.forwardSmoothed(logitsV.block(0, s, b), targets, s * b, Batch.IGNORE,
                cfg.labelSmoothing(), workV.block(0, s, b), training);
        backwardReady = training;
        return loss;
    }

    /** Accumulates every parameter's gradient of the last training {@link #forward}'s loss. */
    public void backward() {
        if (!backwardReady) throw new IllegalStateException("backward needs a preceding forward in training mode");
        backwardReady = false;
        int b = batch, s = tgtSteps, n = s * b;
        MemorySegment wih = wIh.value().segment(), gih = wIh.grad().segment();
        // output projection, all steps at once: dW_o += dLᵀ·h̃, db_o += Σ dL, dh̃ = dL·W_o
        FloatMatrix dl = workV.block(0, s, b), hAll = htV.block(0, s, b), dhAll = dHtV.block(0, s, b);
        Gemm.sgemm(Transpose.T, Transpose.N, 1f, dl, hAll, 1f, outWeight.grad());
        RowOps.addColumnSums(dl, outBias.grad());
        Gemm.sgemm(Transpose.N, Transpose.N, 1f, dl, outWeight.value(), 0f, dhAll);
        FloatMatrix ds = dSV.first(b), dc = dCV.first(b);
        ds.fill(0f);
        if (cell == CellType.LSTM) dc.fill(0f);
        if (!cfg.inputFeeding()) combineBackward(0, s, b);
        for (int t = s - 1; t >= 0; t--) {
            if (cfg.inputFeeding()) combineBackward(t, 1, b);
            long off = (long) t * b * g * hd, sPrev = (long) t * b * hd, qOff = (long) t * b * hd;
            if (cell == CellType.GRU) {
                kernels.gruBackward(b, hd, gx.segment(), off, gh.segment(), off, states.segment(), sPrev,
                        dQ.segment(), qOff, hd, ds.segment(), 0);
                // ds_{t−1} = (ds_t ⊙ z) + dGh·W_hh
                Gemm.sgemm(Transpose.N, Transpose.N, b, hd, g * hd, 1f, gh.segment(), off, g * hd,
                        wHh.value().segment(), 0, hd, 1f, ds.segment(), 0, hd);
            } else {
                long cOff = (long) (t + 1) * b * hd;
                kernels.lstmBackward(b, hd, gx.segment(), off, cells.segment(), cOff, cells.segment(), sPrev,
                        dQ.segment(), qOff, hd, ds.segment(), 0, dc.segment(), 0);
                Gemm.sgemm(Transpose.N, Transpose.N, b, hd, g * hd, 1f, gx.segment(), off, g * hd,
                        wHh.value().segment(), 0, hd, 0f, ds.segment(), 0, hd);
            }
            if (cfg.inputFeeding() && t > 0) {   // dh̃_{t−1} += dG_x,t · W_f (the input-feed columns of W_ih)
                Gemm.sgemm(Transpose.N, Transpose.N, b, hd, g * hd, 1f, gx.segment(), off, g * hd,
                        wih, e, xin, 1f, dHt.segment(), (long) (t - 1) * b * hd, hd);
            }
        }
        // decoder cell weights, all steps at once (the gate buffers now hold the gate gradients)
        MemorySegment dgx = gx.segment(), dgh = cell == CellType.GRU ? gh.segment() : gx.segment();
        Gemm.sgemm(Transpose.T, Transpose.N, g * hd, e, n, 1f, dgx, 0, g * hd, emb.segment(), 0, e, 1f, gih, 0, xin);
        if (cfg.inputFeeding() && s > 1) {
            Gemm.sgemm(Transpose.T, Transpose.N, g * hd, hd, n - b, 1f, dgx, (long) b * g * hd, g * hd,
                    ht.segment(), 0, hd, 1f, gih, e, xin);
        }
        Gemm.sgemm(Transpose.T, Transpose.N, g * hd, hd, n, 1f, dgh, 0, g * hd, states.segment(), 0, hd,
                1f, wHh.grad().segment(), 0, hd);
        kernels.addColumnSums(n, g * hd, dgx, 0, g * hd, bIh.grad().segment(), 0);
        kernels.addColumnSums(n, g * hd, dgh, 0, g * hd, bHh.grad().segment(), 0);
        // decoder embedding: dE = dG_x · W_e (the embedding columns of W_ih), written over the embeddings
        Gemm.sgemm(Transpose.N, Transpose.N, n, e, g * hd, 1f, dgx, 0, g * hd, wih, 0, xin, 0f, emb.segment(), 0, e);
        if (dropping) VectorOps.mul(emb.segment(), 0, embMask.segment(), 0, emb.segment(), 0, n * e);
        tgtEmbedding.backward(gradIds, n, embV.block(0, s, b));
        if (cfg.tieEmbeddings()) tgtEmbedding.markGradDirty();   // the output projection wrote every row
        // initial state → encoder final states; attention → encoder outputs
        int layers = cfg.encoderLayers(), dirs = cfg.bidirectional() ? 2 : 1, he = cfg.encoderHidden();
        FloatMatrix dh = dhNV.first(layers * dirs * b), dcn = cell == CellType.LSTM ? dcNV.first(layers * dirs * b) : null;
        dh.fill(0f);
        if (dcn != null) dcn.fill(0f);
        int top = (layers - 1) * dirs * b;
        if (bridge != null) {
            bridgeBackward(bridge, statesV.step(0, b), ds, dh, top, b, dirs, he);
            if (bridgeCell != null) bridgeBackward(bridgeCell, cellsV.step(0, b), dc, dcn, top, b, dirs, he);
        } else {
            RowOps.copyRows(ds.segment(), 0, hd, dh.segment(), (long) top * he, he, b, he);
            if (dcn != null) RowOps.copyRows(dc.segment(), 0, hd, dcn.segment(), (long) top * he, he, b, he);
        }
        FloatMatrix dk = dEncV.first(srcSteps * b);
        dk.fill(0f);
        attention.backwardKeys(dk);
        encoder.backward(dk, dh, dcn);
    }

    /**
     * A logit of the last {@link #forward}: decoder step {@code step}, the caller's sentence
     * {@code sentence}, target token {@code token} (for tests and inspection; O(B) per call).
     */
    public float logit(int step, int sentence, int token) {
        if (step < 0 || step >= tgtSteps || sentence < 0 || sentence >= batch || token < 0 || token >= v) {
            throw new IndexOutOfBoundsException("logit (" + step + ", " + sentence + ", " + token + ") outside the last forward's "
                    + tgtSteps + " steps × " + batch + " sentences × " + v + " tokens");
        }
        int i = 0;
        while (order.source(i) != sentence) i++;
        return logits.get(step * batch + i, token);
    }

    // ------------------------------------------------------------------ decoding

    /**
     * Greedy decoding of a batch of source sentences (tokens and lengths): at each step the most
     * probable token, until {@code <eos>} or {@code maxLength} tokens ({@code ≤ maxTargetSteps}).
     * Returns one {@link Translation} per sentence in the caller's order, with its tokens (without
     * {@code <eos>}), log-probability and attention weights. Runs in evaluation mode whatever the
     * model's mode; allocates only the results.
     */
    public List<Translation> greedy(Batch source, int maxLength) {
        checkMaxLength(maxLength);
        encodeSource(source, false);
        int b = source.size();
        batch = b;
        tgtSteps = 0;   // no logits of a forward to read any more
        backwardReady = false;
        dropping = false;
        initialState(b);
        boolean[] done = new boolean[b];
        int[] lengthOut = new int[b];
        double[] logProb = new double[b];
        int[] tokens = new int[maxLength * b];
        int steps = 0;
        for (int t = 0; t < maxLength; t++) {
            for (int i = 0; i < b; i++) stepIds[i] = t == 0 ? cfg.bos() : tokens[(t - 1) * b + i];
            decodeStep(t, b);
            FloatMatrix lp = lsmV.first(b);
            RowOps.logSoftmaxRows(logitsV.step(t, b), lp);
            boolean all = true;
            for (int i = 0; i < b; i++) {
                int y = argmax(lp, i);
                tokens[t * b + i] = y;
                if (!done[i]) {
                    logProb[i] += lp.get(i, y);
                    lengthOut[i] = t + 1;
                    if (y == cfg.eos()) done[i] = true;
                }
                all &= done[i];
            }
            steps = t + 1;
            if (all) break;
        }
        Translation[] out = new Translation[b];
        for (int i = 0; i < b; i++) {
            int len = lengthOut[i];
            boolean ended = tokens[(len - 1) * b + i] == cfg.eos() && done[i];
            int words = ended ? len - 1 : len;
            int[] ids = new int[words];
            for (int t = 0; t < words; t++) ids[t] = tokens[t * b + i];
            int srcLen = order.sortedLengths()[i];
            float[][] att = new float[len][srcLen];
            for (int t = 0; t < len; t++) for (int j = 0; j < srcLen; j++) att[t][j] = attention.weight(t, i, j);
            out[order.source(i)] = new Translation(ids, (float) logProb[i], (float) logProb[i], ended, att);
        }
        return List.of(out);
    }

    /**
     * Beam search over a batch of source sentences: {@code beam} hypotheses per sentence, extended
     * by every token at each step; a hypothesis that emits {@code <eos>} is finished with the score
     * {@code logProb / length^lengthPenalty} (length counts {@code <eos>}; 0 means no normalisation,
     * 1 the mean log-probability per token). A sentence stops when it has {@code beam} finished
     * hypotheses or at {@code maxLength} tokens (live hypotheses then count as unfinished); the
     * result is its best-scoring hypothesis. The greedy hypothesis is always among the candidates,
     * so the result never scores below {@link #greedy} under this score, and {@code beam = 1} is
     * greedy decoding. Sentences run {@code maxBatch / beam} at a time, each as {@code beam} rows of
     * the decoder. Results in the caller's order, {@link Translation#score()} the normalised score.
     */
    public List<Translation> beamSearch(Batch source, int beam, int maxLength, float lengthPenalty) {
        checkMaxLength(maxLength);
        if (beam < 1 || beam > maxBatch) {
            throw new IllegalArgumentException("beam size must be in [1, " + maxBatch + "] (the model's maxBatch), got " + beam);
        }
        if (!(lengthPenalty >= 0f) || Float.isInfinite(lengthPenalty)) {
            throw new IllegalArgumentException("length penalty must be a finite number ≥ 0, got " + lengthPenalty);
        }
        FloatMatrix keys = encodeSource(source, false);
        int b = source.size();
        batch = b;
        tgtSteps = 0;
        backwardReady = false;
        dropping = false;
        initialState(b);
        RowOps.copyRows(states.segment(), 0, hd, startH.segment(), 0, hd, b, hd);
        if (cell == CellType.LSTM) RowOps.copyRows(cells.segment(), 0, hd, startC.segment(), 0, hd, b, hd);
        Translation[] out = new Translation[b];
        int group = Math.max(1, maxBatch / beam);
        for (int i0 = 0; i0 < b; i0 += group) {
            int gs = Math.min(group, b - i0);
            Translation[] best = beamGroup(keys, b, i0, gs, 1, maxLength, lengthPenalty, null);
            if (beam > 1) best = beamGroup(keys, b, i0, gs, beam, maxLength, lengthPenalty, best);
            for (int j = 0; j < gs; j++) out[order.source(i0 + j)] = best[j];
        }
        return List.of(out);
    }

    /** Beam search of sorted sentences [i0, i0 + gs); keeps a better-scoring hypothesis of {@code floor} where there is one. */
    private Translation[] beamGroup(FloatMatrix keys, int b, int i0, int gs, int beam, int maxLength, float alpha, Translation[] floor) {
        int rows = gs * beam, t0 = srcSteps;
        int[] lens = order.sortedLengths();
        for (int t = 0; t < t0; t++) {   // keys and lengths, each sentence repeated for its beam rows
            for (int j = 0; j < gs; j++) {
                repeatRow(keys.segment(), (long) (t * b + i0 + j) * keys.ld(), beamKeys.segment(), (long) (t * rows + j * beam) * k, beam, k);
            }
        }
        for (int j = 0; j < gs; j++) Arrays.fill(beamLengths, j * beam, (j + 1) * beam, lens[i0 + j]);
        attention.setKeys(beamKeysV.first(t0 * rows), beamLengths, t0, rows, false);
        for (int j = 0; j < gs; j++) {
            repeatRow(startH.segment(), (long) (i0 + j) * hd, states.segment(), (long) j * beam * hd, beam, hd);
            if (cell == CellType.LSTM) repeatRow(startC.segment(), (long) (i0 + j) * hd, cells.segment(), (long) j * beam * hd, beam, hd);
        }
        List<List<Hypothesis>> finished = new ArrayList<>(gs);
        for (int j = 0; j < gs; j++) finished.add(new ArrayList<>());
        boolean[] done = new boolean[gs];
        double[] live = new double[rows], next = new double[rows];
        int[] cand = new int[2 * beam];
        double[] candScore = new double[2 * beam];
        for (int r = 0; r < rows; r++) live[r] = r % beam == 0 ? 0 : Double.NEGATIVE_INFINITY;   // one start per sentence
        for (int t = 0; t < maxLength; t++) {
            for (int r = 0; r < rows; r++) stepIds[r] = t == 0 ? cfg.bos() : selToken[(t - 1) * rows + r];
            decodeStep(t, rows);
            FloatMatrix lp = lsmV.first(rows);
            RowOps.logSoftmaxRows(logitsV.step(t, rows), lp);
            boolean last = t == maxLength - 1, allDone = true;
            for (int j = 0; j < gs; j++) {
                int base = j * beam;
                if (done[j]) {
                    for (int m = 0; m < beam; m++) {
                        next[base + m] = Double.NEGATIVE_INFINITY;
                        selParent[t * rows + base + m] = base + m;
                        selToken[t * rows + base + m] = cfg.eos();
                    }
                    continue;
                }
                // the 2·beam best extensions of the sentence's live hypotheses, best first
                int nc = 0;
                for (int m = 0; m < beam; m++) {
                    double sc = live[base + m];
                    if (sc == Double.NEGATIVE_INFINITY) continue;
                    for (int y = 0; y < v; y++) {
                        double c = sc + lp.get(base + m, y);
                        if (nc == cand.length && c <= candScore[nc - 1]) continue;
                        int pos = nc < cand.length ? nc++ : nc - 1;
                        while (pos > 0 && candScore[pos - 1] < c) {
                            candScore[pos] = candScore[pos - 1];
                            cand[pos] = cand[pos - 1];
                            pos--;
                        }
                        candScore[pos] = c;
                        cand[pos] = (base + m) * v + y;
                    }
                }
                int filled = 0;
                List<Hypothesis> fin = finished.get(j);
                for (int c = 0; c < nc && filled < beam; c++) {
                    int parent = cand[c] / v, y = cand[c] % v;
                    if (y == cfg.eos()) {
                        if (fin.size() < beam) fin.add(new Hypothesis(candScore[c], t, parent, y, true));
                        continue;
                    }
                    int r = base + filled++;
                    next[r] = candScore[c];
                    selParent[t * rows + r] = parent;
                    selToken[t * rows + r] = y;
                }
                for (int r = base + filled; r < base + beam; r++) {
                    next[r] = Double.NEGATIVE_INFINITY;
                    selParent[t * rows + r] = base;
                    selToken[t * rows + r] = cfg.eos();
                }
                if (last) {
                    for (int m = 0; m < filled; m++) {
                        int r = base + m;
                        fin.add(new Hypothesis(next[r], t, selParent[t * rows + r], selToken[t * rows + r], false));
                    }
                }
                if (fin.size() >= beam || last) done[j] = true;
                allDone &= done[j];
            }
            System.arraycopy(next, 0, live, 0, rows);
            if (allDone) break;
            // the selected hypotheses' states, cells and h̃ move to their rows
            permuteRows(states, (long) (t + 1) * rows * hd, t * rows, rows);
            if (cell == CellType.LSTM) permuteRows(cells, (long) (t + 1) * rows * hd, t * rows, rows);
            if (cfg.inputFeeding()) permuteRows(ht, (long) t * rows * hd, t * rows, rows);
        }
        Translation[] best = new Translation[gs];
        for (int j = 0; j < gs; j++) {
            int srcLen = lens[i0 + j];
            Translation top = floor == null ? null : floor[j];
            float topScore = top == null ? Float.NEGATIVE_INFINITY : (float) normalised(top.logProb(), top.attention().length, alpha);
            for (Hypothesis h : finished.get(j)) {
                double sc = normalised(h.logProb, h.step + 1, alpha);
                if (top == null || sc > topScore) {
                    top = backtrack(h, rows, srcLen, (float) sc);
                    topScore = (float) sc;
                }
            }
            best[j] = floor == null ? top : new Translation(top.tokens(), top.logProb(),
                    (float) normalised(top.logProb(), top.attention().length, alpha), top.ended(), top.attention());
        }
        return best;
    }

    private static double normalised(double logProb, int length, float alpha) {
        return alpha == 0f ? logProb : logProb / Math.pow(length, alpha);
    }

    /** Tokens and attention of a finished hypothesis, following the parents back to step 0. */
    private Translation backtrack(Hypothesis h, int rows, int srcLen, float score) {
        int len = h.step + 1, words = h.ended ? len - 1 : len;
        int[] ids = new int[words];
        float[][] att = new float[len][srcLen];
        int parent = h.parent;
        for (int t = h.step; t >= 0; t--) {
            int token = t == h.step ? h.token : selToken[t * rows + parent];
            if (t != h.step) parent = selParent[t * rows + parent];
            if (t < words) ids[t] = token;
            for (int j = 0; j < srcLen; j++) att[t][j] = attention.weight(t, parent, j);
        }
        return new Translation(ids, (float) h.logProb, score, h.ended, att);
    }

    /** Copies one row of {@code width} floats to {@code count} consecutive rows. */
    private static void repeatRow(MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int count, int width) {
        long bytes = (long) width * Float.BYTES;
        for (int r = 0; r < count; r++) MemorySegment.copy(src, srcOff * Float.BYTES, dst, (dstOff + (long) r * width) * Float.BYTES, bytes);
    }

    /** Rows {@code r} of the step block at float offset {@code off} become old rows {@code selParent[sel + r]}. */
    private void permuteRows(FloatMatrix m, long off, int sel, int rows) {
        MemorySegment src = m.segment(), tmp = permute.segment();
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(src, (off + (long) selParent[sel + r] * hd) * Float.BYTES, tmp, (long) r * hd * Float.BYTES,
                    (long) hd * Float.BYTES);
        }
        MemorySegment.copy(tmp, 0, src, off * Float.BYTES, (long) rows * hd * Float.BYTES);
    }

    /** A finished (or, at the length limit, unfinished) hypothesis: its last token came from row {@code parent} at {@code step}. */
    private record Hypothesis(double logProb, int step, int parent, int token, boolean ended) {}

    private void checkMaxLength(int maxLength) {
        if (maxLength < 1 || maxLength > maxTgt) {
            throw new IllegalArgumentException("maximum output length must be in [1, " + maxTgt + "] (the model's maxTargetSteps), got " + maxLength);
        }
    }

    /** One decoder step on {@link #stepIds} for {@code b} rows: embedding, cell, attention, combination, logits of step t. */
    private void decodeStep(int t, int b) {
        tgtEmbedding.forward(stepIds, b, embV.step(t, b));
        embeddingGates(t * b, b);
        cellForward(t, b);
        attendAndCombine(t, 1, b);
        project(t, 1, b);
    }

    // ------------------------------------------------------------------ internals

    /** Checks and encodes the source batch (sorting it), sets the attention keys; returns the keys. */
    private FloatMatrix encodeSource(Batch source, boolean train) {
        if (source.steps() > maxSrc || source.size() > maxBatch) {
            throw new IllegalArgumentException("source batch of " + source.steps() + " steps × " + source.size()
                    + " sentences exceeds the model's " + maxSrc + " × " + maxBatch + " workspace");
        }
        FloatMatrix keys = encoder.forward(source, order, train);
        srcSteps = source.steps();
        attention.setKeys(keys, order.sortedLengths(), srcSteps, source.size(), train);
        return keys;
    }

    /** s₀ (and c₀) from the encoder's final states of the top layer, into state block 0. */
    private void initialState(int b) {
        RecurrentStack rnn = encoder.recurrent();
        int dirs = cfg.bidirectional() ? 2 : 1, he = cfg.encoderHidden(), top = (cfg.encoderLayers() - 1) * dirs * b;
        FloatMatrix hN = rnn.finalHidden();
        if (bridge != null) {
            bridgeForward(bridge, hN, top, b, dirs, he, statesV.step(0, b));
            if (bridgeCell != null) bridgeForward(bridgeCell, rnn.finalCell(), top, b, dirs, he, cellsV.step(0, b));
        } else {
            RowOps.copyRows(hN.segment(), (long) top * hN.ld(), hN.ld(), states.segment(), 0, hd, b, hd);
            if (cell == CellType.LSTM) {
                FloatMatrix cN = rnn.finalCell();
                RowOps.copyRows(cN.segment(), (long) top * cN.ld(), cN.ld(), cells.segment(), 0, hd, b, hd);
            }
        }
        if (cell == CellType.LSTM) kernels.add(g * hd, bIh.value().segment(), 0, bHh.value().segment(), 0, biasSum.segment(), 0);
    }

    /** out = tanh(lin([h_fwd; h_bwd])) for the top layer's final states. */
    private void bridgeForward(Linear lin, FloatMatrix finals, int top, int b, int dirs, int he, FloatMatrix out) {
        FloatMatrix in = bridgeInV.first(b);
        for (int d = 0; d < dirs; d++) {
            RowOps.copyRows(finals.segment(), (long) (top + d * b) * finals.ld(), finals.ld(), in.segment(), (long) d * he, k, b, he);
        }
        lin.forward(in, out);
        Activations.tanh(out.segment(), 0, out.segment(), 0, b * hd);
    }

    /** Backward of {@link #bridgeForward}: dOut (b × hd) → the top layer's rows of dFinals. */
    private void bridgeBackward(Linear lin, FloatMatrix out, FloatMatrix dOut, FloatMatrix dFinals, int top, int b, int dirs, int he) {
        FloatMatrix din = dBridgeInV.first(b), in = bridgeInV.first(b);
        tanhBackward(out.segment(), dOut.segment(), dBridgeOut.segment(), 0, b * hd);
        FloatMatrix da = dOut;
        // the bridge input of this cell kind: re-gather it (bridgeIn was overwritten by the other bridge)
        RecurrentStack rnn = encoder.recurrent();
        FloatMatrix finals = lin == bridge ? rnn.finalHidden() : rnn.finalCell();
        for (int d = 0; d < dirs; d++) {
            RowOps.copyRows(finals.segment(), (long) (top + d * b) * finals.ld(), finals.ld(), in.segment(), (long) d * he, k, b, he);
        }
        lin.backward(in, da, din);
        for (int d = 0; d < dirs; d++) {
            RowOps.copyRows(din.segment(), (long) d * he, k, dFinals.segment(), (long) (top + d * b) * he, he, b, he);
        }
    }

    /** gx rows [row0, row0 + n) = emb rows · W_eᵀ (the embedding columns of W_ih). */
    private void embeddingGates(int row0, int n) {
        Gemm.sgemm(Transpose.N, Transpose.T, n, g * hd, e, 1f, emb.segment(), (long) row0 * e, e,
                wIh.value().segment(), 0, xin, 0f, gx.segment(), (long) row0 * g * hd, g * hd);
    }

    /** s_{t+1 block} = cell(gx_t (+ input feed), s_t block). */
    private void cellForward(int t, int b) {
        long off = (long) t * b * g * hd, sPrev = (long) t * b * hd, sOut = (long) (t + 1) * b * hd;
        MemorySegment gxs = gx.segment();
        if (cfg.inputFeeding() && t > 0) {   // gx_t += h̃_{t−1}·W_fᵀ
            Gemm.sgemm(Transpose.N, Transpose.T, b, g * hd, hd, 1f, ht.segment(), (long) (t - 1) * b * hd, hd,
                    wIh.value().segment(), e, xin, 1f, gxs, off, g * hd);
        }
        if (cell == CellType.GRU) {
            Gemm.sgemm(Transpose.N, Transpose.T, b, g * hd, hd, 1f, states.segment(), sPrev, hd,
                    wHh.value().segment(), 0, hd, 0f, gh.segment(), off, g * hd);
            kernels.gruForward(b, hd, gxs, off, gh.segment(), off, bIh.value().segment(), 0, bHh.value().segment(), 0,
                    states.segment(), sPrev, states.segment(), sOut);
        } else {
            Gemm.sgemm(Transpose.N, Transpose.T, b, g * hd, hd, 1f, states.segment(), sPrev, hd,
                    wHh.value().segment(), 0, hd, 1f, gxs, off, g * hd);
            kernels.lstmForward(b, hd, gxs, off, biasSum.segment(), 0, cells.segment(), sPrev,
                    cells.segment(), sOut, states.segment(), sOut);
        }
    }

    /** Attention of steps [t0, t0 + n) and h̃ = tanh(W_c [c; s] + b_c). */
    private void attendAndCombine(int t0, int n, int b) {
        FloatMatrix q = statesV.block(t0 + 1, n, b), c = ctxV.block(t0, n, b);
        attention.forward(q, t0, c);
        int rows = n * b;
        long r0 = (long) t0 * b;
        RowOps.copyRows(ctx.segment(), r0 * k, k, cat.segment(), r0 * (k + hd), k + hd, rows, k);
        RowOps.copyRows(states.segment(), (r0 + b) * hd, hd, cat.segment(), r0 * (k + hd) + k, k + hd, rows, hd);
        FloatMatrix h = htV.block(t0, n, b);
        combine.forward(catV.block(t0, n, b), h);
        if (dropping) {   // h̃ kept before its mask for tanh's backward; ht holds the dropped h̃
            Activations.tanh(ht.segment(), r0 * hd, htKept.segment(), r0 * hd, rows * hd);
            DropoutMask.apply(outKey, r0 * hd, dropout, htKept.segment(), r0 * hd, outMask.segment(), r0 * hd,
                    ht.segment(), r0 * hd, rows * hd);
        } else {
            Activations.tanh(ht.segment(), r0 * hd, ht.segment(), r0 * hd, rows * hd);
        }
    }

    /** Dropout on the target embeddings of rows [row0, row0 + n) (training with p &gt; 0; the mask is a function of the row). */
    private void dropEmbeddings(int row0, int n) {
        if (!dropping) return;
        long off = (long) row0 * e;
        DropoutMask.apply(embKey, off, dropout, emb.segment(), off, embMask.segment(), off, emb.segment(), off, n * e);
    }

    /** logits of steps [t0, t0 + n) = h̃ · W_oᵀ + b_o. */
    private void project(int t0, int n, int b) {
        FloatMatrix lg = logitsV.block(t0, n, b);
        Gemm.sgemm(Transpose.N, Transpose.T, 1f, htV.block(t0, n, b), outWeight.value(), 0f, lg);
        RowOps.addRowVector(lg, outBias.value());
    }

    /** Backward of {@link #attendAndCombine} for steps [t0, t0 + n): dQ rows = the direct gradient of s_t. */
    private void combineBackward(int t0, int n, int b) {
        long r0 = (long) t0 * b;
        int rows = n * b;
        if (dropping) {   // dh̃ through the mask, then tanh's backward on the undropped h̃
            VectorOps.mul(dHt.segment(), r0 * hd, outMask.segment(), r0 * hd, dHt.segment(), r0 * hd, rows * hd);
            tanhBackward(htKept.segment(), dHt.segment(), dQ.segment(), r0 * hd, rows * hd);
        } else {
            tanhBackward(ht.segment(), dHt.segment(), dQ.segment(), r0 * hd, rows * hd);
        }
        FloatMatrix dcat = dCatV.block(t0, n, b);
        combine.backward(catV.block(t0, n, b), dHtV.block(t0, n, b), dcat);
        FloatMatrix dq = dQV.block(t0, n, b);
        attention.backward(statesV.block(t0 + 1, n, b), dCatCtxV.block(t0, n, b), t0, dq);
        VectorOps.axpy(1f, dCatStateV.block(t0, n, b), dq);
    }

    /** dy ← dy ⊙ (1 − y²) over n floats from {@code off} (tanh's backward), with {@code tmp} as scratch. */
    private static void tanhBackward(MemorySegment y, MemorySegment dy, MemorySegment tmp, long off, int n) {
        VectorOps.mul(y, off, y, off, tmp, off, n);
        VectorOps.mul(dy, off, tmp, off, tmp, off, n);
        VectorOps.axpy(-1f, tmp, off, dy, off, n);
    }

    private static int argmax(FloatMatrix m, int row) {
        int best = 0;
        float bv = m.get(row, 0);
        for (int j = 1, n = m.cols(); j < n; j++) {
            float x = m.get(row, j);
            if (x > bv) { bv = x; best = j; }
        }
        return best;
    }

    /** A uniform draw in [0, 1) for decoder step t of teacher-forcing draw {@code draw} (SplitMix64 of seed, draw, step). */
    private static double unit(long seed, long draw, int t) {
        long z = seed * 0x9E3779B97F4A7C15L + draw * 0xBF58476D1CE4E5B9L + t * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    @Override
    public void close() {
        encoder.close();
        arena.close();
    }

    /**
     * Views of a time-major workspace by decoder step: step t's B rows and blocks of steps, made
     * once per batch size (no allocation while the shape repeats).
     */
    private static final class Steps {
        private final FloatMatrix base;
        private final FloatMatrix[] steps, blocks;
        private final int[] blockSteps;
        private int b = -1;

        Steps(FloatMatrix base, int maxSteps) {
            this.base = base;
            steps = new FloatMatrix[maxSteps];
            blocks = new FloatMatrix[maxSteps];
            blockSteps = new int[maxSteps];
        }

        FloatMatrix step(int t, int batch) { return block(t, 1, batch); }

        /** Rows of steps [t0, t0 + n) for batches of {@code batch} rows. */
        FloatMatrix block(int t0, int n, int batch) {
            if (batch != b) {
                Arrays.fill(steps, null);
                Arrays.fill(blocks, null);
                b = batch;
            }
            if (n == 1) {
                FloatMatrix s = steps[t0];
                if (s == null) steps[t0] = s = base.rowRange(t0 * batch, batch);
                return s;
            }
            FloatMatrix m = blocks[t0];
            if (m == null || blockSteps[t0] != n) {
                blocks[t0] = m = base.rowRange(t0 * batch, n * batch);
                blockSteps[t0] = n;
            }
            return m;
        }
    }
}
