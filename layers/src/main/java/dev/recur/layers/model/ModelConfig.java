package dev.recur.layers.model;

import dev.recur.layers.Pooling;
import dev.recur.layers.rnn.CellType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The architecture of a {@link SequenceClassifier}: everything needed to
 * rebuild the model from a checkpoint (it travels in the checkpoint's metadata, see
 * {@link #toMetadata()}).
 *
 * @param cell                recurrent cell: RNN_TANH, RNN_RELU, LSTM, GRU
 * @param vocabSize           rows of the embedding table (token ids are in [0, vocabSize)), or
 *                            {@value #FRAME_INPUT} for a model over dense frames ({@link Batch#ofFrames}), no embedding
 * @param embedDim            embedding width, the recurrent input size (the frame width for frame input)
 * @param hidden              H, hidden units per direction
 * @param layers              stacked recurrent layers
 * @param bidirectional       add a reverse direction to every layer (outputs concatenated, 2H wide)
 * @param pool                pooling (last valid step, mean, max)
 * @param dropout             inverted dropout probability in [0, 1): between recurrent layers and on
 *                            the features entering the output layer (training only)
 * @param embeddingDropout    inverted dropout on the embedded tokens (or the frames), in [0, 1) (0 = none)
 * @param outputs             1 for binary (BCE with logits) or the number of classes (≥ 2, softmax
 *                            cross-entropy)
 * @param paddingIdx          embedding row kept at zero with no gradient, or −1 for none (always −1 for frame input)
 * @param orthogonalRecurrent initialise recurrent weights orthogonally (else PyTorch's uniform)
 * @param forgetBiasOne       LSTM: initialise the forget-gate bias to 1
 */
public record ModelConfig(CellType cell, int vocabSize, int embedDim, int hidden, int layers, boolean bidirectional,
                          Pooling pool, float dropout, float embeddingDropout, int outputs, int paddingIdx,
                          boolean orthogonalRecurrent, boolean forgetBiasOne) {

    /** Prefix of every metadata key this record writes. */
    public static final String META_PREFIX = "recur.model.";

    /** The {@code vocabSize} of a model over dense frames instead of token ids. */
    public static final int FRAME_INPUT = 0;

    public ModelConfig {
        StringBuilder bad = new StringBuilder();
        if (cell == null) bad.append("; cell type is missing (use rnn, rnn_relu, lstm or gru)");
        if (pool == null) bad.append("; pooling is missing (use last, mean or max)");
        if (vocabSize < 2 && vocabSize != FRAME_INPUT) {
            bad.append("; vocabSize must be ≥ 2 (or ").append(FRAME_INPUT).append(" for frame input), got ").append(vocabSize);
        }
        if (embedDim < 1) bad.append("; embedDim must be ≥ 1, got ").append(embedDim);
        if (hidden < 1) bad.append("; hidden must be ≥ 1, got ").append(hidden);
        if (layers < 1) bad.append("; layers must be ≥ 1, got ").append(layers);
        if (!(dropout >= 0f && dropout < 1f)) bad.append("; dropout must be in [0, 1), got ").append(dropout);
        if (!(embeddingDropout >= 0f && embeddingDropout < 1f)) {
            bad.append("; embeddingDropout must be in [0, 1), got ").append(embeddingDropout);
        }
        if (outputs < 1) bad.append("; outputs must be ≥ 1 (1 = binary), got ").append(outputs);
        if (paddingIdx < -1 || paddingIdx >= vocabSize) {
            bad.append("; paddingIdx must be −1 (none) or in [0, vocabSize=").append(vocabSize).append("), got ").append(paddingIdx);
        }
        if (forgetBiasOne && cell != CellType.LSTM) bad.append("; forgetBiasOne only applies to the LSTM cell, not ").append(cell);
        if (!bad.isEmpty()) throw new IllegalArgumentException("invalid model configuration: " + bad.substring(2));
    }

    /**
     * A one-layer unidirectional model with PyTorch-default initialisation: embedDim 128, hidden
     * 128, last-step pooling, no dropout, one output (binary), padding index 0.
     */
    public static ModelConfig defaults(CellType cell, int vocabSize) {
        return new ModelConfig(cell, vocabSize, 128, 128, 1, false, Pooling.LAST, 0f, 0f, 1, 0, false, false);
    }

    public ModelConfig withVocabSize(int v) { return new ModelConfig(cell, v, embedDim, hidden, layers, bidirectional, pool, dropout, embeddingDropout, outputs, paddingIdx, orthogonalRecurrent, forgetBiasOne); }
    public ModelConfig withEmbedDim(int e) { return new ModelConfig(cell, vocabSize, e, hidden, layers, bidirectional, pool, dropout, embeddingDropout, outputs, paddingIdx, orthogonalRecurrent, forgetBiasOne); }
    public ModelConfig withHidden(int h) { return new ModelConfig(cell, vocabSize, embedDim, h, layers, bidirectional, pool, dropout, embeddingDropout, outputs, paddingIdx, orthogonalRecurrent, forgetBiasOne); }
    public ModelConfig withLayers(int n) { return new ModelConfig(cell, vocabSize, embedDim, hidden, n, bidirectional, pool, dropout, embeddingDropout, outputs, paddingIdx, orthogonalRecurrent, forgetBiasOne); }
    public ModelConfig withBidirectional(boolean b) { return new ModelConfig(cell, vocabSize, embedDim, hidden, layers, b, pool, dropout, embeddingDropout, outputs, paddingIdx, orthogonalRecurrent, forgetBiasOne); }
    public ModelConfig withPool(Pooling p) { return new ModelConfig(cell, vocabSize, embedDim, hidden, layers, bidirectional, p, dropout, embeddingDropout, outputs, paddingIdx, orthogonalRecurrent, forgetBiasOne); }
    public ModelConfig withDropout(float d) { return new ModelConfig(cell, vocabSize, embedDim, hidden, layers, bidirectional, pool, d, embeddingDropout, outputs, paddingIdx, orthogonalRecurrent, forgetBiasOne); }
    public ModelConfig withEmbeddingDropout(float d) { return new ModelConfig(cell, vocabSize, embedDim, hidden, layers, bidirectional, pool, dropout, d, outputs, paddingIdx, orthogonalRecurrent, forgetBiasOne); }
    public ModelConfig withOutputs(int o) { return new ModelConfig(cell, vocabSize, embedDim, hidden, layers, bidirectional, pool, dropout, embeddingDropout, o, paddingIdx, orthogonalRecurrent, forgetBiasOne); }
    public ModelConfig withPaddingIdx(int p) { return new ModelConfig(cell, vocabSize, embedDim, hidden, layers, bidirectional, pool, dropout, embeddingDropout, outputs, p, orthogonalRecurrent, forgetBiasOne); }
    public ModelConfig withOrthogonalRecurrent(boolean o) { return new ModelConfig(cell, vocabSize, embedDim, hidden, layers, bidirectional, pool, dropout, embeddingDropout, outputs, paddingIdx, o, forgetBiasOne); }
    public ModelConfig withForgetBiasOne(boolean f) { return new ModelConfig(cell, vocabSize, embedDim, hidden, layers, bidirectional, pool, dropout, embeddingDropout, outputs, paddingIdx, orthogonalRecurrent, f); }

    /**
     * A one-layer unidirectional model over dense frames of {@code frameWidth} values: hidden 128,
     * last-step pooling, no dropout, {@code classes} outputs, no embedding.
     */
    public static ModelConfig frames(CellType cell, int frameWidth, int classes) {
        return new ModelConfig(cell, FRAME_INPUT, frameWidth, 128, 1, false, Pooling.LAST, 0f, 0f, classes, -1, false, false);
    }

    /** True for a model over dense frames ({@code vocabSize == FRAME_INPUT}). */
    public boolean readsFrames() { return vocabSize == FRAME_INPUT; }

    /** 2 when bidirectional, else 1. */
    public int directions() { return bidirectional ? 2 : 1; }

    /** Width of the recurrent outputs: directions × hidden. */
    public int featureSize() { return directions() * hidden; }

    /** The command-line name of a cell type: rnn, rnn_relu, lstm, gru. */
    public static String cellId(CellType c) {
        return switch (c) {
            case RNN_TANH -> "rnn";
            case RNN_RELU -> "rnn_relu";
            case LSTM -> "lstm";
            case GRU -> "gru";
        };
    }

    /** Parses rnn (= rnn_tanh), rnn_relu, lstm or gru, any case. */
    public static CellType parseCell(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "rnn", "rnn_tanh", "tanh" -> CellType.RNN_TANH;
            case "rnn_relu", "relu" -> CellType.RNN_RELU;
            case "lstm" -> CellType.LSTM;
            case "gru" -> CellType.GRU;
            default -> throw new IllegalArgumentException("unknown cell type '" + s + "': use rnn, rnn_relu, lstm or gru");
        };
    }

    /** The configuration as flat metadata entries {@code recur.model.<field>}. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(META_PREFIX + "cell", cellId(cell));
        m.put(META_PREFIX + "vocab_size", Integer.toString(vocabSize));
        m.put(META_PREFIX + "embed_dim", Integer.toString(embedDim));
        m.put(META_PREFIX + "hidden", Integer.toString(hidden));
        m.put(META_PREFIX + "layers", Integer.toString(layers));
        m.put(META_PREFIX + "bidirectional", Boolean.toString(bidirectional));
        m.put(META_PREFIX + "pool", pool.id());
        m.put(META_PREFIX + "dropout", Float.toString(dropout));
        m.put(META_PREFIX + "embedding_dropout", Float.toString(embeddingDropout));
        m.put(META_PREFIX + "outputs", Integer.toString(outputs));
        m.put(META_PREFIX + "padding_idx", Integer.toString(paddingIdx));
        m.put(META_PREFIX + "orthogonal_recurrent", Boolean.toString(orthogonalRecurrent));
        m.put(META_PREFIX + "forget_bias_one", Boolean.toString(forgetBiasOne));
        return m;
    }

    /** Rebuilds a configuration from {@link #toMetadata()} entries; a clear error names a missing or bad key. */
    public static ModelConfig fromMetadata(Map<String, String> meta) {
        MetadataReader r = new MetadataReader(meta, META_PREFIX);
        return new ModelConfig(parseCell(r.get("cell")), r.integer("vocab_size"), r.integer("embed_dim"), r.integer("hidden"),
                r.integer("layers"), r.bool("bidirectional"), Pooling.parse(r.get("pool")), r.real("dropout"),
                r.real("embedding_dropout"), r.integer("outputs"), r.integer("padding_idx"),
                r.bool("orthogonal_recurrent"), r.bool("forget_bias_one"));
    }
}
