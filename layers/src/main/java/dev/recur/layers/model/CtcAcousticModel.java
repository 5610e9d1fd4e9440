package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Dropout;
import dev.recur.layers.Linear;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.loss.CtcDecoder;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
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
public final class CtcAcousticModel extends StepModel<CtcHead> {
    /** The kind stored in checkpoints. */
    public static final String KIND = "ctc_acoustic";

    private final AcousticConfig config;

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
        Arena arena = Arena.ofShared();
        SplittableRandom rng = new SplittableRandom(seed);
        Dropout inputDropout = new Dropout(arena, config.inputDropout(), seed + 7);
        RecurrentConfig rc = new RecurrentConfig(config.cell(), config.frameSize(), config.hidden(), config.layers(),
                config.bidirectional(), DirectionMerge.CONCAT, config.dropout(), false, false, seed + 1);
        SequenceEncoder encoder = SequenceEncoder.ofFrames(inputDropout, new RecurrentStack(config.rnnName(), rc, maxSteps, maxBatch),
                maxSteps, maxBatch);
        Linear fc = new Linear(arena, "fc", config.featureSize(), config.outputs(), rng);
        CtcHead head = new CtcHead(arena, new Dropout(arena, config.headDropout(), seed ^ 0x5DEECE66DL), fc, maxSteps, maxBatch,
                Math.min(maxLabels, maxSteps));
        super(seed, maxSteps, maxBatch, arena, encoder, head);
        this.config = config;
    }

    public AcousticConfig config() { return config; }

    @Override
    public String kind() { return KIND; }

    @Override
    public Map<String, String> configMetadata() { return config.toMetadata(); }

    /**
     * Runs the model in the current mode and returns the CTC loss (torch's mean) against the
     * batch's label sequences; in training mode keeps what {@link #backward()} needs.
     */
    @Override
    public float forward(Batch batch) { return super.forward(batch); }

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
}
