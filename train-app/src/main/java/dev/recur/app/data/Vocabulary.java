package dev.recur.app.data;

import dev.recur.app.core.AppException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Word ↔ id table: id {@value #PAD} is padding ({@code <pad>}), id {@value #UNK} is any word not in
 * the table ({@code <unk>}), and ids 2, 3, … are the most frequent training words, most frequent
 * first (ties broken alphabetically, so the table is the same on every run).
 */
public final class Vocabulary {
    public static final int PAD = 0;
    public static final int UNK = 1;
    public static final String PAD_WORD = "<pad>";
    public static final String UNK_WORD = "<unk>";

    private final List<String> words;
    private final Map<String, Integer> ids;

    private Vocabulary(List<String> words) {
        this.words = List.copyOf(words);
        this.ids = new HashMap<>(words.size() * 2);
        for (int i = 0; i < words.size(); i++) ids.put(words.get(i), i);
    }

    /**
     * Builds the table from tokenized training documents: the {@code size - 2} most frequent words
     * (size counts the two special ids, as Keras' {@code num_words} does) that occur at least
     * {@code minCount} times.
     */
    public static Vocabulary build(Collection<List<String>> documents, int size, int minCount) {
        Map<String, Long> counts = new HashMap<>();
        for (List<String> doc : documents) {
            for (String w : doc) counts.merge(w, 1L, Long::sum);
        }
        return fromCounts(counts, size, minCount);
    }

    /**
     * The table {@link #build} makes, from word counts already gathered (for instance summed over a
     * cluster's partitions): the {@code size - 2} most frequent words with at least {@code minCount}
     * occurrences, ties broken alphabetically.
     */
    public static Vocabulary fromCounts(Map<String, Long> counts, int size, int minCount) {
        if (size < 3) throw new IllegalArgumentException("vocabulary size must be at least 3, got " + size);
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.removeIf(e -> e.getValue() < minCount);
        entries.sort((a, b) -> !a.getValue().equals(b.getValue())
                ? Long.compare(b.getValue(), a.getValue()) : a.getKey().compareTo(b.getKey()));
        List<String> words = new ArrayList<>(Math.min(size, entries.size() + 2));
        words.add(PAD_WORD);
        words.add(UNK_WORD);
        for (int i = 0; i < entries.size() && words.size() < size; i++) words.add(entries.get(i).getKey());
        return new Vocabulary(words);
    }

    /** The id of {@code word}, or {@link #UNK}. */
    public int id(String word) {
        Integer id = ids.get(word);
        return id == null ? UNK : id;
    }

    public String word(int id) { return words.get(id); }

    /** Number of ids, the two special ones included. */
    public int size() { return words.size(); }

    /** The words in id order, one per line (for checkpoint metadata). */
    public String serialize() { return String.join("\n", words); }

    /** Reads {@link #serialize()}'s output back. */
    public static Vocabulary deserialize(String text, String where) {
        List<String> words = List.of(text.split("\n", -1));
        if (words.size() < 2 || !words.get(PAD).equals(PAD_WORD) || !words.get(UNK).equals(UNK_WORD)) {
            throw new AppException(where + ": the stored vocabulary is damaged (it must start with <pad> and <unk>)");
        }
        if (words.stream().distinct().count() != words.size()) {
            throw new AppException(where + ": the stored vocabulary has duplicate words");
        }
        return new Vocabulary(words);
    }
}
