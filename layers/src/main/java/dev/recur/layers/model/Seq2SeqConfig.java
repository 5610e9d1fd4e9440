package dev.recur.layers.model;

import dev.recur.layers.AttentionScore;
import dev.recur.layers.rnn.CellType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The shape and training options of a {@link Seq2Seq} encoder–decoder. Immutable; checked on
 * construction with one-line messages.
 *
 * @param cell           LSTM or GRU, for the encoder and the decoder
 * @param sourceVocab    source vocabulary size (id 0 is padding)
 * @param targetVocab    target vocabulary size (id 0 is padding; {@code bos} and {@code eos} inside)
 * @param embedDim       width of both embeddings
 * @param encoderHidden  units per direction of every encoder layer
 * @param encoderLayers  stacked encoder layers (≥ 1)
 * @param bidirectional  bidirectional encoder (its two directions concatenated: keys are 2·encoderHidden wide)
 * @param decoderHidden  units of the one decoder layer
 * @param attention      the score: Luong {@code DOT} (needs keys as wide as decoderHidden), Luong
 *                       {@code GENERAL}, Bahdanau {@code ADDITIVE}
 * @param attentionDim   hidden width of the additive score (ignored, and stored as 0, otherwise)
 * @param inputFeeding   Luong's input feeding: the previous attentional state h̃ joins the decoder input
 * @param tieEmbeddings  the output projection's weight is the decoder embedding (needs embedDim == decoderHidden)
 * @param teacherForcing probability in [0, 1] that a training step reads the reference token rather
 *                       than the model's own previous argmax (1 = always; one draw per decoder step and batch)
 * @param labelSmoothing ε in [0, 1) of the cross-entropy
 * @param dropout        inverted dropout probability in [0, 1), in training only: on the source
 *                       embeddings, between stacked encoder layers, on the target embeddings and on
 *                       h̃ before the output projection (the dropped h̃ is also what input feeding reads)
 * @param bos            target id of the start symbol the decoder reads first
 * @param eos            target id of the end symbol that ends a decoded sentence
 */
