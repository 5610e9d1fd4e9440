package dev.recur.app.tag;

import dev.recur.app.core.AppException;
import dev.recur.app.run.Choices;
import dev.recur.layers.rnn.CellType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a tagger and every vocabulary it needs, stored in the checkpoint's metadata so that
 * evaluation needs only the checkpoint: lower-cased words, word shapes, suffixes, POS tags (an
 * input feature when predicting chunks) and the output tags.
 */
public record TagConfig(ConllReader.Column column, CellType cell, int layers, int hidden, int wordDim,
                        int featureDim, boolean usePos, float dropout, long seed,
                        Lexicon words, Lexicon shapes, Lexicon suffixes, Lexicon posTags, List<String> tags) {
    private static final String SEP = "\n";

    public TagConfig {
        tags = List.copyOf(tags);
    }

    /** Width of a token's input vector: word + shape + suffix (+ POS) embeddings. */
    public int inputSize() { return wordDim + 2 * featureDim + (usePos ? featureDim : 0); }

    /** Id of tag {@code t}, or -1. */
    public int tagId(String t) { return tags.indexOf(t); }

    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("tag.column", column.name());
        m.put("tag.cell", cell.name());
        m.put("tag.layers", Integer.toString(layers));
        m.put("tag.hidden", Integer.toString(hidden));
        m.put("tag.word_dim", Integer.toString(wordDim));
        m.put("tag.feature_dim", Integer.toString(featureDim));
        m.put("tag.use_pos", Boolean.toString(usePos));
        m.put("tag.dropout", Float.toString(dropout));
        m.put("tag.seed", Long.toString(seed));
        m.put("tag.words", String.join(SEP, words.entries()));
        m.put("tag.shapes", String.join(SEP, shapes.entries()));
        m.put("tag.suffixes", String.join(SEP, suffixes.entries()));
        m.put("tag.pos", String.join(SEP, posTags.entries()));
        m.put("tag.tags", String.join(SEP, tags));
        return m;
    }

    public static TagConfig fromMetadata(Map<String, String> m, String where) {
        try {
            return new TagConfig(ConllReader.Column.parse(m.get("tag.column")), Choices.storedCell(m.get("tag.cell"), where),
                    Integer.parseInt(m.get("tag.layers")), Integer.parseInt(m.get("tag.hidden")),
                    Integer.parseInt(m.get("tag.word_dim")), Integer.parseInt(m.get("tag.feature_dim")),
                    Boolean.parseBoolean(m.get("tag.use_pos")), Float.parseFloat(m.get("tag.dropout")),
                    Long.parseLong(m.get("tag.seed")), lex(m, "tag.words"), lex(m, "tag.shapes"),
                    lex(m, "tag.suffixes"), lex(m, "tag.pos"), Arrays.asList(m.get("tag.tags").split(SEP, -1)));
        } catch (RuntimeException e) {
            throw new AppException(where + ": damaged tagger metadata (" + AppException.plain(e.getMessage()) + ")", e);
        }
    }

    private static Lexicon lex(Map<String, String> m, String key) {
        return Lexicon.of(Arrays.asList(m.get(key).split(SEP, -1)));
    }
}
