package dev.recur.layers.model;

import dev.recur.layers.Dropout;
import dev.recur.layers.Embedding;
import dev.recur.layers.Linear;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
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
public final class CharLanguageModel extends StepModel<StepSoftmaxHead> {
    private final LanguageModelConfig config;

    /** A model for windows of up to {@code maxSteps} steps over up to {@code maxBatch} streams. */
    public CharLanguageModel(LanguageModelConfig config, long seed, int maxSteps, int maxBatch) {
        checkSize(maxSteps, maxBatch);
        Arena arena = Arena.ofShared();
        SplittableRandom rng = new SplittableRandom(seed);
        Embedding embedding = new Embedding(arena, "embedding", config.vocabSize(), config.embedDim(), -1, rng);
        RecurrentConfig rc = new RecurrentConfig(config.cell(), config.embedDim(), config.hidden(), config.layers(), false,
                DirectionMerge.CONCAT, config.dropout(), false, false, seed + 1);
        RecurrentStack rnn = new RecurrentStack(RecurrentStack.defaultName(config.cell()), rc, maxSteps, maxBatch);
        rnn.setStateful(true);
        SequenceEncoder encoder = new SequenceEncoder(List.of(embedding), new Dropout(arena, 0f, seed), rnn, maxSteps, maxBatch);
        Linear fc = new Linear(arena, "fc", config.hidden(), config.vocabSize(), rng);
        StepSoftmaxHead head = new StepSoftmaxHead(arena, new Dropout(arena, 0f, seed), fc, Math.multiplyExact(maxSteps, maxBatch));
        super(seed, maxSteps, maxBatch, arena, encoder, head);
        this.config = config;
    }

    public LanguageModelConfig config() { return config; }

    @Override
    public String kind() { return "char_lm"; }

    @Override
    public Map<String, String> configMetadata() { return config.toMetadata(); }

    public Embedding embedding() { return encoder.features().get(0); }

    /** Forgets the carried state: the next window starts from zero (start of a pass over the data). */
    public void resetState() { encoder.recurrent().resetState(); }

    /**
     * One window: {@code batch.tokens()} are the inputs, {@code batch.targets()} the next symbols
     * ({@link Batch#IGNORE} for none). Runs from the carried state in the current mode, carries the
     * final state on and returns the mean loss in nats per symbol; in training mode keeps what
     * {@link #backward()} needs.
     */
    @Override
    public float forward(Batch batch) { return super.forward(batch); }

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
}