public record Seq2SeqConfig(CellType cell, int sourceVocab, int targetVocab, int embedDim, int encoderHidden,
                            int encoderLayers, boolean bidirectional, int decoderHidden, AttentionScore attention,
                            int attentionDim, boolean inputFeeding, boolean tieEmbeddings, float teacherForcing,
                            float labelSmoothing, float dropout, int bos, int eos) {

    /** A configuration without dropout. */
    public Seq2SeqConfig(CellType cell, int sourceVocab, int targetVocab, int embedDim, int encoderHidden,
                         int encoderLayers, boolean bidirectional, int decoderHidden, AttentionScore attention,
                         int attentionDim, boolean inputFeeding, boolean tieEmbeddings, float teacherForcing,
                         float labelSmoothing, int bos, int eos) {
        this(cell, sourceVocab, targetVocab, embedDim, encoderHidden, encoderLayers, bidirectional, decoderHidden, attention,
                attentionDim, inputFeeding, tieEmbeddings, teacherForcing, labelSmoothing, 0f, bos, eos);
    }

    public Seq2SeqConfig {
        if (cell != CellType.LSTM && cell != CellType.GRU) {
            throw new IllegalArgumentException("an encoder–decoder uses an LSTM or a GRU, got " + cell);
        }
        if (attention == null) throw new IllegalArgumentException("an encoder–decoder needs an attention score (dot, general or additive)");
        if (sourceVocab < 2 || targetVocab < 2) {
            throw new IllegalArgumentException("vocabularies need at least 2 entries, got source " + sourceVocab + " and target " + targetVocab);
        }
        if (embedDim < 1 || encoderHidden < 1 || encoderLayers < 1 || decoderHidden < 1) {
            throw new IllegalArgumentException("embedDim, encoderHidden, encoderLayers and decoderHidden must be ≥ 1, got "
                    + embedDim + ", " + encoderHidden + ", " + encoderLayers + ", " + decoderHidden);
        }
        int keys = (bidirectional ? 2 : 1) * encoderHidden;
        if (attention == AttentionScore.DOT && keys != decoderHidden) {
            throw new IllegalArgumentException("dot attention needs encoder states (" + keys + " wide) as wide as the decoder ("
                    + decoderHidden + "); use general or additive attention, or change the sizes");
        }
        if (attention == AttentionScore.ADDITIVE) {
            if (attentionDim < 1) throw new IllegalArgumentException("additive attention needs attentionDim ≥ 1, got " + attentionDim);
        } else {
            attentionDim = 0;
        }
        if (tieEmbeddings && embedDim != decoderHidden) {
            throw new IllegalArgumentException("tied embeddings need embedDim == decoderHidden, got " + embedDim + " and " + decoderHidden);
        }
        if (!(teacherForcing >= 0f && teacherForcing <= 1f)) {
            throw new IllegalArgumentException("teacher forcing ratio must be in [0, 1], got " + teacherForcing);
        }
        if (!(labelSmoothing >= 0f && labelSmoothing < 1f)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (bos < 1 || bos >= targetVocab || eos < 1 || eos >= targetVocab || bos == eos) {
            throw new IllegalArgumentException("bos and eos must be two different target ids in [1, " + targetVocab + "), got "
                    + bos + " and " + eos);
        }
    }

    /**
     * The PyTorch tutorial's shape (bidirectional one-layer GRU encoder, additive attention, no input
     * feeding, untied) at the given sizes; ids 2 and 3 are {@code <bos>} and {@code <eos>}, as in
     * the translate task's vocabularies.
     */
    public static Seq2SeqConfig tutorial(int sourceVocab, int targetVocab, int embedDim, int hidden) {
        return new Seq2SeqConfig(CellType.GRU, sourceVocab, targetVocab, embedDim, hidden, 1, true, hidden,
                AttentionScore.ADDITIVE, hidden, false, false, 1f, 0f, 2, 3);
    }

    /** Width of the encoder states the decoder attends over. */
    public int keyDim() { return (bidirectional ? 2 : 1) * encoderHidden; }

    /** True when the decoder's initial state comes through a learned bridge (bidirectional, or widths differ). */
    public boolean hasBridge() { return bidirectional || encoderHidden != decoderHidden; }

    /** Width of the decoder cell's input: the embedding, plus h̃ with input feeding. */
    public int decoderInput() { return embedDim + (inputFeeding ? decoderHidden : 0); }

    /** The same configuration with other training options. */
    public Seq2SeqConfig withTraining(float teacherForcing, float labelSmoothing) {
        return new Seq2SeqConfig(cell, sourceVocab, targetVocab, embedDim, encoderHidden, encoderLayers, bidirectional,
                decoderHidden, attention, attentionDim, inputFeeding, tieEmbeddings, teacherForcing, labelSmoothing, dropout, bos, eos);
    }

    /** The same configuration with another dropout probability. */
    public Seq2SeqConfig withDropout(float p) {
        return new Seq2SeqConfig(cell, sourceVocab, targetVocab, embedDim, encoderHidden, encoderLayers, bidirectional,
                decoderHidden, attention, attentionDim, inputFeeding, tieEmbeddings, teacherForcing, labelSmoothing, p, bos, eos);
    }

    /** Flat metadata entries ({@code seq2seq.*}) for checkpoints; {@link #fromMetadata} reads them back. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("seq2seq.cell", cell.name().toLowerCase(Locale.ROOT));
        m.put("seq2seq.source_vocab", Integer.toString(sourceVocab));
        m.put("seq2seq.target_vocab", Integer.toString(targetVocab));
        m.put("seq2seq.embed_dim", Integer.toString(embedDim));
        m.put("seq2seq.encoder_hidden", Integer.toString(encoderHidden));
        m.put("seq2seq.encoder_layers", Integer.toString(encoderLayers));
        m.put("seq2seq.bidirectional", Boolean.toString(bidirectional));
        m.put("seq2seq.decoder_hidden", Integer.toString(decoderHidden));
        m.put("seq2seq.attention", attention.name().toLowerCase(Locale.ROOT));
        m.put("seq2seq.attention_dim", Integer.toString(attentionDim));
        m.put("seq2seq.input_feeding", Boolean.toString(inputFeeding));
        m.put("seq2seq.tie_embeddings", Boolean.toString(tieEmbeddings));
        m.put("seq2seq.teacher_forcing", Float.toString(teacherForcing));
        m.put("seq2seq.label_smoothing", Float.toString(labelSmoothing));
        m.put("seq2seq.dropout", Float.toString(dropout));
        m.put("seq2seq.bos", Integer.toString(bos));
        m.put("seq2seq.eos", Integer.toString(eos));
        return m;
    }

    /**
     * Reads {@link #toMetadata()}'s entries; a missing or malformed entry is a one-line error naming the key
     * ({@code seq2seq.dropout} may be absent: checkpoints written before it existed had no dropout).
     */
    public static Seq2SeqConfig fromMetadata(Map<String, String> m) {
        return new Seq2SeqConfig(
                choice(m, "seq2seq.cell", CellType.class, "lstm or gru"),
                integer(m, "seq2seq.source_vocab"), integer(m, "seq2seq.target_vocab"), integer(m, "seq2seq.embed_dim"),
                integer(m, "seq2seq.encoder_hidden"), integer(m, "seq2seq.encoder_layers"), bool(m, "seq2seq.bidirectional"),
                integer(m, "seq2seq.decoder_hidden"), choice(m, "seq2seq.attention", AttentionScore.class, "dot, general or additive"),
                integer(m, "seq2seq.attention_dim"), bool(m, "seq2seq.input_feeding"), bool(m, "seq2seq.tie_embeddings"),
                real(m, "seq2seq.teacher_forcing"), real(m, "seq2seq.label_smoothing"),
                m.containsKey("seq2seq.dropout") ? real(m, "seq2seq.dropout") : 0f,
                integer(m, "seq2seq.bos"), integer(m, "seq2seq.eos"));
    }

    private static String text(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) throw new IllegalArgumentException("the encoder–decoder configuration lacks " + key);
        return v.trim();
    }

    private static <E extends Enum<E>> E choice(Map<String, String> m, String key, Class<E> type, String allowed) {
        String v = text(m, key);
        for (E e : type.getEnumConstants()) if (e.name().equalsIgnoreCase(v)) return e;
        throw new IllegalArgumentException("the encoder–decoder configuration entry " + key + " is '" + v + "'; expected " + allowed);
    }

    private static int integer(Map<String, String> m, String key) {
        try {
            return Integer.parseInt(text(m, key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the encoder–decoder configuration entry " + key + " is not an integer: " + m.get(key));
        }
    }

    private static float real(Map<String, String> m, String key) {
        try {
            return Float.parseFloat(text(m, key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the encoder–decoder configuration entry " + key + " is not a number: " + m.get(key));
        }
    }

    private static boolean bool(Map<String, String> m, String key) {
        String v = text(m, key);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("the encoder–decoder configuration entry " + key + " must be true or false, got " + v);
        }
        return Boolean.parseBoolean(v);
    }
}
