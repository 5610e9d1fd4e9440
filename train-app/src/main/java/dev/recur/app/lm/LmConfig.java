package dev.recur.app.lm;

import dev.recur.app.data.CharVocabulary;
import dev.recur.app.core.AppException;
import dev.recur.app.run.Choices;
import dev.recur.layers.rnn.CellType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of a character language model: embedding → stacked recurrent layers → linear layer
 * over the characters. Travels in the checkpoint's metadata, with the vocabulary, so
 * {@code sample} needs only the checkpoint.
 */
public record LmConfig(CellType cell, int layers, int hidden, int embed, float dropout, long seed,
                       CharVocabulary vocabulary) {
    public LmConfig {
        if (layers < 1 || hidden < 1 || embed < 1) {
            throw AppException.usage("--layers, --hidden and --embed must be at least 1, got " + layers + ", "
                    + hidden + ", " + embed);
        }
        if (!(dropout >= 0 && dropout < 1)) throw AppException.usage("--dropout must be in [0, 1), got " + dropout);
    }

    /** The metadata entries ({@code lm.*}) that describe this model. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("lm.cell", cell.name());
        m.put("lm.layers", Integer.toString(layers));
        m.put("lm.hidden", Integer.toString(hidden));
        m.put("lm.embed", Integer.toString(embed));
        m.put("lm.dropout", Float.toString(dropout));
        m.put("lm.seed", Long.toString(seed));
        m.put("lm.vocabulary", vocabulary.asString());
        return m;
    }

    /** Reads the configuration back; {@code where} names the checkpoint in errors. */
    public static LmConfig fromMetadata(Map<String, String> m, String where) {
        try {
            return new LmConfig(Choices.storedCell(m.get("lm.cell"), where), Integer.parseInt(m.get("lm.layers")),
                    Integer.parseInt(m.get("lm.hidden")), Integer.parseInt(m.get("lm.embed")),
                    Float.parseFloat(m.get("lm.dropout")), Long.parseLong(m.get("lm.seed")),
                    CharVocabulary.fromString(m.get("lm.vocabulary")));
        } catch (RuntimeException e) {
            throw new AppException(where + ": damaged language-model metadata (" + AppException.plain(e.getMessage()) + ")", e);
        }
    }

    /** e.g. "2×LSTM(256)". */
    public String describe() {
        return layers + "×" + cell.name().toLowerCase(Locale.ROOT) + "(" + hidden + "), embed " + embed
                + ", " + vocabulary.size() + " characters";
    }
}
