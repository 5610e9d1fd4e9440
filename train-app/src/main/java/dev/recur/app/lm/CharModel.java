package dev.recur.app.lm;

import dev.recur.engine.FloatMatrix;
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
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A character language model, {@code Embedding(V, E) → {RNN|LSTM|GRU}(H) × L → Linear(H, V)},
 * run over {@code batch} parallel streams with the recurrent state carried from one window to the
 * next (truncated BPTT: the carried state is an input with no history, so gradients stop at the
 * window's start). Parameter names are PyTorch's: {@code embedding.weight}, {@code lstm.weight_ih_l0},
 * …, {@code fc.weight}, {@code fc.bias}.
 */
public final class CharModel implements AutoCloseable {
    private final LmConfig cfg;
    private final int batch;
    private final int maxSteps;
    private final Arena arena = Arena.ofShared();
    private final Embedding embedding;
    private final RecurrentLayer rnn;
    private final Linear fc;
    private final List<Parameter> params;
    private final FloatMatrix x, logits, dLogits, dY, h, c;
    private final int vocab;

    /** A model for windows of up to {@code maxSteps} steps over {@code batch} streams. */
    public CharModel(LmConfig cfg, int batch, int maxSteps) {
        this.cfg = cfg;
        this.batch = batch;
        this.maxSteps = maxSteps;
        this.vocab = cfg.vocabulary().size();
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        embedding = new Embedding(arena, "embedding", vocab, cfg.embed(), -1, rng);
        RecurrentConfig rc = new RecurrentConfig(cfg.cell(), cfg.embed(), cfg.hidden(), cfg.layers(), false,
                DirectionMerge.CONCAT, cfg.dropout(), false, false, cfg.seed() + 1);
        rnn = new RecurrentLayer(prefix(cfg), rc, maxSteps, batch);
        fc = new Linear(arena, "fc", cfg.hidden(), vocab, rng);
        List<Parameter> ps = new ArrayList<>(embedding.parameters());
        ps.addAll(rnn.parameters());
        ps.addAll(fc.parameters());
        params = List.copyOf(ps);
        int rows = maxSteps * batch;
        x = FloatMatrix.allocate(arena, rows, cfg.embed());
        logits = FloatMatrix.allocate(arena, rows, vocab);
        dLogits = FloatMatrix.allocate(arena, rows, vocab);
        dY = FloatMatrix.allocate(arena, rows, cfg.hidden());
        int stateRows = cfg.layers() * batch;
        h = FloatMatrix.allocate(arena, stateRows, cfg.hidden());
        c = cfg.cell().hasCellState() ? FloatMatrix.allocate(arena, stateRows, cfg.hidden()) : null;
    }

    static String prefix(LmConfig cfg) {
        return switch (cfg.cell()) {
            case LSTM -> "lstm.";
            case GRU -> "gru.";
            default -> "rnn.";
        };
    }

    public LmConfig config() { return cfg; }

    public int batch() { return batch; }

    public int maxSteps() { return maxSteps; }

    /** The embedding layer (for the gradient lab). */
    public Embedding embedding() { return embedding; }

    /** The recurrent stack (for the gradient lab). */
    public RecurrentLayer recurrent() { return rnn; }

    /** The output layer (for the gradient lab). */
    public Linear output() { return fc; }

    /** Every trainable parameter, in a stable order (embedding, recurrent layers, output layer). */
    public List<Parameter> parameters() { return params; }

    /** The carried hidden state, {@code (L·B) × H} (row l·B + b). */
    public FloatMatrix hiddenState() { return h; }

    /** The carried cell state (LSTM), or null. */
    public FloatMatrix cellState() { return c; }

    /** Sets the carried state to zero (start of a pass over the data). */
    public void resetState() {
        h.fill(0f);
        if (c != null) c.fill(0f);
    }

    /** Zeroes every gradient. */
    public void zeroGrad() {
        embedding.zeroGrad();
        rnn.zeroGrad();
        fc.zeroGrad();
    }

    /**
     * Runs one window of {@code steps} steps ({@code inputs}/{@code targets} time-major,
     * {@code steps·batch} ids) from the carried state, returns the mean loss in nats per character,
     * and carries the final state forward. When {@code train}, also back-propagates (gradients
     * accumulate; call {@link #zeroGrad()} before).
     */
    public float window(int[] inputs, int[] targets, int steps, boolean train) {
        int n = steps * batch;
        FloatMatrix xv = x.rowRange(0, n), lv = logits.rowRange(0, n), dlv = dLogits.rowRange(0, n);
        embedding.forward(inputs, n, xv);
        FloatMatrix y = rnn.forward(xv, batch, null, h, c, train);
        fc.forward(y, lv);
        float loss = SoftmaxCrossEntropyLoss.forward(lv, targets, n, SoftmaxCrossEntropyLoss.DEFAULT_IGNORE_INDEX,
                train ? dlv : null);
        if (train) {
            FloatMatrix dyv = dY.rowRange(0, n);
            fc.backward(y, dlv, dyv);
            FloatMatrix dx = rnn.backward(dyv, null, null);
            embedding.backward(inputs, n, dx);
        }
        h.copyFrom(rnn.finalHidden());
        if (c != null) c.copyFrom(rnn.finalCell());
        return loss;
    }

    /**
     * Feeds {@code steps} ids of stream 0 (batch must be 1) from the carried state and leaves the
     * scores of the next character after the last one in {@code out} (length V).
     */
    public void next(int[] ids, int steps, float[] out) {
        if (batch != 1) throw new IllegalStateException("next() needs a model built for one stream");
        FloatMatrix xv = x.rowRange(0, steps), lv = logits.rowRange(0, steps);
        embedding.forward(ids, steps, xv);
        FloatMatrix y = rnn.forward(xv, 1, null, h, c, false);
        fc.forward(y, lv);
        h.copyFrom(rnn.finalHidden());
        if (c != null) c.copyFrom(rnn.finalCell());
        for (int v = 0; v < vocab; v++) out[v] = lv.get(steps - 1, v);
    }

    /** Copies every parameter value from {@code other} (same configuration). */
    public void copyParametersFrom(CharModel other) {
        for (int i = 0; i < params.size(); i++) params.get(i).value().copyFrom(other.params.get(i).value());
    }

    @Override
    public void close() {
        rnn.close();
        arena.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "CharModel[%s, batch %d, window %d]", cfg.describe(), batch, maxSteps);
    }
}
