package dev.recur.layers.model;

import dev.recur.layers.RecurrentStack;
import dev.recur.layers.rnn.CellType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The architecture of a {@link SequenceTagger}: the embedded input features, the recurrent stack and
 * the per-step output layer. Travels in checkpoints ({@link #toMetadata()}).
 *
 * @param features     the embedding tables, one per batch feature (feature k of the {@link Batch} is
 *                     looked up in table k; the vectors are concatenated in this order)
 * @param cell         recurrent cell
 * @param hidden       H, hidden units per direction
 * @param layers       stacked recurrent layers
 * @param bidirectional add a reverse direction (outputs concatenated, 2H wide)
 * @param inputDropout dropout on the concatenated embeddings, in [0, 1)
 * @param dropout      dropout between recurrent layers, in [0, 1)
 * @param headDropout  dropout on the recurrent outputs entering the output layer, in [0, 1)
 * @param outputs      number of tags (≥ 2)
 * @param rnnName      module name of the recurrent stack (parameter prefix), e.g. {@code lstm}
 */
public record TaggerConfig(List<Feature> features, CellType cell, int hidden, int layers, boolean bidirectional,
                           float inputDropout, float dropout, float headDropout, int outputs, String rnnName) {

    /** Prefix of every metadata key this record writes. */
    public static final String META_PREFIX = "recur.tagger.";

    /**
     * One embedded input feature: table {@code <name>.weight} of {@code vocabSize × dim}, with a
     * padding row ({@code -1} for none) that stays zero.
     */
    public record Feature(String name, int vocabSize, int dim, int paddingIdx) {
        public Feature {
            if (name == null || name.isBlank() || name.contains(".") || name.contains(":") || name.contains(",")) {
                throw new IllegalArgumentException("invalid feature name '" + name + "': use a plain word such as 'word'");
            }
            if (vocabSize < 1 || dim < 1) {
                throw new IllegalArgumentException("feature " + name + ": vocabSize and dim must be ≥ 1, got " + vocabSize + " and " + dim);
            }
            if (paddingIdx < -1 || paddingIdx >= vocabSize) {
                throw new IllegalArgumentException("feature " + name + ": paddingIdx must be −1 or in [0, " + vocabSize + "), got " + paddingIdx);
            }
        }
    }

    public TaggerConfig {
        features = List.copyOf(features);
        StringBuilder bad = new StringBuilder();
        if (features.isEmpty()) bad.append("; at least one input feature is needed");
        if (cell == null) bad.append("; cell type is missing (use rnn, rnn_relu, lstm or gru)");
        if (hidden < 1) bad.append("; hidden must be ≥ 1, got ").append(hidden);
        if (layers < 1) bad.append("; layers must be ≥ 1, got ").append(layers);
        for (float p : new float[] {inputDropout, dropout, headDropout}) {
            if (!(p >= 0f && p < 1f)) bad.append("; dropout probabilities must be in [0, 1), got ").append(p);
        }
        if (outputs < 2) bad.append("; a tagger needs outputs ≥ 2 (number of tags), got ").append(outputs);
        if (rnnName == null || rnnName.isBlank() || rnnName.contains(".")) bad.append("; rnnName must be a plain name such as 'lstm'");
        List<String> names = new ArrayList<>();
        for (Feature f : features) {
            if (names.contains(f.name()) || f.name().equals(rnnName) || f.name().equals("fc")) {
                bad.append("; module name ").append(f.name()).append(" is used twice");
            }
            names.add(f.name());
        }
        if (!bad.isEmpty()) throw new IllegalArgumentException("invalid tagger configuration: " + bad.substring(2));
    }

    /** One token feature ({@code embedding}, padding 0), no dropout, the recurrent stack named after the cell. */
    public static TaggerConfig of(CellType cell, int vocabSize, int embedDim, int hidden, boolean bidirectional, int tags) {
        return new TaggerConfig(List.of(new Feature("embedding", vocabSize, embedDim, 0)), cell, hidden, 1, bidirectional,
                0f, 0f, 0f, tags, RecurrentStack.defaultName(cell));
    }

    /** Width of the concatenated embeddings (the recurrent input size). */
    public int inputSize() {
        int w = 0;
        for (Feature f : features) w += f.dim();
        return w;
    }

    public int directions() { return bidirectional ? 2 : 1; }

    /** Width of the recurrent outputs: directions × hidden. */
    public int featureSize() { return directions() * hidden; }

    /** The configuration as flat metadata entries {@code recur.tagger.<field>}. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        StringBuilder fs = new StringBuilder();
        for (Feature f : features) {
            if (!fs.isEmpty()) fs.append(',');
            fs.append(f.name()).append(':').append(f.vocabSize()).append(':').append(f.dim()).append(':').append(f.paddingIdx());
        }
        m.put(META_PREFIX + "features", fs.toString());
        m.put(META_PREFIX + "cell", ModelConfig.cellId(cell));
        m.put(META_PREFIX + "hidden", Integer.toString(hidden));
        m.put(META_PREFIX + "layers", Integer.toString(layers));
        m.put(META_PREFIX + "bidirectional", Boolean.toString(bidirectional));
        m.put(META_PREFIX + "input_dropout", Float.toString(inputDropout));
        m.put(META_PREFIX + "dropout", Float.toString(dropout));
        m.put(META_PREFIX + "head_dropout", Float.toString(headDropout));
        m.put(META_PREFIX + "outputs", Integer.toString(outputs));
        m.put(META_PREFIX + "rnn_name", rnnName);
        return m;
    }

    /** Rebuilds a configuration from {@link #toMetadata()} entries; a clear error names a missing or bad key. */
    public static TaggerConfig fromMetadata(Map<String, String> meta) {
        MetadataReader r = new MetadataReader(meta, META_PREFIX);
        List<Feature> features = new ArrayList<>();
        for (String f : r.get("features").split(",")) {
            String[] p = f.split(":");
            if (p.length != 4) throw new IllegalArgumentException("metadata " + META_PREFIX + "features has a bad entry '" + f + "'");
            try {
                features.add(new Feature(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("metadata " + META_PREFIX + "features has a bad entry '" + f + "'");
            }
        }
        return new TaggerConfig(features, ModelConfig.parseCell(r.get("cell")), r.integer("hidden"), r.integer("layers"),
                r.bool("bidirectional"), r.real("input_dropout"), r.real("dropout"), r.real("head_dropout"),
                r.integer("outputs"), r.get("rnn_name"));
    }
}
