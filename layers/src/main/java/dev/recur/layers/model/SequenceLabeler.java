package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Dropout;
import dev.recur.layers.RowViews;
import dev.recur.layers.loss.SoftmaxCrossEntropyLoss;
import java.util.Map;

/**
 * Many-to-many: Embedding → recurrent stack → Dropout → Linear({@code outputs}) at every step →
 * softmax cross-entropy against {@code batch.targets()}, mean over the valid targets (steps at or
 * past a sequence's length and targets equal to {@link Batch#IGNORE} are ignored).
 *
 * <p>Used for the character language model (targets = next symbol; with
 * {@link #setCarryState(boolean) carried state} consecutive windows form truncated BPTT: each
 * window starts from the previous window's final state and the gradient stops at the window's
 * start) and for tagging (bidirectional; targets = tags).
 *
 * <p>Parameters: {@code embedding.weight}, {@code rnn.*} (PyTorch names), {@code fc.weight}
 * (outputs × F), {@code fc.bias}. Single caller at a time.
 */
public final class SequenceLabeler extends SequenceModel {
    private final Dropout headDropout;
    private final RowViews hIn, logits, dLogits, dH, logitsOut;
    private final int[] effTargets;
    private FloatMatrix h;
    private FloatMatrix lastLogits;
    private int validTargets;

    /** A new model with seeded initialisation and workspaces for batches up to {@code maxSteps × maxBatch}. */
    public SequenceLabeler(ModelConfig config, long seed, int maxSteps, int maxBatch) {
        super(config, seed, maxSteps, maxBatch);
        if (config.outputs() < 2) {
            throw new IllegalArgumentException("a sequence labeler needs outputs ≥ 2 (number of tags or symbols), got " + config.outputs());
        }
        headDropout = new Dropout(arena, config.dropout(), seed ^ 0x5DEECE66DL);
        int rows = maxSteps * maxBatch, f = config.featureSize(), o = config.outputs();
        hIn = config.dropout() > 0f ? new RowViews(FloatMatrix.allocate(arena, rows, f)) : null;
        logits = new RowViews(FloatMatrix.allocate(arena, rows, o));
        logitsOut = new RowViews(FloatMatrix.allocate(arena, rows, o));
        dLogits = new RowViews(FloatMatrix.allocate(arena, rows, o));
        dH = new RowViews(FloatMatrix.allocate(arena, rows, f));
        effTargets = new int[rows];
    }

    @Override
    public String kind() { return "labeler"; }

    static void copyRow(FloatMatrix src, int from, FloatMatrix dst, int to) {
        java.lang.foreign.MemorySegment.copy(src.segment(), src.index(from, 0) * Float.BYTES,
                dst.segment(), dst.index(to, 0) * Float.BYTES, (long) src.cols() * Float.BYTES);
    }

    private FloatMatrix run(Batch batch, boolean train) {
        h = encode(batch, train);
        int rows = steps * this.batch;
        FloatMatrix x = h;
        if (config.dropout() > 0f) {
            x = hIn.first(rows);
            headDropout.forward(h, x, train);
        }
        FloatMatrix lg = logits.first(rows);
        fc.forward(x, lg);
        if (identityOrder) {
            lastLogits = lg;
        } else {
            lastLogits = logitsOut.first(rows);
            int b = this.batch;
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < b; i++) copyRow(lg, t * b + i, lastLogits, t * b + order[i]);
            }
        }
        return lg;
    }

    /**
     * Runs the model in the current mode and returns the mean cross-entropy (nats per valid target)
     * against {@code batch.targets()}; in training mode keeps what {@link #backward()} needs.
     */
    public float forward(Batch batch) {
        FloatMatrix lg = run(batch, training);
        int b = this.batch, rows = steps * b;
        int[] y = batch.targets();
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < b; i++) {
                effTargets[t * b + i] = t < sortedLengths[i] ? y[t * b + order[i]] : Batch.IGNORE;
            }
        }
        validTargets = SoftmaxCrossEntropyLoss.validCount(effTargets, rows, Batch.IGNORE);
        float loss = SoftmaxCrossEntropyLoss.forward(lg, effTargets, rows, Batch.IGNORE, dLogits.first(rows));
        backwardReady = training;
        return loss;
    }

    /** Same as {@code train(training); forward(batch)}. */
    public float forward(Batch batch, boolean training) {
        train(training);
        return forward(batch);
    }

    /** Number of targets the last forward's loss averaged over. */
    public int lastValidTargets() { return validTargets; }

    /** Accumulates every parameter's gradient of the last {@link #forward} loss. */
    public void backward() {
        requireBackwardReady();
        int rows = steps * batch;
        FloatMatrix x = config.dropout() > 0f ? hIn.first(rows) : h;
        FloatMatrix dh = dH.first(rows);
        fc.backward(x, dLogits.first(rows), dh);
        if (config.dropout() > 0f) headDropout.backward(dh, dh);
        backwardEncoder(dh); // padding rows: dLogits is 0 there, and the recurrent layer ignores them
    }

    /**
     * Evaluation-mode forward without a loss (targets are not read): the logits at every step
     * (T·B × outputs, row {@code t·B + b} in the batch's order; a view valid until the next call).
     * With carried state on this advances the state (for sampling one symbol at a time use T = 1).
     */
    public FloatMatrix logits(Batch batch) {
        run(batch, false);
        backwardReady = false;
        return lastLogits;
    }

    /** The logits of the last forward, in the batch's order (T·B × outputs view). */
    public FloatMatrix lastLogits() { return lastLogits; }

    @Override
    protected Map<String, String> headRngState() {
        return Map.of("recur.rng.head_dropout", Long.toString(headDropout.calls()));
    }

    @Override
    protected void restoreHeadRngState(Map<String, String> state) {
        String v = state.get("recur.rng.head_dropout");
        if (v != null) headDropout.setCalls(Long.parseLong(v));
    }
}
