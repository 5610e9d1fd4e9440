package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Embedding;
import dev.recur.layers.Linear;
import dev.recur.layers.Parameter;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A character (or any symbol) language model over {@code B} parallel streams read in windows:
 * {@link SequenceEncoder} (Embedding → {RNN|LSTM|GRU} × L, {@link RecurrentStack#setStateful
 * stateful}) → {@link StepSoftmaxHead} (Linear(H, V) at every step → cross-entropy against the next
 * symbol). Truncated BPTT: each window starts from the previous window's final state (detached, so
 * the gradient stops at the window start); {@link #resetState()} at the start of a pass.
 *
 * <pre>{@code
 * model.resetState();
 * for (each window) {                   // batch.tokens(): inputs, batch.targets(): the next symbols
 *     model.zeroGrad();
 *     float loss = model.forward(batch);   // nats per symbol; carries the state
 *     model.backward();
 *     optimizer.step();
 * }
 * }</pre>
 *
 * <p>Parameters: {@code embedding.weight} (V × E), the stack's PyTorch names under
 * {@code lstm.}/{@code gru.}/{@code rnn.} ({@link RecurrentStack#defaultName}), {@code fc.weight},
 * {@code fc.bias}. Initialisation: one {@code SplittableRandom(seed)} draws the embedding and then
 * fc; the recurrent stack uses seed + 1. Evaluation forwards ({@link #train train(false)},
 * {@link #logits(Batch)}) carry the state too: sampling feeds one symbol at a time with T = 1.
 */
public final class CharLanguageModel implements SequenceModel {
    private final LanguageModelConfig config;
    private final long seed;
    private final int maxSteps, maxBatch;
    private final Arena arena = Arena.ofShared();
    private final SequenceEncoder encoder;
    private final StepSoftmaxHead head;
    private final List<Parameter> parameters;
    private final BatchOrder order;
    private boolean training = true;
    private boolean backwardReady;

    /** A model for windows of up to {@code maxSteps} steps over up to {@code maxBatch} streams. */
    public CharLanguageModel(LanguageModelConfig config, long seed, int maxSteps, int maxBatch) {
        if (maxSteps < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("maxSteps and maxBatch must be ≥ 1, got " + maxSteps + " and " + maxBatch);
        }
        this.config = config;
        this.seed = seed;
        this.maxSteps = maxSteps;
        this.maxBatch = maxBatch;
        SplittableRandom rng = new SplittableRandom(seed);
        Embedding embedding = new Embedding(arena, "embedding", config.vocabSize(), config.embedDim(), -1, rng);
        RecurrentConfig rc = new RecurrentConfig(config.cell(), config.embedDim(), config.hidden(), config.layers(), false,
                DirectionMerge.CONCAT, config.dropout(), false, false, seed + 1);
        RecurrentStack rnn = new RecurrentStack(RecurrentStack.defaultName(config.cell()), rc, maxSteps, maxBatch);
        rnn.setStateful(true);
        encoder = new SequenceEncoder(List.of(embedding), new Dropout(arena, 0f, seed), rnn, maxSteps, maxBatch);
        Linear fc = new Linear(arena, "fc", config.hidden(), config.vocabSize(), rng);
        head = new StepSoftmaxHead(arena, new Dropout(arena, 0f, seed), fc, Math.multiplyExact(maxSteps, maxBatch));
        List<Parameter> ps = new ArrayList<>(encoder.parameters());
        ps.addAll(head.parameters());
        parameters = List.copyOf(ps);
        order = new BatchOrder(maxBatch);
    }

    public LanguageModelConfig config() { return config; }

    @Override
    public String kind() { return "char_lm"; }

    @Override
    public long seed() { return seed; }

    @Override
    public int maxSteps() { return maxSteps; }

    @Override
    public int maxBatch() { return maxBatch; }

    @Override
    public Map<String, String> configMetadata() { return config.toMetadata(); }

    /** embedding.weight, the recurrent stack (PyTorch order), fc.weight, fc.bias. */
    @Override
    public List<Parameter> parameters() { return parameters; }

    @Override
    public void zeroGrad() {
        encoder.zeroGrad();
        head.zeroGrad();
    }

    @Override
    public void markGradDirty() { encoder.markGradDirty(); }

    @Override
    public void train(boolean on) { training = on; }

    @Override
    public boolean isTraining() { return training; }

    public Embedding embedding() { return encoder.features().get(0); }

    /** The (stateful) recurrent stack: carried state, gradient window, dropout stream. */
    public RecurrentStack recurrent() { return encoder.recurrent(); }

    public Linear fc() { return head.fc(); }

    /** Forgets the carried state: the next window starts from zero (start of a pass over the data). */
    public void resetState() { encoder.recurrent().resetState(); }

    /**
     * One window: {@code batch.tokens()} are the inputs, {@code batch.targets()} the next symbols
     * ({@link Batch#IGNORE} for none). Runs from the carried state in the current mode, carries the
     * final state on and returns the mean loss in nats per symbol; in training mode keeps what
     * {@link #backward()} needs.
     */
    @Override
    public float forward(Batch batch) {
        FloatMatrix h = encoder.forward(batch, order, training);
        float loss = head.forward(h, batch, order, encoder.steps(), training);
        backwardReady = training;
        return loss;
    }

    @Override
    public void backward() {
        if (!backwardReady) {
            throw new IllegalStateException("backward() needs a preceding forward(batch) in training mode"
                    + " (call train(true) and forward first; each forward allows one backward)");
        }
        backwardReady = false;
        encoder.backward(head.backward());
    }

    /**
     * Evaluation-mode forward without a loss, from and advancing the carried state: the scores of
     * the next symbol after every step (T·B × V, row {@code t·B + b}; a view valid until the next call).
     */
    public FloatMatrix logits(Batch batch) {
        FloatMatrix h = encoder.forward(batch, order, false);
        head.forward(h, null, order, encoder.steps(), false);
        backwardReady = false;
        return head.logits();
    }

    /** The logits of the last forward (T·B × V view, caller order). */
    public FloatMatrix lastLogits() { return head.logits(); }

    /** {@code recur.rng.recurrent_dropout} (the only random stream). */
    @Override
    public Map<String, String> rngState() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(RngKeys.RECURRENT_DROPOUT, Long.toString(encoder.recurrent().dropoutCalls()));
        return m;
    }

    @Override
    public void restoreRngState(Map<String, String> state) {
        RngKeys.restore(state, encoder.inputDropout(), encoder.recurrent(), null);
    }

    @Override
    public void close() {
        encoder.close();
        arena.close();
    }
}
