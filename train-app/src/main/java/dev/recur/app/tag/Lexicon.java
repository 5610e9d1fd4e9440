package dev.recur.app.tag;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Strings with ids: id 0 is padding, id 1 the unknown string, then the strings seen at least
 * {@code minCount} times, most frequent first (ties in first-seen order). Stored in a checkpoint
 * as {@link #entries()} and rebuilt with {@link #of(List)}.
 */
public final class Lexicon {
    public static final int PAD = 0;
    public static final int UNK = 1;
    public static final String PAD_TOKEN = "<pad>";
    public static final String UNK_TOKEN = "<unk>";

    private final List<String> entries;
    private final Map<String, Integer> ids;

    private Lexicon(List<String> entries) {
        this.entries = List.copyOf(entries);
        this.ids = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            if (ids.putIfAbsent(entries.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate vocabulary entry '" + entries.get(i) + "'");
            }
        }
    }

    /** Counts {@code strings} and keeps those seen at least {@code minCount} times. */
    public static Lexicon build(Collection<String> strings, int minCount) {
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (String s : strings) counts.merge(s, 1, Integer::sum);
        List<String> kept = new ArrayList<>();
        for (var e : counts.entrySet()) if (e.getValue() >= minCount) kept.add(e.getKey());
        kept.sort((a, b) -> Integer.compare(counts.get(b), counts.get(a))); // stable: ties keep first-seen order
        List<String> all = new ArrayList<>(List.of(PAD_TOKEN, UNK_TOKEN));
        for (String s : kept) if (!s.equals(PAD_TOKEN) && !s.equals(UNK_TOKEN)) all.add(s);
        return new Lexicon(all);
    }

    /** A lexicon with exactly these entries (the first two must be padding and unknown). */
    public static Lexicon of(List<String> entries) {
        if (entries.size() < 2 || !entries.get(0).equals(PAD_TOKEN) || !entries.get(1).equals(UNK_TOKEN)) {
            throw new IllegalArgumentException("stored vocabulary must start with " + PAD_TOKEN + " and " + UNK_TOKEN);
        }
        return new Lexicon(entries);
    }

    /** The id of {@code s}, or {@link #UNK}. */
    public int id(String s) {
        Integer id = ids.get(s);
        return id == null ? UNK : id;
    }

    public boolean contains(String s) { return ids.containsKey(s); }

    public String get(int id) { return entries.get(id); }

    public int size() { return entries.size(); }

    public List<String> entries() { return entries; }
}
