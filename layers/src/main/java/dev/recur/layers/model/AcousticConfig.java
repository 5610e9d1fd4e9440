package dev.recur.layers.model;

import java.util.LinkedHashMap;
import java.util.Map;
import dev.recur.layers.rnn.CellType;

/**
 * The architecture of a {@link CtcAcousticModel}: frames of {@code frameSize} reals → recurrent
 * stack → per-frame Linear over {@code outputs} classes, class 0 the CTC blank. Travels in
 * checkpoints ({@link #toMetadata()}).
 *
 * @param frameSize    F, reals per input frame (e.g. 13 MFCCs or 40 log-mel energies)
 * @param cell         recurrent cell
 * @param hidden       H, hidden units per direction
 * @param layers       stacked recurrent layers
 * @param bidirectional add a reverse direction (outputs concatenated, 2H wide)
 * @param inputDropout dropout on the frames, in [0, 1)
 * @param dropout      dropout between recurrent layers, in [0, 1)
 * @param headDropout  dropout on the recurrent outputs entering the output layer, in [0, 1)
 * @param outputs      classes including the blank (labels + 1, ≥ 2)
 * @param rnnName      module name of the recurrent stack (parameter prefix), e.g. {@code lstm}
 */
public record AcousticConfig(int frameSize, CellType cell, int hidden, int layers, boolean bidirectional,
                             float inputDropout, float dropout, float headDropout, int outputs, String rnnName) {

    /** Prefix of every metadata key this record writes. */
    public static final String META_PREFIX = "recur.acoustic.";

    public AcousticConfig {
        StringBuilder bad = new StringBuilder();
        if (frameSize < 1) bad.append("; frameSize must be ≥ 1, got ").append(frameSize);
        if (cell == null) bad.append("; cell type is missing (use rnn, rnn_relu, lstm or gru)");
        if (hidden < 1) bad.append("; hidden must be ≥ 1, got ").append(hidden);
        if (layers < 1) bad.append("; layers must be ≥ 1, got ").append(layers);
        for (float p : new float[] {inputDropout, dropout, headDropout}) {
            if (!(p >= 0f && p < 1f)) bad.append("; dropout probabilities must be in [0, 1), got ").append(p);
        }
        if (outputs < 2) bad.append("; a CTC model needs outputs ≥ 2 (the blank and at least one label), got ").append(outputs);
        if (rnnName == null || rnnName.isBlank() || rnnName.contains(".") || rnnName.equals("fc")) {
            bad.append("; rnnName must be a plain name such as 'lstm'");
        }
        if (!bad.isEmpty()) throw new IllegalArgumentException("invalid acoustic model configuration: " + bad.substring(2));
    }

    public int directions() { return bidirectional ? 2 : 1; }

    /** Width of the recurrent outputs: directions × hidden. */
    public int featureSize() { return directions() * hidden; }

    /** The configuration as flat metadata entries {@code recur.acoustic.<field>}. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(META_PREFIX + "frame_size", Integer.toString(frameSize));
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
    public static AcousticConfig fromMetadata(Map<String, String> meta) {
        MetadataReader r = new MetadataReader(meta, META_PREFIX);
        return new AcousticConfig(r.integer("frame_size"), ModelConfig.parseCell(r.get("cell")), r.integer("hidden"),
                r.integer("layers"), r.bool("bidirectional"), r.real("input_dropout"), r.real("dropout"), r.real("head_dropout"),
                r.integer("outputs"), r.get("rnn_name"));
    }
}
