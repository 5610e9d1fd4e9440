package dev.recur.app.tag;

import java.util.List;

/**
 * One sentence of a CoNLL file: its words, their POS tags (the second column, an input feature
 * for chunking as in the CoNLL-2000 shared task) and the tags of the chosen column.
 *
 * @param words the tokens, as written
 * @param pos   the POS column, one per token
 * @param tags  one tag per token (a POS tag or an IOB2 chunk tag)
 * @param line  the file line of the first token, for messages
 */
public record Sentence(List<String> words, List<String> pos, List<String> tags, int line) {
    public Sentence {
        if (words.size() != tags.size() || words.size() != pos.size()) {
            throw new IllegalArgumentException("words, POS and tags differ in length");
        }
        words = List.copyOf(words);
        pos = List.copyOf(pos);
        tags = List.copyOf(tags);
    }

    public int length() { return words.size(); }
}
