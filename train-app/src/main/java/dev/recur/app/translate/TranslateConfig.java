package dev.recur.app.translate;

import dev.recur.app.core.AppException;
import dev.recur.layers.model.Seq2SeqConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a translation model is, as its checkpoint records it: the encoder–decoder's shape
 * ({@link Seq2SeqConfig}, keys {@code seq2seq.*}), the two vocabularies and the tokenizer settings
 * (keys {@code translate.*}), so a checkpoint alone translates new text the way the model was
 * trained.
 *
 * @param model     the encoder–decoder's configuration
 * @param source    the source vocabulary
 * @param target    the target vocabulary
 * @param lowerCase whether the tokenizer lower-cases
 * @param maxLength the longest side (in tokens) a training pair had; decoding stops at it
 */
public record TranslateConfig(Seq2SeqConfig model, TranslationVocabulary source, TranslationVocabulary target,
                              boolean lowerCase, int maxLength) {
    public static final String K_SOURCE_VOCAB = "translate.source_vocab", K_TARGET_VOCAB = "translate.target_vocab",
            K_TOKENIZER = "translate.tokenizer", K_LOWERCASE = "translate.lowercase", K_MAX_LENGTH = "translate.max_length";

    /** The tokenizer the model was trained with. */
    public TranslationTokenizer tokenizer() { return new TranslationTokenizer(lowerCase); }

    /** The checkpoint metadata of this configuration. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>(model.toMetadata());
        m.put(K_TOKENIZER, TranslationTokenizer.NAME);
        m.put(K_LOWERCASE, Boolean.toString(lowerCase));
        m.put(K_MAX_LENGTH, Integer.toString(maxLength));
        m.put(K_SOURCE_VOCAB, source.serialize());
        m.put(K_TARGET_VOCAB, target.serialize());
        return m;
    }

    /** Reads {@link #toMetadata()}'s keys back; {@code where} names the file in errors. */
    public static TranslateConfig fromMetadata(Map<String, String> m, String where) {
        Seq2SeqConfig model;
        try {
            model = Seq2SeqConfig.fromMetadata(m);
        } catch (IllegalArgumentException e) {
            throw new AppException("checkpoint '" + where + "': " + e.getMessage() + "; the file is damaged or was not written by translate");
        }
        String tok = need(m, K_TOKENIZER, where);
        if (!TranslationTokenizer.NAME.equals(tok)) {
            throw new AppException("checkpoint '" + where + "' was trained with tokenizer " + tok + ", not " + TranslationTokenizer.NAME
                    + " of this train-app; use the train-app version that wrote it");
        }
        String lower = need(m, K_LOWERCASE, where);
        if (!lower.equals("true") && !lower.equals("false")) throw damaged(where, K_LOWERCASE);
        int maxLength;
        try {
            maxLength = Integer.parseInt(need(m, K_MAX_LENGTH, where));
        } catch (NumberFormatException e) {
            throw damaged(where, K_MAX_LENGTH);
        }
        if (maxLength < 1) throw damaged(where, K_MAX_LENGTH);
        TranslationVocabulary src = TranslationVocabulary.deserialize(need(m, K_SOURCE_VOCAB, where), "checkpoint '" + where + "'");
        TranslationVocabulary tgt = TranslationVocabulary.deserialize(need(m, K_TARGET_VOCAB, where), "checkpoint '" + where + "'");
        if (src.size() != model.sourceVocab() || tgt.size() != model.targetVocab()) {
            throw new AppException("checkpoint '" + where + "': its vocabularies (" + src.size() + " and " + tgt.size()
                    + " words) do not match the model's (" + model.sourceVocab() + " and " + model.targetVocab() + "); the file is damaged");
        }
        return new TranslateConfig(model, src, tgt, Boolean.parseBoolean(lower), maxLength);
    }

    private static String need(Map<String, String> m, String key, String where) {
        String v = m.get(key);
        if (v == null) {
            throw new AppException("checkpoint '" + where + "' lacks " + key + "; the file is incomplete or was not written by translate");
        }
        return v;
    }

    private static AppException damaged(String where, String key) {
        return new AppException("checkpoint '" + where + "' has a damaged " + key + " entry; the file is damaged");
    }
}
