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
 * Many-to-many: {@link SequenceEncoder} (one embedding per input feature, side by side → input
 * dropout → recurrent stack, usually bidirectional) → {@link StepSoftmaxHead} (dropout →
 * Linear({@code outputs}) at every step → softmax cross-entropy over the valid targets). A POS
 * tagger or chunker embeds the word, its shape and its suffix as three features.
 *
 * <p>Parameters: {@code <feature>.weight} for every feature in order (e.g. {@code word.weight},
 * {@code shape.weight}, {@code suffix.weight}), the recurrent stack's PyTorch names under
 * {@link TaggerConfig#rnnName()} ({@code lstm.weight_ih_l0_reverse}, …), {@code fc.weight}
 * (outputs × F), {@code fc.bias}. Initialisation: one {@code SplittableRandom(seed)} draws the
 * tables in order and then fc; the recurrent stack uses seed + 1, the input dropout seed + 7.
 * Batches need not be sorted. One caller at a time.
 */
public final class SequenceTagger implements SequenceModel {
    private final TaggerConfig config;
    private final long seed;
    private final int maxSteps, maxBatch;
    private final Arena arena = Arena.ofShared();
    private final SequenceEncoder encoder;
    private final StepSoftmaxHead head;
    private final List<Parameter> parameters;
    private final BatchOrder order;
    private boolean training = true;
    private boolean backwardReady;

    /** A new model with seeded initialisation and workspaces for batches up to {@code maxSteps × maxBatch}. */
    public SequenceTagger(TaggerConfig config, long seed, int maxSteps, int maxBatch) {
        if (maxSteps < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("maxSteps and maxBatch must be ≥ 1, got " + maxSteps + " and " + maxBatch);
        }
        this.config = config;
        this.seed = seed;
        this.maxSteps = maxSteps;
        this.maxBatch = maxBatch;
        SplittableRandom rng = new SplittableRandom(seed);
        List<Embedding> tables = new ArrayList<>();
        for (TaggerConfig.Feature f : config.features()) {
            tables.add(new Embedding(arena, f.name(), f.vocabSize(), f.dim(), f.paddingIdx(), rng));
        }
        Dropout inputDropout = new Dropout(arena, config.inputDropout(), seed + 7);
        RecurrentConfig rc = new RecurrentConfig(config.cell(), config.inputSize(), config.hidden(), config.layers(),
                config.bidirectional(), DirectionMerge.CONCAT, config.dropout(), false, false, seed + 1);
        encoder = new SequenceEncoder(tables, inputDropout, new RecurrentStack(config.rnnName(), rc, maxSteps, maxBatch),
                maxSteps, maxBatch);
        Linear fc = new Linear(arena, "fc", config.featureSize(), config.outputs(), rng);
        head = new StepSoftmaxHead(arena, new Dropout(arena, config.headDropout(), seed ^ 0x5DEECE66DL), fc,
                Math.multiplyExact(maxSteps, maxBatch));
        List<Parameter> ps = new ArrayList<>(encoder.parameters());
        ps.addAll(head.parameters());
        parameters = List.copyOf(ps);
        order = new BatchOrder(maxBatch);
    }

    public TaggerConfig config() { return config; }

    @Override
    public String kind() { return "tagger"; }

    @Override
    public long seed() { return seed; }

    @Override
    public int maxSteps() { return maxSteps; }

    @Override
    public int maxBatch() { return maxBatch; }

    @Override
    public Map<String, String> configMetadata() { return config.toMetadata(); }

    /** The feature tables, the recurrent stack (PyTorch order), fc.weight, fc.bias. */
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

    public SequenceEncoder encoder() { return encoder; }

    public RecurrentStack recurrent() { return encoder.recurrent(); }

    public Linear fc() { return head.fc(); }

    /**
     * Runs the model in the current mode and returns the mean cross-entropy (nats per valid target)
     * against {@code batch.targets()}; in training mode keeps what {@link #backward()} needs. Feature
     * k of the batch is looked up in table k.
     */
    @Override
    public float forward(Batch batch) {
        FloatMatrix h = encoder.forward(batch, order, training);
        float loss = head.forward(h, batch, order, encoder.steps(), training);
        backwardReady = training;
        return loss;
    }

    /** Same as {@code train(training); forward(batch)}. */
    public float forward(Batch batch, boolean training) {
        train(training);
        return forward(batch);
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
     * Evaluation-mode forward without a loss (targets are not read): the logits at every step
     * (T·B × outputs, row {@code t·B + b} in the batch's order; a view valid until the next call).
     */
    public FloatMatrix logits(Batch batch) {
        FloatMatrix h = encoder.forward(batch, order, false);
        head.forward(h, null, order, encoder.steps(), false);
        backwardReady = false;
        return head.logits();
    }

    /** The logits of the last forward, in the batch's order (T·B × outputs view). */
    public FloatMatrix lastLogits() { return head.logits(); }

    /** The most likely tag of step {@code t} of sequence {@code b} after the last forward. */
    public int predictedTag(int t, int b) {
        FloatMatrix lg = head.logits();
        int row = t * encoder.batchSize() + b, best = 0;
        for (int c = 1; c < lg.cols(); c++) if (lg.get(row, c) > lg.get(row, best)) best = c;
        return best;
    }

    /** Number of targets the last forward's loss averaged over. */
    public int lastValidTargets() { return head.validTargets(); }

    @Override
    public Map<String, String> rngState() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(RngKeys.EMBEDDING_DROPOUT, Long.toString(encoder.inputDropout().calls()));
        m.put(RngKeys.RECURRENT_DROPOUT, Long.toString(encoder.recurrent().dropoutCalls()));
        m.put(RngKeys.HEAD_DROPOUT, Long.toString(head.dropout().calls()));
        return m;
    }

    @Override
    public void restoreRngState(Map<String, String> state) {
        RngKeys.restore(state, encoder.inputDropout(), encoder.recurrent(), head.dropout());
    }

    @Override
    public void close() {
        encoder.close();
        arena.close();
    }
}
