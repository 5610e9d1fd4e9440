package dev.recur.app.tag;

import java.util.List;

/**
 * One sentence of a CoNLL file: its words and the tags of the chosen column.
 *
 * @param words the tokens, as written
 * @param tags  one tag per token (a POS tag or an IOB2 chunk tag)
 * @param line  the file line of the first token, for messages
 */
public record Sentence(List<String> words, List<String> tags, int line) {
    public Sentence {
        if (words.size() != tags.size()) throw new IllegalArgumentException("words and tags differ in length");
        words = List.copyOf(words);
        tags = List.copyOf(tags);
    }

    public int length() { return words.size(); }
}
