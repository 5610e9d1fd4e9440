package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Embedding;
import dev.recur.layers.Module;
import dev.recur.layers.Parameter;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.RowViews;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The encoder every sequence model starts with: one or more {@link Embedding}s (feature k of the
 * batch looked up in table k, the vectors side by side) → input {@link Dropout} →
 * {@link RecurrentStack}. Its output is the recurrent stack's, {@code T·B × outputSize()} in the
 * sorted order of the model's {@link BatchOrder}.
 *
 * <p>A <em>frame</em> encoder ({@link #ofFrames}) has no embeddings: the batch's real-valued
 * frames ({@link Batch#ofFrames}) go straight to the input dropout and the recurrent stack (audio
 * features for {@link CtcAcousticModel}).
 *
 * <p>Padded positions (steps at or past a sequence's length) are looked up as the padding row (or
 * row 0) and receive no gradient. The modules are given built (so each model keeps its own
 * initialisation order) and are owned by the encoder from then on: {@link #close()} closes the
 * recurrent stack and the encoder's workspace; the embeddings' and dropout's memory belongs to the
 * model's arena.
 */
public final class SequenceEncoder implements Module {
    private final List<Embedding> features;
    private final Dropout inputDropout;
    private final RecurrentStack rnn;
    private final int maxSteps, maxBatch, inputSize, frameSize;
    private final List<Parameter> parameters;
    private final Arena arena = Arena.ofShared();
    private final int[][] lookupIds, gradIds;
    private final RowViews embedded;
    private final RowViews[] columns;        // feature k's columns of the embedded rows
    private FloatMatrix lastDX;              // the input gradient the cached column views below belong to
    private FloatMatrix inputGradient;      // frame encoder: the last backward's gradient w.r.t. the frames
    private final FloatMatrix[] dXColumns;
    private int steps, batch;

    /**
     * @param features     embedding tables, one per batch feature; their widths add up to the
     *                     recurrent stack's input size
     * @param inputDropout dropout on the concatenated embeddings (probability 0 for none)
     * @param rnn          the recurrent stack
     */
    public SequenceEncoder(List<Embedding> features, Dropout inputDropout, RecurrentStack rnn, int maxSteps, int maxBatch) {
        this(features, 0, inputDropout, rnn, maxSteps, maxBatch);
        if (this.features.isEmpty()) throw new IllegalArgumentException("an encoder needs at least one embedding");
    }

    /** An encoder of real-valued frames, {@code rnn.config().inputSize()} wide, without embeddings. */
    public static SequenceEncoder ofFrames(Dropout inputDropout, RecurrentStack rnn, int maxSteps, int maxBatch) {
        return new SequenceEncoder(List.of(), rnn.config().inputSize(), inputDropout, rnn, maxSteps, maxBatch);
    }

    private SequenceEncoder(List<Embedding> features, int frameSize, Dropout inputDropout, RecurrentStack rnn, int maxSteps,
                            int maxBatch) {
        this.features = List.copyOf(features);
        this.frameSize = frameSize;
        this.inputDropout = Objects.requireNonNull(inputDropout, "inputDropout");
        this.rnn = Objects.requireNonNull(rnn, "rnn");
        int width = frameSize;
        for (Embedding e : this.features) width += e.embeddingDim();
        if (width != rnn.config().inputSize()) {
            throw new IllegalArgumentException("the embeddings are " + width + " wide together but the recurrent stack's input size is "
                    + rnn.config().inputSize());
        }
        this.inputSize = width;
        this.maxSteps = maxSteps;
        this.maxBatch = maxBatch;
        List<Parameter> ps = new ArrayList<>();
        for (Embedding e : this.features) ps.addAll(e.parameters());
        ps.addAll(rnn.parameters());
        parameters = List.copyOf(ps);
        int rows = Math.multiplyExact(maxSteps, maxBatch);
        lookupIds = new int[this.features.size()][rows];
        gradIds = new int[this.features.size()][rows];
        FloatMatrix all = FloatMatrix.allocate(arena, rows, inputSize);
        embedded = new RowViews(all);
        columns = new RowViews[this.features.size()];
        dXColumns = new FloatMatrix[this.features.size()];
        for (int k = 0, col = 0; k < columns.length; k++) {
            int w = this.features.get(k).embeddingDim();
            columns[k] = new RowViews(columns.length == 1 ? all : all.view(0, col, rows, w));
            col += w;
        }
    }

    /** Embedding tables, parameters of the recurrent stack, in that order. */
    @Override
    public List<Parameter> parameters() { return parameters; }

    /** Clears every gradient (the embeddings' the sparse-aware way). */
    @Override
    public void zeroGrad() {
        for (int k = 0; k < features.size(); k++) features.get(k).zeroGrad();
        rnn.zeroGrad();
    }

    /** Marks the embeddings' gradients as dirty everywhere (after loading or editing them directly). */
    public void markGradDirty() {
        for (int k = 0; k < features.size(); k++) features.get(k).markGradDirty();
    }

    public List<Embedding> features() { return features; }

    public Dropout inputDropout() { return inputDropout; }

    public RecurrentStack recurrent() { return rnn; }

    /** Width of the output rows. */
    public int outputSize() { return rnn.outputSize(); }

    /** T of the last forward. */
    public int steps() { return steps; }

    /** B of the last forward. */
    public int batchSize() { return batch; }

    /**
     * Checks {@code b} (shape within the workspace, lengths in [1, T], ids within each table),
     * sorts it into {@code order} (the batch's one sort), embeds it and runs the recurrent stack.
     * Returns the outputs in sorted order (a view valid until the next forward).
     */
    public FloatMatrix forward(Batch b, BatchOrder order, boolean training) {
        steps = b.steps();
        batch = b.size();
        if (steps > maxSteps || batch > maxBatch) {
            throw new IllegalArgumentException("batch of " + steps + " steps × " + batch + " sequences exceeds the model's "
                    + maxSteps + " × " + maxBatch + " workspace (create the model with larger maxSteps/maxBatch)");
        }
        if (b.featureCount() < features.size()) {
            throw new IllegalArgumentException("the batch has " + b.featureCount() + " features but the model embeds "
                    + features.size() + " (create the Batch with featureCount " + features.size() + ")");
        }
        if (frameSize > 0 && b.frameSize() != frameSize) {
            throw new IllegalArgumentException("the batch has " + b.frameSize() + " reals per frame but the model reads " + frameSize
                    + " (create the Batch with Batch.ofFrames(…, " + frameSize + "))");
        }
        b.checkLengths();
        for (int k = 0; k < features.size(); k++) b.checkIds(k, features.get(k).numEmbeddings());
        order.sort(b.lengths(), batch);
        int[] sortedLengths = order.sortedLengths();
        int rows = steps * batch;
        FloatMatrix x = embedded.first(rows);
        if (frameSize > 0) copyFrames(b, order, x);
        for (int k = 0; k < features.size(); k++) {
            Embedding e = features.get(k);
            int[] ids = b.feature(k), look = lookupIds[k], grad = gradIds[k];
            int pad = Math.max(e.paddingIdx(), 0);
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < batch; i++) {
                    int src = t * batch + order.source(i);
                    boolean valid = t < sortedLengths[i];
                    look[t * batch + i] = valid ? ids[src] : pad;
                    grad[t * batch + i] = valid ? ids[src] : -1;
                }
            }
            e.forward(look, rows, columns[k].first(rows));
        }
        inputDropout.forward(x, x, training);
        return rnn.forward(x, order, training);
    }

    /** Frames in sorted order, padding rows zero. */
    private void copyFrames(Batch b, BatchOrder order, FloatMatrix x) {
        float[] frames = b.frames();
        int[] sortedLengths = order.sortedLengths();
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < batch; i++) {
                long at = x.index(t * batch + i, 0) * Float.BYTES;
                if (t < sortedLengths[i]) {
                    MemorySegment.copy(frames, (t * batch + order.source(i)) * frameSize, x.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED,
                            at, frameSize);
                } else {
                    x.segment().asSlice(at, (long) frameSize * Float.BYTES).fill((byte) 0);
                }
            }
        }
    }

    /** Reals per frame of a frame encoder (0 for an embedding encoder). */
    public int frameSize() { return frameSize; }

    /**
     * Frame encoder: the last backward's gradient w.r.t. the frames, {@code T·B × F} in sorted
     * order (a view valid until the next backward).
     */
    public FloatMatrix inputGradient() { return inputGradient; }

    /** Back-propagates the outputs' gradient {@code dH} (sorted order) down to the embedding tables (or the frames). */
    public void backward(FloatMatrix dH) { backward(dH, null, null); }

    /**
     * Back-propagates the outputs' gradient {@code dH} and the gradients of the recurrent stack's
     * final states ({@link RecurrentStack#finalHidden()}, {@link RecurrentStack#finalCell()}; null
     * for zero), all in sorted order, down to the embedding tables.
     */
    public void backward(FloatMatrix dH, FloatMatrix dFinalHidden, FloatMatrix dFinalCell) {
        FloatMatrix dX = rnn.backward(dH, dFinalHidden, dFinalCell);
        inputDropout.backward(dX, dX);
        if (frameSize > 0) {
            inputGradient = dX;
            return;
        }
        int rows = steps * batch;
        if (dX != lastDX) {   // the stack's gradient view changes only with the batch shape
            for (int k = 0, col = 0; k < features.size(); k++) {
                int w = features.get(k).embeddingDim();
                dXColumns[k] = features.size() == 1 ? dX : dX.view(0, col, rows, w);
                col += w;
            }
            lastDX = dX;
        }
        for (int k = 0; k < features.size(); k++) features.get(k).backward(gradIds[k], rows, dXColumns[k]);
    }

    @Override
    public void close() {
        rnn.close();
        arena.close();
    }
}
