package dev.recur.app.tag;

import dev.recur.layers.Dropout;
import dev.recur.layers.Parameter;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceTagger;
import dev.recur.layers.model.TaggerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tag} task's view of the layers' {@link SequenceTagger} (a composition of the module
 * API): for every token the embeddings of its lower-cased word, shape and suffix (and POS tag, when
 * predicting chunks) side by side → dropout → bidirectional LSTM/GRU/RNN → per-token linear layer
 * over the tags → softmax cross-entropy, padding ignored. It fills the model's batch from
 * {@link TagBatches} (with word dropout's ids) and reads predictions back. Parameter names:
 * {@code word.weight}, {@code shape.weight}, {@code suffix.weight}, {@code pos.weight},
 * {@code lstm.weight_ih_l0_reverse}…, {@code fc.weight}, {@code fc.bias}.
 */
public final class TagModel implements AutoCloseable {
    private final TagConfig cfg;
    private final SequenceTagger model;
    private final Batch batch;

    public TagModel(TagConfig cfg, int maxSteps, int maxBatch) {
        this.cfg = cfg;
        List<TaggerConfig.Feature> features = new ArrayList<>();
        features.add(new TaggerConfig.Feature("word", cfg.words().size(), cfg.wordDim(), Lexicon.PAD));
        features.add(new TaggerConfig.Feature("shape", cfg.shapes().size(), cfg.featureDim(), Lexicon.PAD));
        features.add(new TaggerConfig.Feature("suffix", cfg.suffixes().size(), cfg.featureDim(), Lexicon.PAD));
        if (cfg.usePos()) features.add(new TaggerConfig.Feature("pos", cfg.posTags().size(), cfg.featureDim(), Lexicon.PAD));
        TaggerConfig tc = new TaggerConfig(features, cfg.cell(), cfg.hidden(), cfg.layers(), true, cfg.dropout(), 0f, 0f,
                cfg.tags().size(), RecurrentStack.defaultName(cfg.cell()));
        model = new SequenceTagger(tc, cfg.seed(), maxSteps, maxBatch);
        batch = new Batch(maxSteps, maxBatch, features.size());
    }

    public TagConfig config() { return cfg; }

    public List<Parameter> parameters() { return model.parameters(); }

    /** The dropout on the token vectors (its call counter is saved for exact resume). */
    public Dropout dropout() { return model.encoder().inputDropout(); }

    public void zeroGrad() { model.zeroGrad(); }

    /**
     * Forward (and backward when {@code train}) over one batch; {@code words} may differ from the
     * batch's own ids (word dropout in training). Returns the mean loss over real tokens; the
     * scores stay available through {@link #predict}.
     */
    public float step(TagBatches.Batch b, int[] words, boolean train) {
        int n = b.steps() * b.size();
        batch.reset(b.steps(), b.size());
        System.arraycopy(b.lengths(), 0, batch.lengths(), 0, b.size());
        System.arraycopy(words, 0, batch.feature(0), 0, n);
        System.arraycopy(b.shapes(), 0, batch.feature(1), 0, n);
        System.arraycopy(b.suffixes(), 0, batch.feature(2), 0, n);
        if (cfg.usePos()) System.arraycopy(b.pos(), 0, batch.feature(3), 0, n);
        System.arraycopy(b.targets(), 0, batch.targets(), 0, n);
        float loss = model.forward(batch, train);
        if (train) model.backward();
        return loss;
    }

    /** The most likely tag id of step {@code t} of sequence {@code j} after the last {@link #step}. */
    public int predict(TagBatches.Batch b, int t, int j) { return model.predictedTag(t, j); }

    @Override
    public void close() { model.close(); }
}
