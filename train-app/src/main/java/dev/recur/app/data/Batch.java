package dev.recur.app.data;

/**
 * A batch of B sequences, time-major: {@code tokens[t·B + b]} is the id of sequence b at step t,
 * for t &lt; T = {@code lengths[0]}. Lengths are sorted non-increasing, every one ≥ 1; positions past
 * a sequence's length hold {@link Vocabulary#PAD}.
 *
 * @param steps   T, the longest length in the batch
 * @param size    B, the number of sequences
 * @param tokens  T·B ids, time-major
 * @param lengths B lengths, non-increasing
 * @param labels  B class indices
 * @param indices B positions of these sequences in the dataset they came from
 */
public record Batch(int steps, int size, int[] tokens, int[] lengths, int[] labels, int[] indices) {

    /** Id of sequence {@code b} at step {@code t}. */
    public int token(int t, int b) { return tokens[t * size + b]; }

    /** Number of real (non-padding) tokens. */
    public long realTokens() {
        long n = 0;
        for (int len : lengths) n += len;
        return n;
    }
}
