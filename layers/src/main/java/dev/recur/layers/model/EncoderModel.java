package dev.recur.layers.model;

import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Module;
import dev.recur.layers.Parameter;
import dev.recur.layers.RecurrentStack;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every encoder–head model shares: a {@link SequenceEncoder} and a head module built in the
 * model's own arena, their parameters registered in that order (the encoder's PyTorch names, then
 * the head's), the batch order both work in, the training mode, the rule that each training
 * forward allows one backward, the dropout streams' positions and the native memory's release.
 * A model is then its construction (which modules, which seeds) and its forward and backward wiring.
 *
 * <p>Subclasses build the modules before calling the constructor (in the constructor's prologue)
 * and hand them over with the arena they were allocated in; {@link #close()} frees it.
 *
 * @param <H> the head's type
 */
public abstract sealed class EncoderModel<H extends Module> implements SequenceModel permits SequenceClassifier, StepModel {
    private final long seed;
    private final int maxSteps, maxBatch;
    private final Arena arena;
    final SequenceEncoder encoder;
    final H head;
    final Dropout headDropout;
    private final List<Parameter> parameters;
    final BatchOrder order;
    private boolean training = true;
    private boolean backwardReady;

    /**
     * A model over {@code encoder} and {@code head} (allocated in {@code arena}, which the model
     * now owns); {@code headDropout} is the head's dropout stream (null: none to record).
     */
    EncoderModel(long seed, int maxSteps, int maxBatch, Arena arena, SequenceEncoder encoder, H head, Dropout headDropout) {
        this.seed = seed;
        this.maxSteps = maxSteps;
        this.maxBatch = maxBatch;
        this.arena = arena;
        this.encoder = encoder;
        this.head = head;
        this.headDropout = headDropout;
        List<Parameter> ps = new ArrayList<>(encoder.parameters());
        ps.addAll(head.parameters());
        parameters = List.copyOf(ps);
        order = new BatchOrder(maxBatch);
    }

    /** The size check of every model's constructor: batches of at least one step and one sequence. */
    static void checkSize(int maxSteps, int maxBatch) {
        if (maxSteps < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("maxSteps and maxBatch must be ≥ 1, got " + maxSteps + " and " + maxBatch);
        }
    }

    @Override
    public final long seed() { return seed; }

    @Override
    public final int maxSteps() { return maxSteps; }

    @Override
    public final int maxBatch() { return maxBatch; }

    /** Every trainable parameter in a fixed order: the encoder's (features, recurrent stack in PyTorch order), then the head's. */
    @Override
    public final List<Parameter> parameters() { return parameters; }

    /** Clears every gradient (the embeddings' the sparse-aware way: only the rows touched). */
    @Override
    public final void zeroGrad() {
        encoder.zeroGrad();
        head.zeroGrad();
    }

    @Override
    public final void markGradDirty() { encoder.markGradDirty(); }

    @Override
    public final void train(boolean on) { training = on; }

    @Override
    public final boolean isTraining() { return training; }

    /** The encoder (feature embeddings or frames, input dropout, recurrent stack). */
    public final SequenceEncoder encoder() { return encoder; }

    public final RecurrentStack recurrent() { return encoder.recurrent(); }

    /** After a forward: a backward is allowed when it ran in training mode. */
    final void forwarded(boolean withLoss) { backwardReady = withLoss && training; }

    /** Before a backward: refuses one without a training forward before it (each forward allows one). */
    final void startBackward() {
        if (!backwardReady) {
            throw new IllegalStateException("backward() needs a preceding forward(batch) in training mode"
                    + " (call train(true) and forward first; each forward allows one backward)");
        }
        backwardReady = false;
    }

    /** {@code recur.rng.embedding_dropout}, {@code recur.rng.recurrent_dropout}, {@code recur.rng.head_dropout}. */
    @Override
    public Map<String, String> rngState() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(RngKeys.EMBEDDING_DROPOUT, Long.toString(encoder.inputDropout().calls()));
        m.put(RngKeys.RECURRENT_DROPOUT, Long.toString(encoder.recurrent().dropoutCalls()));
        m.put(RngKeys.HEAD_DROPOUT, Long.toString(headDropout.calls()));
        return m;
    }

    @Override
    public void restoreRngState(Map<String, String> state) {
        RngKeys.restore(state, encoder.inputDropout(), encoder.recurrent(), headDropout);
    }

    @Override
    public final void close() {
        encoder.close();
        arena.close();
    }
}
