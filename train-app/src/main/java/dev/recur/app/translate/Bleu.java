package dev.recur.app.translate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU-4 (Papineni et al. 2002) on tokenized text, one reference per sentence, computed
 * as sacreBLEU's {@code corpus_bleu(hyps, [refs], tokenize='none', force=True)} does:
 *
 * <pre>
 *   p_n  = Σ_sentences Σ_{n-grams g of the hypothesis} min(count_hyp(g), count_ref(g))
 *          / Σ_sentences (number of n-grams of the hypothesis)            n = 1 … 4
 *   BP   = 1 if c ≥ r, else exp(1 − r/c)      (c, r: hypothesis and reference tokens over the corpus; 0 if c = 0)
 *   BLEU = 100 · BP · exp(¼ Σ_n log p_n)
 * </pre>
 *
 * With sacreBLEU's default smoothing ({@code 'exp'}, mteval-v13a's): an order with no matching
 * n-gram gets {@code p_n = 1 / (2^k · total_n)}, k counting such orders from 1; no match of any
 * order, or an order with no n-grams at all (every hypothesis shorter than n), gives 0. On a real
 * corpus every order has matches and the score is the unsmoothed one.
 */
public final class Bleu {
    /** The highest n-gram order. */
    public static final int ORDER = 4;

    private final long[] matches = new long[ORDER];
    private final long[] totals = new long[ORDER];
    private long hypothesisLength, referenceLength;

    /** Adds one sentence's statistics. */
    public void add(List<String> hypothesis, List<String> reference) {
        hypothesisLength += hypothesis.size();
        referenceLength += reference.size();
        for (int n = 1; n <= ORDER; n++) {
            Map<List<String>, int[]> ref = counts(reference, n);
            Map<List<String>, int[]> hyp = counts(hypothesis, n);
            long match = 0;
            for (Map.Entry<List<String>, int[]> e : hyp.entrySet()) {
                int[] r = ref.get(e.getKey());
                if (r != null) match += Math.min(e.getValue()[0], r[0]);
            }
            matches[n - 1] += match;
            totals[n - 1] += Math.max(0, hypothesis.size() - n + 1);
        }
    }

    private static Map<List<String>, int[]> counts(List<String> tokens, int n) {
        Map<List<String>, int[]> c = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) c.computeIfAbsent(tokens.subList(i, i + n), k -> new int[1])[0]++;
        return c;
    }

    /** Corpus BLEU of {@code hypotheses} against {@code references} (same order and count), 0–100. */
    public static double corpus(List<List<String>> hypotheses, List<List<String>> references) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses for " + references.size() + " references");
        }
        Bleu b = new Bleu();
        for (int i = 0; i < hypotheses.size(); i++) b.add(hypotheses.get(i), references.get(i));
        return b.score();
    }

    /** The score of the sentences added so far, 0–100. */
    public double score() {
        double bp = hypothesisLength >= referenceLength ? 1 : hypothesisLength == 0 ? 0
                : Math.exp(1 - (double) referenceLength / hypothesisLength);
        boolean any = false;
        for (long m : matches) any |= m > 0;
        if (!any) return 0;
        double logSum = 0, smooth = 1;
        for (int n = 0; n < ORDER; n++) {
            if (totals[n] == 0) return 0;
            double p;
            if (matches[n] == 0) {
                smooth *= 2;
                p = 1 / (smooth * totals[n]);
            } else {
                p = (double) matches[n] / totals[n];
            }
            logSum += Math.log(p);
        }
        return 100 * bp * Math.exp(logSum / ORDER);
    }

    /** Clipped matches of order n (1 … 4) so far. */
    public long matches(int n) { return matches[n - 1]; }

    /** Hypothesis n-grams of order n so far. */
    public long totals(int n) { return totals[n - 1]; }

    /** The brevity penalty of the sentences so far. */
    public double brevityPenalty() {
        return hypothesisLength >= referenceLength ? 1 : hypothesisLength == 0 ? 0 : Math.exp(1 - (double) referenceLength / hypothesisLength);
    }
}
