package dev.recur.app.translate;

import dev.recur.app.core.AppException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Token ↔ id table of one language of a translation model. Ids 0–3 are special:
 * {@value #PAD_WORD} (padding, {@link #PAD} = 0 as everywhere in Recur), {@value #UNK_WORD} (any
 * token not in the table), {@value #BOS_WORD} (the decoder's first input) and {@value #EOS_WORD}
 * (the end of a target sentence). Then every training token that occurs at least
 * {@code minCount} times, most frequent first, ties broken by code-point order, so the table is
 * the same on every run. (The sentiment task's {@code data.Vocabulary} has only the first two
 * specials, as a classifier has no decoder.)
 */
public final class TranslationVocabulary {
    public static final int PAD = 0, UNK = 1, BOS = 2, EOS = 3;
    public static final String PAD_WORD = "<pad>", UNK_WORD = "<unk>", BOS_WORD = "<bos>", EOS_WORD = "<eos>";
    private static final List<String> SPECIALS = List.of(PAD_WORD, UNK_WORD, BOS_WORD, EOS_WORD);

    private final List<String> words;
    private final Map<String, Integer> ids;

    private TranslationVocabulary(List<String> words) {
        this.words = List.copyOf(words);
        this.ids = new HashMap<>(words.size() * 2);
        for (int i = 0; i < words.size(); i++) ids.put(words.get(i), i);
    }

    /** The table of the tokens of {@code sentences} that occur at least {@code minCount} (≥ 1) times. */
    public static TranslationVocabulary build(Collection<List<String>> sentences, int minCount) {
        if (minCount < 1) throw new IllegalArgumentException("minimum count must be at least 1, got " + minCount);
        Map<String, int[]> counts = new HashMap<>();
        for (List<String> s : sentences) for (String w : s) counts.computeIfAbsent(w, k -> new int[1])[0]++;
        List<Map.Entry<String, int[]>> entries = new ArrayList<>(counts.entrySet());
        entries.removeIf(e -> e.getValue()[0] < minCount || SPECIALS.contains(e.getKey()));
        entries.sort((a, b) -> a.getValue()[0] != b.getValue()[0]
                ? Integer.compare(b.getValue()[0], a.getValue()[0]) : a.getKey().compareTo(b.getKey()));
        List<String> words = new ArrayList<>(SPECIALS);
        for (Map.Entry<String, int[]> e : entries) words.add(e.getKey());
        return new TranslationVocabulary(words);
    }

    /** The id of {@code word}, or {@link #UNK}. */
    public int id(String word) {
        Integer id = ids.get(word);
        return id == null ? UNK : id;
    }

    /** The ids of {@code tokens}, unknown ones as {@link #UNK}. */
    public int[] ids(List<String> tokens) {
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) out[i] = id(tokens.get(i));
        return out;
    }

    public String word(int id) { return words.get(id); }

    /** Number of ids, the four specials included. */
    public int size() { return words.size(); }

    /** The words in id order, one per line (for checkpoint metadata). */
    public String serialize() { return String.join("\n", words); }

    /** Reads {@link #serialize()}'s output back; {@code where} names the source in errors. */
    public static TranslationVocabulary deserialize(String text, String where) {
        List<String> words = List.of(text.split("\n", -1));
        if (words.size() < SPECIALS.size() || !words.subList(0, SPECIALS.size()).equals(SPECIALS)) {
            throw new AppException(where + ": the stored vocabulary is damaged (it must start with <pad>, <unk>, <bos>, <eos>)");
        }
        if (words.stream().distinct().count() != words.size()) {
            throw new AppException(where + ": the stored vocabulary has duplicate words");
        }
        return new TranslationVocabulary(words);
    }
}
