package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Dropout;
import dev.recur.layers.Embedding;
import dev.recur.layers.Linear;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
import java.util.ArrayList;
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
public final class SequenceTagger extends StepModel<StepSoftmaxHead> {
    private final TaggerConfig config;

    /** A new model with seeded initialisation and workspaces for batches up to {@code maxSteps × maxBatch}. */
    public SequenceTagger(TaggerConfig config, long seed, int maxSteps, int maxBatch) {
        checkSize(maxSteps, maxBatch);
        Arena arena = Arena.ofShared();
        SplittableRandom rng = new SplittableRandom(seed);
        List<Embedding> tables = new ArrayList<>();
        for (TaggerConfig.Feature f : config.features()) {
            tables.add(new Embedding(arena, f.name(), f.vocabSize(), f.dim(), f.paddingIdx(), rng));
        }
        Dropout inputDropout = new Dropout(arena, config.inputDropout(), seed + 7);
        RecurrentConfig rc = new RecurrentConfig(config.cell(), config.inputSize(), config.hidden(), config.layers(),
                config.bidirectional(), DirectionMerge.CONCAT, config.dropout(), false, false, seed + 1);
        SequenceEncoder encoder = new SequenceEncoder(tables, inputDropout, new RecurrentStack(config.rnnName(), rc, maxSteps, maxBatch),
                maxSteps, maxBatch);
        Linear fc = new Linear(arena, "fc", config.featureSize(), config.outputs(), rng);
        StepSoftmaxHead head = new StepSoftmaxHead(arena, new Dropout(arena, config.headDropout(), seed ^ 0x5DEECE66DL), fc,
                Math.multiplyExact(maxSteps, maxBatch));
        super(seed, maxSteps, maxBatch, arena, encoder, head);
        this.config = config;
    }

    public TaggerConfig config() { return config; }

    @Override
    public String kind() { return "tagger"; }

    @Override
    public Map<String, String> configMetadata() { return config.toMetadata(); }

    /**
     * Runs the model in the current mode and returns the mean cross-entropy (nats per valid target)
     * against {@code batch.targets()}; in training mode keeps what {@link #backward()} needs. Feature
     * k of the batch is looked up in table k.
     */
    @Override
    public float forward(Batch batch) { return super.forward(batch); }

    /** Same as {@code train(training); forward(batch)}. */
    public float forward(Batch batch, boolean training) {
        train(training);
        return forward(batch);
    }

    /** The most likely tag of step {@code t} of sequence {@code b} after the last forward. */
    public int predictedTag(int t, int b) {
        FloatMatrix lg = lastLogits();
        int row = t * encoder.batchSize() + b, best = 0;
        for (int c = 1; c < lg.cols(); c++) if (lg.get(row, c) > lg.get(row, best)) best = c;
        return best;
    }

    /** Number of targets the last forward's loss averaged over. */
    public int lastValidTargets() { return head.validTargets(); }
}
