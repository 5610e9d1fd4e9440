package dev.recur.app.sentiment;

import dev.recur.app.data.Review;
import dev.recur.app.data.TextEncoder;
import java.util.List;

/**
 * Reviews turned into token ids, with their labels: what training and evaluation iterate over.
 *
 * @param name      "train", "validation" or "test" (for messages)
 * @param sequences token ids per review, each of length 1 to max-len
 * @param labels    1 positive, 0 negative
 */
public record EncodedSet(String name, int[][] sequences, int[] labels) {

    /** Encodes {@code reviews} with {@code encoder}. */
    public static EncodedSet of(String name, List<Review> reviews, TextEncoder encoder) {
        int n = reviews.size();
        int[][] seqs = new int[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            seqs[i] = encoder.encode(reviews.get(i).text());
            labels[i] = reviews.get(i).label();
        }
        return new EncodedSet(name, seqs, labels);
    }

    /** Encodes already tokenized reviews (each tokenized once, for the vocabulary and for this). */
    public static EncodedSet ofTokens(String name, List<List<String>> tokens, List<Review> reviews, TextEncoder encoder) {
        int n = reviews.size();
        int[][] seqs = new int[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            seqs[i] = encoder.encodeTokens(tokens.get(i));
            labels[i] = reviews.get(i).label();
        }
        return new EncodedSet(name, seqs, labels);
    }

    public int size() { return labels.length; }

    /** Length of every sequence. */
    public int[] lengths() {
        int[] l = new int[sequences.length];
        for (int i = 0; i < l.length; i++) l[i] = sequences[i].length;
        return l;
    }

    /** Longest sequence (0 when empty). */
    public int maxLength() {
        int m = 0;
        for (int[] s : sequences) m = Math.max(m, s.length);
        return m;
    }

    /** Total tokens. */
    public long tokens() {
        long t = 0;
        for (int[] s : sequences) t += s.length;
        return t;
    }
}
