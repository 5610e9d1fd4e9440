package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Dropout;
import dev.recur.layers.RowViews;
import dev.recur.layers.SequencePooling;
import dev.recur.layers.loss.BceWithLogitsLoss;
import dev.recur.layers.loss.SoftmaxCrossEntropyLoss;
import java.util.Map;

/**
 * Many-to-one: Embedding → recurrent stack → pooling (last valid step, mean or max) → Dropout →
 * Linear({@code outputs}) → loss. One output: binary, BCE with logits, labels 0/1. Several outputs:
 * softmax cross-entropy over classes, labels in [0, outputs) ({@link Batch#IGNORE} skips a sequence).
 *
 * <p>A training step:
 * <pre>{@code
 * model.zeroGrad();
 * float loss = model.forward(batch);          // training mode: dropout on, keeps what backward needs
 * model.backward();
 * float norm = GradientClipping.clipGradNorm(model.parameters(), 5f);
 * optimizer.step();
 * }</pre>
 * Prediction: {@code model.eval(); model.predict(batch, probs)}.
 *
 * <p>Parameters: {@code embedding.weight} (vocab × E), the recurrent stack's PyTorch names with
 * prefix {@code rnn.} ({@code rnn.weight_ih_l0}, {@code rnn.weight_hh_l0}, {@code rnn.bias_ih_l0},
 * {@code rnn.bias_hh_l0}, {@code …_reverse}, {@code …_l1}), {@code fc.weight} (outputs × F),
 * {@code fc.bias} (F = hidden × directions). Single caller at a time.
 */
public final class SequenceClassifier extends SequenceModel {
    private final SequencePooling pooling;
    private final Dropout headDropout;
    private final RowViews pooled, pooledIn, logits, dLogits, dPooled, dH, logitsOut;
    private final int[] sortedLabels;
    private final float[] binaryTargets;
    private FloatMatrix lastLogits;

    /**
     * A new model with seeded initialisation and workspaces for batches of up to
     * {@code maxSteps × maxBatch}.
     */
    public SequenceClassifier(ModelConfig config, long seed, int maxSteps, int maxBatch) {
        super(config, seed, maxSteps, maxBatch);
        pooling = new SequencePooling(config.pool(), config.hidden(), config.directions());
        headDropout = new Dropout(arena, config.dropout(), seed ^ 0x5DEECE66DL);
        int f = config.featureSize(), o = config.outputs();
        pooled = new RowViews(FloatMatrix.allocate(arena, maxBatch, f));
        pooledIn = config.dropout() > 0f ? new RowViews(FloatMatrix.allocate(arena, maxBatch, f)) : pooled;
        logits = new RowViews(FloatMatrix.allocate(arena, maxBatch, o));
        logitsOut = new RowViews(FloatMatrix.allocate(arena, maxBatch, o));
        dLogits = new RowViews(FloatMatrix.allocate(arena, maxBatch, o));
        dPooled = new RowViews(FloatMatrix.allocate(arena, maxBatch, f));
        dH = new RowViews(FloatMatrix.allocate(arena, maxSteps * maxBatch, f));
        sortedLabels = new int[maxBatch];
        binaryTargets = new float[maxBatch];
    }

    @Override
    public String kind() { return "classifier"; }

    /**
     * Runs the model on {@code batch} in the current mode ({@link #train}) and returns the mean loss
     * against {@code batch.labels()}. In training mode it keeps what {@link #backward()} needs.
     */
    public float forward(Batch batch) {
        FloatMatrix lg = run(batch, training);
        int b = this.batch, o = config.outputs();
        int[] y = batch.labels();
        FloatMatrix dl = dLogits.first(b);
        float loss;
        if (o == 1) {
            for (int i = 0; i < b; i++) {
                int label = y[order[i]];
                if (label != 0 && label != 1) {
                    throw new IllegalArgumentException("label " + label + " of sequence " + order[i] + " is not 0 or 1 (binary model)");
                }
                binaryTargets[i] = label;
            }
            loss = BceWithLogitsLoss.forward(lg, binaryTargets, b, dl);
        } else {
            for (int i = 0; i < b; i++) sortedLabels[i] = y[order[i]];
            loss = SoftmaxCrossEntropyLoss.forward(lg, sortedLabels, b, Batch.IGNORE, dl);
        }
        backwardReady = training;
        return loss;
    }

    /** Same as {@code train(training); forward(batch)}. */
    public float forward(Batch batch, boolean training) {
        train(training);
        return forward(batch);
    }

    /** Accumulates every parameter's gradient of the last {@link #forward} loss. */
    public void backward() {
        requireBackwardReady();
        int b = batch;
        FloatMatrix dp = dPooled.first(b);
        fc.backward(pooledIn.first(b), dLogits.first(b), dp);
        if (config.dropout() > 0f) headDropout.backward(dp, dp);
        FloatMatrix dh = dH.first(steps * b);
        pooling.backward(dp, sortedLengths, steps, b, dh);
        backwardEncoder(dh);
    }

    /** Forward up to the logits (sorted order); also fills the caller-order logits. */
    private FloatMatrix run(Batch batch, boolean train) {
        FloatMatrix h = encode(batch, train);
        int b = this.batch;
        FloatMatrix p = pooled.first(b);
        pooling.forward(h, sortedLengths, steps, b, p);
        FloatMatrix pin = p;
        if (config.dropout() > 0f) {
            pin = pooledIn.first(b);
            headDropout.forward(p, pin, train);
        }
        FloatMatrix lg = logits.first(b);
        fc.forward(pin, lg);
        if (identityOrder) {
            lastLogits = lg;
        } else {
            lastLogits = logitsOut.first(b);
            for (int i = 0; i < b; i++) {
                for (int k = 0; k < config.outputs(); k++) lastLogits.set(order[i], k, lg.get(i, k));
            }
        }
        return lg;
    }

    /**
     * Evaluation-mode forward without a loss (labels are not read); returns the logits (B × outputs
     * in the batch's order, a view valid until the next call). Does not change the mode.
     */
    public FloatMatrix logits(Batch batch) {
        run(batch, false);
        backwardReady = false;
        return lastLogits;
    }

    /** The logits of the last forward, in the batch's order (B × outputs view). */
    public FloatMatrix lastLogits() { return lastLogits; }

    /**
     * Evaluation-mode probabilities into {@code out}: with one output, {@code out[b] = σ(logit_b)}
     * (the probability of label 1); else {@code out[b·outputs + k]} = softmax over classes.
     */
    public void predict(Batch batch, float[] out) {
        FloatMatrix lg = logits(batch);
        probabilities(lg, out);
    }

    /** Probabilities of the last forward's logits (see {@link #predict}), without running the model. */
    public void lastProbabilities(float[] out) { probabilities(lastLogits, out); }

    private void probabilities(FloatMatrix lg, float[] out) {
        int b = lg.rows(), o = config.outputs();
        if (out.length < b * o) throw new IllegalArgumentException("predict: output array of " + out.length + " < " + b * o);
        if (o == 1) {
            for (int i = 0; i < b; i++) out[i] = BceWithLogitsLoss.sigmoid(lg.get(i, 0));
        } else {
            for (int i = 0; i < b; i++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < o; k++) max = Math.max(max, lg.get(i, k));
                double z = 0;
                for (int k = 0; k < o; k++) z += Math.exp(lg.get(i, k) - max);
                for (int k = 0; k < o; k++) out[i * o + k] = (float) (Math.exp(lg.get(i, k) - max) / z);
            }
        }
    }

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
