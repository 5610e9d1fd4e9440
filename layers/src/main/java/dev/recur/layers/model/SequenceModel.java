package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Dropout;
import dev.recur.layers.Embedding;
import dev.recur.layers.HasParameters;
import dev.recur.layers.Linear;
import dev.recur.layers.Parameter;
import dev.recur.layers.RowViews;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What {@link SequenceClassifier} and {@link SequenceLabeler} share: Embedding → recurrent stack
 * ({@link RecurrentLayer}) → … → Linear, with PyTorch parameter names ({@code embedding.weight},
 * {@code rnn.weight_ih_l0}, …, {@code fc.weight}, {@code fc.bias}), a training/evaluation switch,
 * and workspaces allocated once for {@code maxSteps × maxBatch} and reused (a larger batch is a
 * clear error).
 *
 * <p>Batches need not be sorted by length: the model sorts each batch internally (stable, by
 * non-increasing length, as the recurrent layer requires) and gives results back in the caller's
 * order.
 *
 * <p>Thread-safety: one caller at a time (the engine parallelises inside). Closing frees all
 * off-heap memory (parameters, gradients, workspaces). Deterministic: the same configuration, seed,
 * batches and thread count give the same numbers.
 */
public abstract sealed class SequenceModel implements HasParameters, AutoCloseable
        permits SequenceClassifier, SequenceLabeler {

    /** Metadata key naming the model kind: "classifier" or "labeler". */
    public static final String KIND_KEY = "recur.model.kind";

    protected final ModelConfig config;
    protected final long seed;
    protected final int maxSteps;
    protected final int maxBatch;
    protected final Arena arena = Arena.ofShared();
    protected final Embedding embedding;
    protected final Dropout embeddingDropout;
    protected final RecurrentLayer rnn;
    protected final Linear fc;
    private final List<Parameter> parameters;

    protected boolean training = true;
    /** Whether the last forward was a training forward whose gradients backward() may compute. */
    protected boolean backwardReady;

    // workspace, sorted order (position i holds the caller's sequence order[i])
    protected final int[] order;
    protected final int[] sortedLengths;
    private final int[] lookupIds;
    private final int[] gradIds;
    private final RowViews embedded;   // maxRows × E
    private final RowViews embeddedIn; // after embedding dropout (same as embedded when none)
    // carried recurrent state (caller's order), for truncated BPTT
    private boolean carryState;
    private boolean haveCarried;
    private final FloatMatrix carriedH, carriedC, h0, c0;
    private final RowViews h0View, c0View;
    private int carriedBatch;

    protected int steps;
    protected int batch;
    protected boolean identityOrder;

    protected SequenceModel(ModelConfig config, long seed, int maxSteps, int maxBatch) {
        if (maxSteps < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("maxSteps and maxBatch must be ≥ 1, got " + maxSteps + " and " + maxBatch);
        }
        this.config = config;
        this.seed = seed;
        this.maxSteps = maxSteps;
        this.maxBatch = maxBatch;
        SplittableRandom rng = new SplittableRandom(seed);
        embedding = new Embedding(arena, "embedding", config.vocabSize(), config.embedDim(), config.paddingIdx(), rng.split());
        embeddingDropout = new Dropout(arena, config.embeddingDropout(), rng.nextLong());
        RecurrentConfig rc = new RecurrentConfig(config.cell(), config.embedDim(), config.hidden(), config.layers(),
                config.bidirectional(), DirectionMerge.CONCAT, config.dropout(), config.orthogonalRecurrent(),
                config.forgetBiasOne(), rng.nextLong());
        rnn = new RecurrentLayer("rnn.", rc, maxSteps, maxBatch);
        fc = new Linear(arena, "fc", config.featureSize(), config.outputs(), rng.split());
        List<Parameter> ps = new ArrayList<>(embedding.parameters());
        ps.addAll(rnn.parameters());
        ps.addAll(fc.parameters());
        parameters = Collections.unmodifiableList(ps);

        int rows = Math.multiplyExact(maxSteps, maxBatch);
        order = new int[maxBatch];
        sortedLengths = new int[maxBatch];
        lookupIds = new int[rows];
        gradIds = new int[rows];
        embedded = new RowViews(FloatMatrix.allocate(arena, rows, config.embedDim()));
        embeddedIn = config.embeddingDropout() > 0f ? new RowViews(FloatMatrix.allocate(arena, rows, config.embedDim())) : embedded;
        int stateRows = config.layers() * config.directions() * maxBatch;
        carriedH = FloatMatrix.allocate(arena, stateRows, config.hidden());
        h0 = FloatMatrix.allocate(arena, stateRows, config.hidden());
        boolean lstm = config.cell().hasCellState();
        carriedC = lstm ? FloatMatrix.allocate(arena, stateRows, config.hidden()) : null;
        c0 = lstm ? FloatMatrix.allocate(arena, stateRows, config.hidden()) : null;
        h0View = new RowViews(h0);
        c0View = lstm ? new RowViews(c0) : null;
    }

    public ModelConfig config() { return config; }

    /** The seed the model was initialised with. */
    public long seed() { return seed; }

    /** Largest T a batch may have. */
    public int maxSteps() { return maxSteps; }

    /** Largest B a batch may have. */
    public int maxBatch() { return maxBatch; }

    /** "classifier" or "labeler" (stored in checkpoints under {@link #KIND_KEY}). */
    public abstract String kind();

    /** Every trainable parameter in a fixed order: embedding, recurrent stack (PyTorch order), fc. */
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

    /** Clears every gradient (the embedding's the sparse-aware way: only the rows touched). */
    @Override
    public void zeroGrad() {
        embedding.zeroGrad();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (p != embedding.weight()) p.zeroGrad();
        }
    }

    /** Training mode (dropout on) or evaluation mode; {@code forward(batch)} uses it. */
    public void train(boolean on) { training = on; }

    /** Same as {@code train(false)}. */
    public void eval() { training = false; }

    public boolean isTraining() { return training; }

    public Embedding embedding() { return embedding; }

    public RecurrentLayer recurrent() { return rnn; }

    public Linear fc() { return fc; }

    /**
     * When on, each forward starts from the previous forward's final recurrent states (detached:
     * the gradient stops at the window start) — truncated BPTT over consecutive windows. The
     * batch size must stay the same; sequence b continues sequence b. Off (default): zero states.
     */
    public void setCarryState(boolean on) {
        carryState = on;
        if (!on) haveCarried = false;
    }

    public boolean carriesState() { return carryState; }

    /**
     * Truncated BPTT within each forward: the recurrent gradient is cut every {@code k} steps of the
     * sequence while the loss still reaches every step ({@link RecurrentLayer#setGradientWindow}).
     * 0 (default) = full BPTT.
     */
    public void setGradientWindow(int k) { rnn.setGradientWindow(k); }

    /** The truncated-BPTT window (0 = full BPTT). */
    public int gradientWindow() { return rnn.gradientWindow(); }

    /** Forgets the carried states: the next forward starts from zero. */
    public void resetState() { haveCarried = false; }

    /** Checks the batch, sorts it, embeds it and runs the recurrent stack; returns its outputs (T·B × features, sorted order). */
    protected final FloatMatrix encode(Batch b, boolean train) {
        steps = b.steps();
        batch = b.size();
        if (steps > maxSteps || batch > maxBatch) {
            throw new IllegalArgumentException("batch of " + steps + " steps × " + batch + " sequences exceeds the model's "
                    + maxSteps + " × " + maxBatch + " workspace (create the model with larger maxSteps/maxBatch)");
        }
        b.validate(config.vocabSize());
        int[] lens = b.lengths();
        sortByLength(lens);
        int rows = steps * batch;
        int pad = Math.max(config.paddingIdx(), 0);
        int[] tokens = b.tokens();
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < batch; i++) {
                int src = t * batch + order[i];
                boolean valid = t < sortedLengths[i];
                lookupIds[t * batch + i] = valid ? tokens[src] : pad;
                gradIds[t * batch + i] = valid ? tokens[src] : -1;
            }
        }
        FloatMatrix e = embedded.first(rows);
        embedding.forward(lookupIds, rows, e);
        FloatMatrix x = e;
        if (config.embeddingDropout() > 0f) {
            x = embeddedIn.first(rows);
            embeddingDropout.forward(e, x, train);
        }
        FloatMatrix hInit = null, cInit = null;
        if (carryState && haveCarried) {
            if (carriedBatch != batch) {
                throw new IllegalArgumentException("carried state is for a batch of " + carriedBatch + " sequences but this batch has "
                        + batch + "; keep the batch size fixed or call resetState()");
            }
            hInit = permuteState(carriedH, h0, true);
            cInit = carriedC == null ? null : permuteState(carriedC, c0, true);
        }
        FloatMatrix out = rnn.forward(x, batch, sortedLengths, hInit, cInit, train);
        if (carryState) {
            permuteState(rnn.finalHidden(), carriedH, false);
            if (carriedC != null) permuteState(rnn.finalCell(), carriedC, false);
            haveCarried = true;
            carriedBatch = batch;
        }
        return out;
    }

    /** Stable sort of the first {@code batch} lengths, non-increasing; fills order and sortedLengths. */
    private void sortByLength(int[] lens) {
        identityOrder = true;
        for (int i = 0; i < batch; i++) {
            // insertion sort: stable, no allocation; batches are small
            int len = lens[i];
            int j = i;
            while (j > 0 && sortedLengths[j - 1] < len) {
                sortedLengths[j] = sortedLengths[j - 1];
                order[j] = order[j - 1];
                j--;
            }
            sortedLengths[j] = len;
            order[j] = i;
            if (j != i) identityOrder = false;
        }
    }

    /**
     * Copies state rows between caller order and sorted order. toSorted: dst[(ld)·B + i] =
     * src[(ld)·B + order[i]]; else the inverse.
     */
    private FloatMatrix permuteState(FloatMatrix src, FloatMatrix dstBuf, boolean toSorted) {
        int blocks = config.layers() * config.directions();
        FloatMatrix dst = dstBuf == h0 ? h0View.first(blocks * batch) : dstBuf == c0 ? c0View.first(blocks * batch) : dstBuf;
        for (int k = 0; k < blocks; k++) {
            for (int i = 0; i < batch; i++) {
                int from = k * batch + (toSorted ? order[i] : i);
                int to = k * batch + (toSorted ? i : order[i]);
                SequenceLabeler.copyRow(src, from, dst, to);
            }
        }
        return dst;
    }

    /** Back-propagates the recurrent outputs' gradient (sorted order) down to the embedding table. */
    protected final void backwardEncoder(FloatMatrix dH) {
        FloatMatrix dX = rnn.backward(dH, null, null);
        if (config.embeddingDropout() > 0f) embeddingDropout.backward(dX, dX);
        embedding.backward(gradIds, steps * batch, dX);
    }

    protected final void requireBackwardReady() {
        if (!backwardReady) {
            throw new IllegalStateException("backward() needs a preceding forward(batch) in training mode"
                    + " (call train(true) and forward first; each forward allows one backward)");
        }
        backwardReady = false;
    }

    /** Positions of the random streams Recur controls (dropout masks), for exact resume; stored in checkpoints. */
    public Map<String, String> rngState() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("recur.rng.embedding_dropout", Long.toString(embeddingDropout.calls()));
        m.put("recur.rng.recurrent_dropout", Long.toString(rnn.dropoutCalls()));
        m.putAll(headRngState());
        return m;
    }

    /** Restores {@link #rngState()} entries (absent keys leave the stream as it is). */
    public void restoreRngState(Map<String, String> state) {
        String v = state.get("recur.rng.embedding_dropout");
        if (v != null) embeddingDropout.setCalls(Long.parseLong(v));
        v = state.get("recur.rng.recurrent_dropout");
        if (v != null) rnn.setDropoutCalls(Long.parseLong(v));
        restoreHeadRngState(state);
    }

    protected abstract Map<String, String> headRngState();

    protected abstract void restoreHeadRngState(Map<String, String> state);

    /** Marks gradients as possibly non-zero everywhere (after loading or editing them directly). */
    public void markGradDirty() { embedding.markGradDirty(); }

    @Override
    public void close() {
        rnn.close();
        arena.close();
    }
}
