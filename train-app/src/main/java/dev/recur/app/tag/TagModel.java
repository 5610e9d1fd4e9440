package dev.recur.app.tag;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Dropout;
import dev.recur.layers.Embedding;
import dev.recur.layers.Linear;
import dev.recur.layers.Parameter;
import dev.recur.layers.loss.SoftmaxCrossEntropyLoss;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The tagger: for every token, the embeddings of its lower-cased word, shape and suffix (and POS
 * tag, when predicting chunks) side by side → dropout → bidirectional LSTM/GRU/RNN → per-token
 * linear layer over the tags → softmax cross-entropy, padding ignored (many-to-many).
 * Parameter names: {@code word.weight}, {@code shape.weight}, {@code suffix.weight},
 * {@code pos.weight}, {@code lstm.weight_ih_l0_reverse}…, {@code fc.weight}, {@code fc.bias}.
 */
public final class TagModel implements AutoCloseable {
    private final TagConfig cfg;
    private final Arena arena = Arena.ofShared();
    private final Embedding word, shape, suffix, pos;
    private final Dropout dropout;
    private final RecurrentLayer rnn;
    private final Linear fc;
    private final List<Parameter> params;
    private final FloatMatrix x, logits, dLogits, dY;
    private final int tagCount;

    public TagModel(TagConfig cfg, int maxSteps, int maxBatch) {
        this.cfg = cfg;
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        word = new Embedding(arena, "word", cfg.words().size(), cfg.wordDim(), Lexicon.PAD, rng);
        shape = new Embedding(arena, "shape", cfg.shapes().size(), cfg.featureDim(), Lexicon.PAD, rng);
        suffix = new Embedding(arena, "suffix", cfg.suffixes().size(), cfg.featureDim(), Lexicon.PAD, rng);
        pos = cfg.usePos() ? new Embedding(arena, "pos", cfg.posTags().size(), cfg.featureDim(), Lexicon.PAD, rng) : null;
        dropout = new Dropout(arena, cfg.dropout(), cfg.seed() + 7);
        RecurrentConfig rc = new RecurrentConfig(cfg.cell(), cfg.inputSize(), cfg.hidden(), cfg.layers(), true,
                DirectionMerge.CONCAT, 0f, false, false, cfg.seed() + 1);
        rnn = new RecurrentLayer(cfg.cell().name().startsWith("RNN") ? "rnn." : cfg.cell().name().toLowerCase() + ".",
                rc, maxSteps, maxBatch);
        tagCount = cfg.tags().size();
        fc = new Linear(arena, "fc", rnn.outputSize(), tagCount, rng);
        List<Parameter> ps = new ArrayList<>();
        ps.addAll(word.parameters());
        ps.addAll(shape.parameters());
        ps.addAll(suffix.parameters());
        if (pos != null) ps.addAll(pos.parameters());
        ps.addAll(rnn.parameters());
        ps.addAll(fc.parameters());
        params = List.copyOf(ps);
        int rows = maxSteps * maxBatch;
        x = FloatMatrix.allocate(arena, rows, cfg.inputSize());
        logits = FloatMatrix.allocate(arena, rows, tagCount);
        dLogits = FloatMatrix.allocate(arena, rows, tagCount);
        dY = FloatMatrix.allocate(arena, rows, rnn.outputSize());
    }

    public TagConfig config() { return cfg; }

    public List<Parameter> parameters() { return params; }

    public Dropout dropout() { return dropout; }

    public void zeroGrad() {
        word.zeroGrad();
        shape.zeroGrad();
        suffix.zeroGrad();
        if (pos != null) pos.zeroGrad();
        rnn.zeroGrad();
        fc.zeroGrad();
    }

    /**
     * Forward (and backward when {@code train}) over one batch; {@code words} may differ from the
     * batch's own ids (word dropout in training). Returns the mean loss over real tokens; the
     * scores stay available through {@link #predict}.
     */
    public float step(TagBatches.Batch b, int[] words, boolean train) {
        int n = b.steps() * b.size();
        FloatMatrix xv = x.rowRange(0, n);
        int off = 0;
        word.forward(words, n, xv.view(0, off, n, cfg.wordDim()));
        off += cfg.wordDim();
        shape.forward(b.shapes(), n, xv.view(0, off, n, cfg.featureDim()));
        off += cfg.featureDim();
        suffix.forward(b.suffixes(), n, xv.view(0, off, n, cfg.featureDim()));
        off += cfg.featureDim();
        if (pos != null) pos.forward(b.pos(), n, xv.view(0, off, n, cfg.featureDim()));
        dropout.forward(xv, xv, train);
        FloatMatrix y = rnn.forward(xv, b.size(), b.lengths(), null, null, train);
        FloatMatrix lv = logits.rowRange(0, n), dlv = dLogits.rowRange(0, n);
        fc.forward(y, lv);
        float loss = SoftmaxCrossEntropyLoss.forward(lv, b.targets(), n, SoftmaxCrossEntropyLoss.DEFAULT_IGNORE_INDEX,
                train ? dlv : null);
        if (train) {
            FloatMatrix dyv = dY.rowRange(0, n);
            fc.backward(y, dlv, dyv);
            FloatMatrix dx = rnn.backward(dyv, null, null);
            dropout.backward(dx, dx);
            off = 0;
            word.backward(words, n, dx.view(0, off, n, cfg.wordDim()));
            off += cfg.wordDim();
            shape.backward(b.shapes(), n, dx.view(0, off, n, cfg.featureDim()));
            off += cfg.featureDim();
            suffix.backward(b.suffixes(), n, dx.view(0, off, n, cfg.featureDim()));
            off += cfg.featureDim();
            if (pos != null) pos.backward(b.pos(), n, dx.view(0, off, n, cfg.featureDim()));
        }
        return loss;
    }

    /** The most likely tag id of step {@code t} of sequence {@code j} after the last {@link #step}. */
    public int predict(TagBatches.Batch b, int t, int j) {
        int row = t * b.size() + j;
        int best = 0;
        float bestScore = logits.get(row, 0);
        for (int c = 1; c < tagCount; c++) {
            float s = logits.get(row, c);
            if (s > bestScore) {
                bestScore = s;
                best = c;
            }
        }
        return best;
    }

    @Override
    public void close() {
        rnn.close();
        arena.close();
    }
}
