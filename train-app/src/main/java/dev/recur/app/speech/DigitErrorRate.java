package dev.recur.app.speech;

/**
 * Digit error rate: the edit distance (substitutions, insertions, deletions, each cost 1) between
 * the decoded and the reference digit strings, summed over utterances and divided by the number of
 * reference digits — the word error rate of a digit recogniser. Also counts whole strings right.
 */
public final class DigitErrorRate {
    private long errors, reference, utterances, exact;

    /** Levenshtein distance between two label sequences. */
    public static int editDistance(int[] hyp, int[] ref) {
        int[] prev = new int[ref.length + 1], cur = new int[ref.length + 1];
        for (int j = 0; j <= ref.length; j++) prev[j] = j;
        for (int i = 1; i <= hyp.length; i++) {
            cur[0] = i;
            for (int j = 1; j <= ref.length; j++) {
                int sub = prev[j - 1] + (hyp[i - 1] == ref[j - 1] ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[ref.length];
    }

    /** Adds one utterance. */
    public void add(int[] hyp, int[] ref) {
        int d = editDistance(hyp, ref);
        errors += d;
        reference += ref.length;
        utterances++;
        if (d == 0) exact++;
    }

    /** Errors per reference digit (0 with no reference digit). */
    public double rate() { return reference == 0 ? 0 : (double) errors / reference; }

    /** Fraction of utterances decoded exactly. */
    public double stringAccuracy() { return utterances == 0 ? 0 : (double) exact / utterances; }

    public long errors() { return errors; }

    public long referenceDigits() { return reference; }

    public long utterances() { return utterances; }
}
