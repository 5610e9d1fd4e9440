package dev.recur.layers.model;

import dev.recur.layers.rnn.CellType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The architecture of a {@link CharLanguageModel}: {@code Embedding(vocabSize, embedDim) →
 * cell(hidden) × layers → Linear(hidden, vocabSize)}. Travels in checkpoints ({@link #toMetadata()}).
 *
 * @param cell      recurrent cell
 * @param vocabSize symbols (characters); ids in [0, vocabSize)
 * @param embedDim  embedding width
 * @param hidden    H, hidden units
 * @param layers    stacked recurrent layers
 * @param dropout   dropout between recurrent layers, in [0, 1)
 */
public record LanguageModelConfig(CellType cell, int vocabSize, int embedDim, int hidden, int layers, float dropout) {

    /** Prefix of every metadata key this record writes. */
    public static final String META_PREFIX = "recur.lm.";

    public LanguageModelConfig {
        StringBuilder bad = new StringBuilder();
        if (cell == null) bad.append("; cell type is missing (use rnn, rnn_relu, lstm or gru)");
        if (vocabSize < 2) bad.append("; vocabSize must be ≥ 2, got ").append(vocabSize);
        if (embedDim < 1) bad.append("; embedDim must be ≥ 1, got ").append(embedDim);
        if (hidden < 1) bad.append("; hidden must be ≥ 1, got ").append(hidden);
        if (layers < 1) bad.append("; layers must be ≥ 1, got ").append(layers);
        if (!(dropout >= 0f && dropout < 1f)) bad.append("; dropout must be in [0, 1), got ").append(dropout);
        if (!bad.isEmpty()) throw new IllegalArgumentException("invalid language model configuration: " + bad.substring(2));
    }

    /** The configuration as flat metadata entries {@code recur.lm.<field>}. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(META_PREFIX + "cell", ModelConfig.cellId(cell));
        m.put(META_PREFIX + "vocab_size", Integer.toString(vocabSize));
        m.put(META_PREFIX + "embed_dim", Integer.toString(embedDim));
        m.put(META_PREFIX + "hidden", Integer.toString(hidden));
        m.put(META_PREFIX + "layers", Integer.toString(layers));
        m.put(META_PREFIX + "dropout", Float.toString(dropout));
        return m;
    }

    /** Rebuilds a configuration from {@link #toMetadata()} entries; a clear error names a missing or bad key. */
    public static LanguageModelConfig fromMetadata(Map<String, String> meta) {
        MetadataReader r = new MetadataReader(meta, META_PREFIX);
        return new LanguageModelConfig(ModelConfig.parseCell(r.get("cell")), r.integer("vocab_size"), r.integer("embed_dim"),
                r.integer("hidden"), r.integer("layers"), r.real("dropout"));
    }
}
