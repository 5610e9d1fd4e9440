package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Dropout;
import dev.recur.layers.Embedding;
import dev.recur.layers.Linear;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.RowViews;
import dev.recur.layers.SequencePooling;
import dev.recur.layers.loss.BceWithLogitsLoss;
import dev.recur.layers.loss.SoftmaxCrossEntropyLoss;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Many-to-one: {@link SequenceEncoder} (Embedding → embedding dropout → recurrent stack; or, with
 * {@link ModelConfig#readsFrames()}, dense frames → input dropout → recurrent stack) →
 * {@link SequencePooling} (last valid step, mean or max) → Dropout → Linear({@code outputs}) → loss.
 * One output: binary, BCE with logits, labels 0/1. Several outputs: softmax cross-entropy over
 * classes, labels in [0, outputs) ({@link Batch#IGNORE} skips a sequence).
 *
 * <p>A training step:
 * <pre>{@code
 * model.zeroGrad();
 * float loss = model.forward(batch, true);    // training mode: dropout on, keeps what backward needs
 * model.backward();
 * float norm = GradientClipping.clipGradNorm(model.parameters(), 5f);
 * optimizer.step();
 * }</pre>
 * Prediction: {@code model.eval(); model.predict(batch, probs)}.
 *
 * <p>Parameters: {@code embedding.weight} (vocab × E; none for frame input), the recurrent stack's PyTorch names with
 * prefix {@code rnn.} ({@code rnn.weight_ih_l0}, {@code rnn.weight_hh_l0}, {@code rnn.bias_ih_l0},
 * {@code rnn.bias_hh_l0}, {@code …_reverse}, {@code …_l1}), {@code fc.weight} (outputs × F),
 * {@code fc.bias} (F = hidden × directions). Batches need not be sorted by length. One caller at
 * a time; workspaces sized for {@code maxSteps × maxBatch}; deterministic for a seed and thread count.
 */
public final class SequenceClassifier extends EncoderModel<Linear> {
    private final ModelConfig config;
    private final Embedding embedding;
    private final SequencePooling pooling;
    private final RowViews pooled, pooledIn, logits, dLogits, dPooled, dH, logitsOut;
    private final int[] sortedLabels;
    private final float[] binaryTargets;
    private FloatMatrix lastLogits;

    /**
     * A new model with seeded initialisation and workspaces for batches of up to
     * {@code maxSteps × maxBatch}.
     */
    public SequenceClassifier(ModelConfig config, long seed, int maxSteps, int maxBatch) {
        checkSize(maxSteps, maxBatch);
        Arena arena = Arena.ofShared();
        SplittableRandom rng = new SplittableRandom(seed);
        SplittableRandom embeddingRng = rng.split();   // drawn for frame input too: the streams below stay the same
        Embedding embedding = config.readsFrames() ? null
                : new Embedding(arena, "embedding", config.vocabSize(), config.embedDim(), config.paddingIdx(), embeddingRng);
        Dropout embeddingDropout = new Dropout(arena, config.embeddingDropout(), rng.nextLong());
        RecurrentConfig rc = new RecurrentConfig(config.cell(), config.embedDim(), config.hidden(), config.layers(),
                config.bidirectional(), DirectionMerge.CONCAT, config.dropout(), config.orthogonalRecurrent(),
                config.forgetBiasOne(), rng.nextLong());
        RecurrentStack rnn = new RecurrentStack("rnn", rc, maxSteps, maxBatch);
        SequenceEncoder encoder = config.readsFrames() ? SequenceEncoder.ofFrames(embeddingDropout, rnn, maxSteps, maxBatch)
                : new SequenceEncoder(List.of(embedding), embeddingDropout, rnn, maxSteps, maxBatch);
        Linear fc = new Linear(arena, "fc", config.featureSize(), config.outputs(), rng.split());
        Dropout headDropout = new Dropout(arena, config.dropout(), seed ^ 0x5DEECE66DL);
        super(seed, maxSteps, maxBatch, arena, encoder, fc, headDropout);
        this.config = config;
        this.embedding = embedding;
        pooling = new SequencePooling(config.pool(), config.hidden(), config.directions());
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

    public ModelConfig config() { return config; }

    @Override
    public String kind() { return "classifier"; }

    @Override
    public Map<String, String> configMetadata() { return config.toMetadata(); }

    /** The embedding table, or null for a model over frames. */
    public Embedding embedding() { return embedding; }

    public Linear fc() { return head; }

    /**
     * Truncated BPTT within each forward: the recurrent gradient is cut every {@code k} steps of the
     * sequence while the loss still reaches every step ({@link RecurrentStack#setGradientWindow}).
     * 0 (default) = full BPTT.
     */
    public void setGradientWindow(int k) { encoder.recurrent().setGradientWindow(k); }

    /** The truncated-BPTT window (0 = full BPTT). */
    public int gradientWindow() { return encoder.recurrent().gradientWindow(); }

    /**
     * Runs the model on {@code batch} in the current mode ({@link #train}) and returns the mean loss
     * against {@code batch.labels()}. In training mode it keeps what {@link #backward()} needs.
     */
    @Override
    public float forward(Batch batch) {
        FloatMatrix lg = run(batch, isTraining());
        int b = order.size(), o = config.outputs();
        int[] y = batch.labels();
        FloatMatrix dl = dLogits.first(b);
        float loss;
        if (o == 1) {
            for (int i = 0; i < b; i++) {
                int label = y[order.source(i)];
                if (label != 0 && label != 1) {
                    throw new IllegalArgumentException("label " + label + " of sequence " + order.source(i) + " is not 0 or 1 (binary model)");
                }
                binaryTargets[i] = label;
            }
            loss = BceWithLogitsLoss.forward(lg, binaryTargets, b, dl);
        } else {
            for (int i = 0; i < b; i++) sortedLabels[i] = y[order.source(i)];
            loss = SoftmaxCrossEntropyLoss.forward(lg, sortedLabels, b, Batch.IGNORE, dl);
        }
        forwarded(true);
        return loss;
    }

    /** Same as {@code train(training); forward(batch)}. */
    public float forward(Batch batch, boolean training) {
        train(training);
        return forward(batch);
    }

    /** Accumulates every parameter's gradient of the last {@link #forward} loss. */
    @Override
    public void backward() {
        startBackward();
        int b = order.size(), steps = encoder.steps();
        FloatMatrix dp = dPooled.first(b);
        head.backward(pooledIn.first(b), dLogits.first(b), dp);
        if (config.dropout() > 0f) headDropout.backward(dp, dp);
        FloatMatrix dh = dH.first(steps * b);
        pooling.backward(dp, order.sortedLengths(), steps, b, dh);
        encoder.backward(dh);
    }

    /** Forward up to the logits (sorted order); also fills the caller-order logits. */
    private FloatMatrix run(Batch batch, boolean train) {
        FloatMatrix h = encoder.forward(batch, order, train);
        int b = order.size(), steps = encoder.steps();
        FloatMatrix p = pooled.first(b);
        pooling.forward(h, order.sortedLengths(), steps, b, p);
        FloatMatrix pin = p;
        if (config.dropout() > 0f) {
            pin = pooledIn.first(b);
            headDropout.forward(p, pin, train);
        }
        FloatMatrix lg = logits.first(b);
        head.forward(pin, lg);
        if (order.isIdentity()) {
            lastLogits = lg;
        } else {
            lastLogits = logitsOut.first(b);
            order.scatterRows(lg, lastLogits, 1);
        }
        return lg;
    }

    /**
     * Evaluation-mode forward without a loss (labels are not read); returns the logits (B × outputs
     * in the batch's order, a view valid until the next call). Does not change the mode.
     */
    public FloatMatrix logits(Batch batch) {
        run(batch, false);
        forwarded(false);
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
}
