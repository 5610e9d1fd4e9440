package dev.recur.app.data;

import java.util.List;

/**
 * Turns a review into token ids: {@link Tokenizer} words, looked up in a {@link Vocabulary}, cut
 * to at most {@code maxLen} ids. A review with no words becomes the single id {@link Vocabulary#UNK}
 * (a sequence is never empty).
 */
public final class TextEncoder {

    /** Which part of a review longer than {@code maxLen} is kept. */
    public enum Truncation {
        /** Keep the first {@code maxLen} words. */
        START,
        /** Keep the last {@code maxLen} words (reviews tend to end with the verdict). */
        END
    }

    private final Tokenizer tokenizer;
    private final Vocabulary vocabulary;
    private final int maxLen;
    private final Truncation truncation;

    public TextEncoder(Tokenizer tokenizer, Vocabulary vocabulary, int maxLen, Truncation truncation) {
        if (maxLen < 1) throw new IllegalArgumentException("maxLen must be ≥ 1, got " + maxLen);
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
        this.maxLen = maxLen;
        this.truncation = truncation;
    }

    public Vocabulary vocabulary() { return vocabulary; }

    public int maxLen() { return maxLen; }

    public Truncation truncation() { return truncation; }

    /** The ids of {@code text}, length 1 to {@code maxLen}. */
    public int[] encode(String text) {
        return encodeTokens(tokenizer.tokenize(text));
    }

    /** The ids of already tokenized words, cut as configured. */
    public int[] encodeTokens(List<String> words) {
        if (words.isEmpty()) return new int[] {Vocabulary.UNK};
        int n = Math.min(maxLen, words.size());
        int from = truncation == Truncation.START ? 0 : words.size() - n;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = vocabulary.id(words.get(from + i));
        return ids;
    }
}
