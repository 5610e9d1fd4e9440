package dev.recur.app.speech;

import dev.recur.layers.audio.Features;
import dev.recur.layers.model.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Cuts utterances into batches of similar length and writes one into a reused frame
 * {@link Batch} (time-major frames, lengths, digit labels). The training plan of an epoch is a
 * pure function of seed and epoch: the utterances are shuffled, taken in pools of 8 batches,
 * sorted by length within a pool and cut, and the batches shuffled again.
 */
public final class FrameBatches {
    private final List<Utterance> utterances;
    private final int batchSize, width, maxFrames;

    public FrameBatches(List<Utterance> utterances, int batchSize) {
        if (utterances.isEmpty()) throw new IllegalArgumentException("no utterances to batch");
        this.utterances = List.copyOf(utterances);
        this.batchSize = batchSize;
        this.width = utterances.getFirst().features().width();
        int m = 0;
        for (Utterance u : utterances) m = Math.max(m, u.frames());
        maxFrames = m;
    }

    public List<Utterance> utterances() { return utterances; }

    /** The longest utterance, in frames. */
    public int maxFrames() { return maxFrames; }

    public int batchSize() { return batchSize; }

    /** A frame batch large enough for every batch of this set. */
    public Batch newBatch() { return Batch.ofFrames(maxFrames, batchSize, width); }

    /** The batches of epoch {@code epoch}: indices into {@link #utterances()}. */
    public List<int[]> trainingPlan(long seed, int epoch) {
        int n = utterances.size();
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        SplittableRandom r = new SplittableRandom(seed * 31 + epoch);
        shuffle(idx, r);
        List<int[]> plan = new ArrayList<>();
        int pool = 8 * batchSize;
        for (int p = 0; p < n; p += pool) {
            Integer[] part = Arrays.copyOfRange(idx, p, Math.min(n, p + pool));
            Arrays.sort(part, Comparator.comparingInt(i -> utterances.get(i).frames()));
            for (int b = 0; b < part.length; b += batchSize) {
                int[] batch = new int[Math.min(batchSize, part.length - b)];
                for (int k = 0; k < batch.length; k++) batch[k] = part[b + k];
                plan.add(batch);
            }
        }
        int[][] arr = plan.toArray(new int[0][]);
        shuffle(arr, r);
        return Arrays.asList(arr);
    }

    /** Every utterance once, in length order (for evaluation). */
    public List<int[]> evaluationPlan() {
        Integer[] idx = new Integer[utterances.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, Comparator.comparingInt(i -> utterances.get(i).frames()));
        List<int[]> plan = new ArrayList<>();
        for (int b = 0; b < idx.length; b += batchSize) {
            int[] batch = new int[Math.min(batchSize, idx.length - b)];
            for (int k = 0; k < batch.length; k++) batch[k] = idx[b + k];
            plan.add(batch);
        }
        return plan;
    }

    /** Writes the utterances {@code members} into {@code batch}. */
    public void fill(Batch batch, int[] members) {
        int steps = 0;
        for (int i : members) steps = Math.max(steps, utterances.get(i).frames());
        batch.reset(steps, members.length);
        write(batch, members.length, steps, k -> utterances.get(members[k]).features());
        for (int k = 0; k < members.length; k++) batch.labels()[k] = utterances.get(members[k]).digit();
    }

    /**
     * Training-time masking (SpecAugment's frequency and time masks, Park et al. 2019) of the batch
     * {@link #fill} wrote: per utterance, {@code masks} bands of 0 to {@code maxWidth} consecutive
     * features and {@code masks} stretches of 0 to min({@code maxWidth}, 10 % of its frames) frames
     * are set to 0 (the mean after normalisation). {@code r} makes it a function of the seed.
     */
    public void mask(Batch batch, int masks, int maxWidth, SplittableRandom r) {
        int n = batch.size(), w = width;
        float[] frames = batch.frames();
        for (int k = 0; k < n; k++) {
            int len = batch.lengths()[k];
            for (int m = 0; m < masks; m++) {
                int fw = r.nextInt(maxWidth + 1), f0 = r.nextInt(Math.max(1, w - fw + 1));
                for (int t = 0; t < len; t++) for (int f = f0; f < Math.min(w, f0 + fw); f++) frames[(t * n + k) * w + f] = 0f;
                int tw = r.nextInt(Math.min(maxWidth, len / 10) + 1), t0 = r.nextInt(Math.max(1, len - tw + 1));
                for (int t = t0; t < Math.min(len, t0 + tw); t++) for (int f = 0; f < w; f++) frames[(t * n + k) * w + f] = 0f;
            }
        }
    }

    /** Writes {@code count} feature sequences into {@code batch} (already reset to {@code steps} × count). */
    static void write(Batch batch, int count, int steps, java.util.function.IntFunction<Features> source) {
        float[] frames = batch.frames();
        for (int k = 0; k < count; k++) {
            Features f = source.apply(k);
            int w = f.width();
            batch.lengths()[k] = f.frames();
            for (int t = 0; t < f.frames(); t++) System.arraycopy(f.values(), t * w, frames, (t * count + k) * w, w);
        }
    }

    private static <T> void shuffle(T[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            T t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
