package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Linear;
import dev.recur.layers.Parameter;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.loss.CtcDecoder;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Many-to-many, unaligned: a speech recogniser's acoustic model. A frame {@link SequenceEncoder}
 * (the batch's feature frames → input dropout → recurrent stack, usually a bidirectional LSTM or
 * GRU) → {@link CtcHead} (dropout → Linear({@code outputs}) at every frame → CTC loss, blank 0,
 * mean over the batch of each loss divided by its label count, as {@code torch.nn.CTCLoss}).
 *
 * <p>Input: a {@link Batch#ofFrames frame batch}, frame t of sequence b its feature vector;
 * targets: each sequence's label sequence (classes 1 … outputs − 1), {@link Batch#setLabels}.
 * Decoding with {@link CtcDecoder} on {@link #logits(Batch)}.
 *
 * <p>Parameters: the recurrent stack's PyTorch names under {@link AcousticConfig#rnnName()}
 * ({@code lstm.weight_ih_l0_reverse}, …), {@code fc.weight} (outputs × F), {@code fc.bias}.
 * Initialisation: one {@code SplittableRandom(seed)} draws fc; the recurrent stack uses seed + 1,
 * the input dropout seed + 7. Batches need not be sorted. One caller at a time.
 */
public final class CtcAcousticModel implements SequenceModel {
    /** The kind stored in checkpoints. */
    public static final String KIND = "ctc_acoustic";

    private final AcousticConfig config;
    private final long seed;
    private final int maxSteps, maxBatch;
    private final Arena arena = Arena.ofShared();
    private final SequenceEncoder encoder;
    private final CtcHead head;
    private final List<Parameter> parameters;
    private final BatchOrder order;
    private boolean training = true;
    private boolean backwardReady;

    /** A new model for batches up to {@code maxSteps × maxBatch}, label sequences up to {@code maxSteps} long. */
    public CtcAcousticModel(AcousticConfig config, long seed, int maxSteps, int maxBatch) {
        this(config, seed, maxSteps, maxBatch, maxSteps);
    }

    /** A new model with seeded initialisation and workspaces for batches up to {@code maxSteps × maxBatch} and {@code maxLabels}. */
    public CtcAcousticModel(AcousticConfig config, long seed, int maxSteps, int maxBatch, int maxLabels) {
        if (maxSteps < 1 || maxBatch < 1 || maxLabels < 1) {
            throw new IllegalArgumentException("maxSteps, maxBatch and maxLabels must be ≥ 1, got " + maxSteps + ", " + maxBatch
                    + " and " + maxLabels);
        }
        this.config = config;
        this.seed = seed;
        this.maxSteps = maxSteps;
        this.maxBatch = maxBatch;
        SplittableRandom rng = new SplittableRandom(seed);
        Dropout inputDropout = new Dropout(arena, config.inputDropout(), seed + 7);
        RecurrentConfig rc = new RecurrentConfig(config.cell(), config.frameSize(), config.hidden(), config.layers(),
                config.bidirectional(), DirectionMerge.CONCAT, config.dropout(), false, false, seed + 1);
        encoder = SequenceEncoder.ofFrames(inputDropout, new RecurrentStack(config.rnnName(), rc, maxSteps, maxBatch), maxSteps, maxBatch);
        Linear fc = new Linear(arena, "fc", config.featureSize(), config.outputs(), rng);
        head = new CtcHead(arena, new Dropout(arena, config.headDropout(), seed ^ 0x5DEECE66DL), fc, maxSteps, maxBatch,
                Math.min(maxLabels, maxSteps));
        List<Parameter> ps = new ArrayList<>(encoder.parameters());
        ps.addAll(head.parameters());
        parameters = List.copyOf(ps);
        order = new BatchOrder(maxBatch);
    }

    public AcousticConfig config() { return config; }

    @Override
    public String kind() { return KIND; }

    @Override
    public long seed() { return seed; }

    @Override
    public int maxSteps() { return maxSteps; }

    @Override
    public int maxBatch() { return maxBatch; }

    @Override
    public Map<String, String> configMetadata() { return config.toMetadata(); }

    /** The recurrent stack (PyTorch order), fc.weight, fc.bias. */
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

    public RecurrentStack recurrent() { return encoder.recurrent(); }

    public Linear fc() { return head.fc(); }

    /**
     * Runs the model in the current mode and returns the CTC loss (torch's mean) against the
     * batch's label sequences; in training mode keeps what {@link #backward()} needs.
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
     * Evaluation-mode forward without a loss (targets are not read): the logits of every frame
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

    /** −ln p(labels | frames) of sequence b (batch order) in the last forward with targets. */
    public double sequenceLoss(int b) {
        for (int i = 0; i < order.size(); i++) if (order.source(i) == b) return head.loss().sequenceLoss(i);
        throw new IllegalArgumentException("sequence " + b + " is not in the last batch of " + order.size());
    }

    /**
     * The gradient of the last backward w.r.t. the input frame t of sequence b (batch order) into
     * {@code out} (F reals), for gradient checks and saliency.
     */
    public void inputGradient(int t, int b, float[] out) {
        FloatMatrix g = encoder.inputGradient();
        if (g == null) throw new IllegalStateException("no backward has run yet");
        int bs = order.size();
        for (int i = 0; i < bs; i++) {
            if (order.source(i) != b) continue;
            for (int f = 0; f < out.length; f++) out[f] = g.get(t * bs + i, f);
            return;
        }
        throw new IllegalArgumentException("sequence " + b + " is not in the last batch of " + bs);
    }

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
