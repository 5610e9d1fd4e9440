package dev.recur.app.lm;

import dev.recur.app.run.Checkpoint;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Embedding;
import dev.recur.layers.Linear;
import dev.recur.layers.Parameter;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.CharLanguageModel;
import dev.recur.layers.model.LanguageModelConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Locale;

/**
 * The {@code lm} task's view of the layers' {@link CharLanguageModel} (the character language
 * model composed of the module API: embedding → stateful recurrent stack → per-step softmax): it
 * feeds windows of int arrays from {@link TbpttBatcher} and the sampler, and saves and restores
 * the carried state with a checkpoint ({@code state.h}, {@code state.c}: {@code (L·B) × H}).
 * Nothing here wires layers; parameter names are the model's ({@code embedding.weight},
 * {@code lstm.weight_ih_l0}, …, {@code fc.weight}, {@code fc.bias}).
 */
public final class CharModel implements AutoCloseable {
    private final LmConfig cfg;
    private final int batch;
    private final int maxSteps;
    private final CharLanguageModel model;
    private final Batch window;
    private final Arena arena = Arena.ofShared();
    private final FloatMatrix zeroH, zeroC, loadH, loadC;

    /** A model for windows of up to {@code maxSteps} steps over {@code batch} streams. */
    public CharModel(LmConfig cfg, int batch, int maxSteps) {
        this.cfg = cfg;
        this.batch = batch;
        this.maxSteps = maxSteps;
        this.model = new CharLanguageModel(new LanguageModelConfig(cfg.cell(), cfg.vocabulary().size(), cfg.embed(),
                cfg.hidden(), cfg.layers(), cfg.dropout()), cfg.seed(), maxSteps, batch);
        this.window = new Batch(maxSteps, batch);
        int rows = cfg.layers() * batch;
        zeroH = FloatMatrix.allocate(arena, rows, cfg.hidden());
        loadH = FloatMatrix.allocate(arena, rows, cfg.hidden());
        zeroC = cfg.cell().hasCellState() ? FloatMatrix.allocate(arena, rows, cfg.hidden()) : null;
        loadC = cfg.cell().hasCellState() ? FloatMatrix.allocate(arena, rows, cfg.hidden()) : null;
    }

    public LmConfig config() { return cfg; }

    public int batch() { return batch; }

    public int maxSteps() { return maxSteps; }

    /** The embedding layer (for the gradient lab). */
    public Embedding embedding() { return model.embedding(); }

    /** The recurrent layer of the stack (for the gradient lab and the dropout counter). */
    public RecurrentLayer recurrent() { return model.recurrent().layer(); }

    /** The output layer (for the gradient lab). */
    public Linear output() { return model.fc(); }

    /** Every trainable parameter, in a stable order (embedding, recurrent layers, output layer). */
    public List<Parameter> parameters() { return model.parameters(); }

    /** The carried hidden state, {@code (L·B) × H} (row l·B + b); zeros before the first window of a pass. */
    public FloatMatrix hiddenState() {
        return model.recurrent().carriedBatch() == batch ? model.recurrent().carriedHidden() : zeroH;
    }

    /** The carried cell state (LSTM), or null. */
    public FloatMatrix cellState() {
        if (zeroC == null) return null;
        return model.recurrent().carriedBatch() == batch ? model.recurrent().carriedCell() : zeroC;
    }

    /** Restores the carried state saved with {@link #hiddenState()} and {@link #cellState()} in {@code ck}. */
    public void restoreState(Checkpoint ck) {
        ck.copy("state.h", loadH);
        if (loadC != null) ck.copy("state.c", loadC);
        model.recurrent().setCarriedState(loadH, loadC);
    }

    /** Sets the carried state to zero (start of a pass over the data). */
    public void resetState() { model.resetState(); }

    /** Zeroes every gradient. */
    public void zeroGrad() { model.zeroGrad(); }

    /**
     * Runs one window of {@code steps} steps ({@code inputs}/{@code targets} time-major,
     * {@code steps·batch} ids) from the carried state, returns the mean loss in nats per character,
     * and carries the final state forward. When {@code train}, also back-propagates (gradients
     * accumulate; call {@link #zeroGrad()} before).
     */
    public float window(int[] inputs, int[] targets, int steps, boolean train) {
        int n = steps * batch;
        window.reset(steps, batch);
        System.arraycopy(inputs, 0, window.tokens(), 0, n);
        System.arraycopy(targets, 0, window.targets(), 0, n);
        model.train(train);
        float loss = model.forward(window);
        if (train) model.backward();
        return loss;
    }

    /**
     * Feeds {@code steps} ids of stream 0 (batch must be 1) from the carried state and leaves the
     * scores of the next character after the last one in {@code out} (length V).
     */
    public void next(int[] ids, int steps, float[] out) {
        if (batch != 1) throw new IllegalStateException("next() needs a model built for one stream");
        window.reset(steps, 1);
        System.arraycopy(ids, 0, window.tokens(), 0, steps);
        model.train(false);
        FloatMatrix logits = model.logits(window);
        for (int v = 0; v < out.length; v++) out[v] = logits.get(steps - 1, v);
    }

    /** Copies every parameter value from {@code other} (same configuration). */
    public void copyParametersFrom(CharModel other) {
        List<Parameter> mine = parameters(), theirs = other.parameters();
        for (int i = 0; i < mine.size(); i++) mine.get(i).value().copyFrom(theirs.get(i).value());
        model.markGradDirty();
    }

    @Override
    public void close() {
        model.close();
        arena.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "CharModel[%s, batch %d, window %d]", cfg.describe(), batch, maxSteps);
    }
}
