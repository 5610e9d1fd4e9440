package dev.recur.app.tag;

import dev.recur.layers.loss.SoftmaxCrossEntropyLoss;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Sentences turned into ids and grouped into padded, time-major batches. Sentences are sorted by
 * length so that a batch holds sentences of similar length (little padding) and each batch is in
 * non-increasing length order, as the recurrent layer requires. Training shuffles the order of
 * the batches every epoch (seeded).
 */
public final class TagBatches {
    /** One batch: time-major {@code [T][B]} ids, lengths non-increasing, targets -100 on padding. */
    public record Batch(int steps, int size, int[] lengths, int[] words, int[] shapes, int[] suffixes, int[] pos,
                        int[] targets, int[] sentence) { }

    private final List<Batch> batches = new ArrayList<>();
    private final long tokens;

    /** Tags never seen in training get the ignore index (evaluation scores them as wrong). */
    public TagBatches(List<Sentence> sentences, TagConfig cfg, int batchSize) {
        Integer[] order = new Integer[sentences.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, Comparator.comparingInt((Integer i) -> -sentences.get(i).length()).thenComparingInt(i -> i));
        long tok = 0;
        for (int start = 0; start < order.length; start += batchSize) {
            int b = Math.min(batchSize, order.length - start);
            int t = sentences.get(order[start]).length();
            int[] lengths = new int[b], sent = new int[b];
            int[] w = new int[t * b], sh = new int[t * b], su = new int[t * b], po = new int[t * b], tg = new int[t * b];
            java.util.Arrays.fill(tg, SoftmaxCrossEntropyLoss.DEFAULT_IGNORE_INDEX);
            for (int j = 0; j < b; j++) {
                Sentence s = sentences.get(order[start + j]);
                lengths[j] = s.length();
                sent[j] = order[start + j];
                tok += s.length();
                for (int k = 0; k < s.length(); k++) {
                    int at = k * b + j;
                    String word = s.words().get(k);
                    w[at] = cfg.words().id(WordFeatures.normalized(word));
                    sh[at] = cfg.shapes().id(WordFeatures.shape(word));
                    su[at] = cfg.suffixes().id(WordFeatures.suffix(word));
                    po[at] = cfg.posTags().id(s.pos().get(k));
                    int id = cfg.tagId(s.tags().get(k));
                    tg[at] = id >= 0 ? id : SoftmaxCrossEntropyLoss.DEFAULT_IGNORE_INDEX;
                }
            }
            batches.add(new Batch(t, b, lengths, w, sh, su, po, tg, sent));
        }
        tokens = tok;
    }

    public List<Batch> batches() { return batches; }

    /** Tokens in all sentences. */
    public long tokens() { return tokens; }

    /** The order to visit the batches in epoch {@code epoch} (a seeded shuffle). */
    public int[] order(long seed, int epoch) {
        int[] o = new int[batches.size()];
        for (int i = 0; i < o.length; i++) o[i] = i;
        SplittableRandom r = new SplittableRandom(seed * 31 + epoch);
        for (int i = o.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int x = o[i];
            o[i] = o[j];
            o[j] = x;
        }
        return o;
    }

    /** The longest sentence. */
    public int maxSteps() {
        int m = 1;
        for (Batch b : batches) m = Math.max(m, b.steps());
        return m;
    }
}
