package dev.recur.app.translate;

import dev.recur.app.data.Batcher;
import dev.recur.layers.model.Batch;
import java.util.Arrays;
import java.util.List;

/**
 * Sentence pairs as ids and as time-major batches for an encoder–decoder. The source of a pair is
 * its token ids; the decoder reads {@code <bos> y₁ … y_m} and is trained to write
 * {@code y₁ … y_m <eos>} (teacher forcing), so a target side has {@code m + 1} steps.
 *
 * <p>Batches are length-bucketed by {@link Batcher}'s plans (shuffled pools sorted by length, so
 * a batch's sentences are of similar length; a pure function of seed and epoch), keyed by source
 * length and then target length, longest first inside a batch as the encoder wants.
 */
public final class PairBatches {
    private final int[][] sources;
    private final int[][] targets;
    private final int[] keys;
    private final int maxSource, maxTarget;

    /** Encodes {@code pairs} with the two vocabularies. */
    public PairBatches(List<SentencePair> pairs, TranslationVocabulary sourceVocab, TranslationVocabulary targetVocab) {
        int n = pairs.size();
        sources = new int[n][];
        targets = new int[n][];
        keys = new int[n];
        int ms = 0, mt = 0;
        for (int i = 0; i < n; i++) {
            sources[i] = sourceVocab.ids(pairs.get(i).source());
            targets[i] = targetVocab.ids(pairs.get(i).target());
            ms = Math.max(ms, sources[i].length);
            mt = Math.max(mt, targets[i].length + 1);
        }
        maxSource = ms;
        maxTarget = mt;
        for (int i = 0; i < n; i++) keys[i] = sources[i].length * (mt + 1) + targets[i].length;
    }

    public int size() { return sources.length; }

    /** The longest source, in tokens. */
    public int maxSourceSteps() { return maxSource; }

    /** The longest decoder sequence (target tokens + 1). */
    public int maxTargetSteps() { return maxTarget; }

    /** Source ids of pair i. */
    public int[] source(int i) { return sources[i]; }

    /** Target ids of pair i (without {@code <bos>} and {@code <eos>}). */
    public int[] target(int i) { return targets[i]; }

    /** The batches (pair indices) of one training epoch, of {@code batchSize} pairs (the last may be smaller). */
    public List<int[]> trainingPlan(int batchSize, long seed, int epoch) {
        return Batcher.trainingPlan(keys, batchSize, seed, epoch);
    }

    /** Every pair once, longest first, no randomness. */
    public List<int[]> evaluationPlan(int batchSize) { return Batcher.evaluationPlan(keys, batchSize); }

    /**
     * Fills {@code source} (tokens and lengths) and {@code target} (decoder inputs as tokens,
     * outputs as targets, {@link Batch#IGNORE} on padding; lengths m + 1) with the pairs
     * {@code members}, in that order, padded with {@link TranslationVocabulary#PAD}.
     */
    public void fill(int[] members, Batch source, Batch target) {
        int b = members.length, ts = 0, tt = 0;
        for (int m : members) {
            ts = Math.max(ts, sources[m].length);
            tt = Math.max(tt, targets[m].length + 1);
        }
        if (ts > source.maxSteps() || tt > target.maxSteps() || b > source.maxSize() || b > target.maxSize()) {
            throw new IllegalArgumentException("batch of " + b + " pairs up to " + ts + " source and " + tt
                    + " target steps does not fit the buffers");
        }
        source.reset(ts, b);
        target.reset(tt, b);
        Arrays.fill(source.tokens(), 0, ts * b, TranslationVocabulary.PAD);
        Arrays.fill(target.tokens(), 0, tt * b, TranslationVocabulary.PAD);
        Arrays.fill(target.targets(), 0, tt * b, Batch.IGNORE);
        for (int i = 0; i < b; i++) {
            int[] s = sources[members[i]], y = targets[members[i]];
            source.lengths()[i] = s.length;
            for (int t = 0; t < s.length; t++) source.setToken(t, i, s[t]);
            target.lengths()[i] = y.length + 1;
            target.setToken(0, i, TranslationVocabulary.BOS);
            for (int t = 0; t < y.length; t++) {
                target.setToken(t + 1, i, y[t]);
                target.setTarget(t, i, y[t]);
            }
            target.setTarget(y.length, i, TranslationVocabulary.EOS);
        }
    }
}
