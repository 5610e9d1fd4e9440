package dev.recur.app.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import dev.recur.layers.model.Batch;

/**
 * Groups sequences into batches of similar length, so that little work is spent on padding.
 *
 * <p>Training order for an epoch (a pure function of seed and epoch, so a resumed run sees the same
 * batches): shuffle all examples; cut them into pools of {@value #POOL_BATCHES} batches; sort each
 * pool by length, longest first; cut the pool into batches; shuffle the order of all batches.
 * Evaluation order: all examples by length, longest first, no randomness.
 *
 * <p>Batches are time-major ({@link Batch}: token of sequence b at step t at {@code t·B + b}); the
 * plans put each batch's members longest first, and the model sorts each batch once (a single pass
 * when it is already sorted).
 */
public final class Batcher {
    /** Batches per sorting pool: large enough to group lengths well, small enough to stay random. */
    public static final int POOL_BATCHES = 50;

    private Batcher() {}

    /** The batches (lists of example indices) of one training epoch. */
    public static List<int[]> trainingPlan(int[] lengths, int batchSize, long seed, int epoch) {
        checkBatch(batchSize);
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        int n = lengths.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        shuffle(order, rng);
        List<int[]> batches = new ArrayList<>(n / batchSize + 1);
        int pool = batchSize * POOL_BATCHES;
        for (int start = 0; start < n; start += pool) {
            int end = Math.min(n, start + pool);
            Integer[] slice = Arrays.copyOfRange(order, start, end);
            Arrays.sort(slice, (a, b) -> Integer.compare(lengths[b], lengths[a])); // stable
            cut(slice, batchSize, batches);
        }
        int[][] arr = batches.toArray(new int[0][]);
        shuffle(arr, rng);
        return List.of(arr);
    }

    /** The batches of an evaluation pass: every example once, longest first, no randomness. */
    public static List<int[]> evaluationPlan(int[] lengths, int batchSize) {
        checkBatch(batchSize);
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(lengths[b], lengths[a]));
        List<int[]> batches = new ArrayList<>();
        cut(order, batchSize, batches);
        return batches;
    }

    /**
     * Fills {@code out} with the given examples as one time-major batch, in the given order (the
     * model sorts each batch by length once; the plans above already give members longest first, so
     * that sort is a single pass), padded with {@link Vocabulary#PAD}, labels alongside.
     * {@code order[b]} receives the example index of batch row b. Returns T, the longest length.
     */
    public static int fill(int[][] sequences, int[] labels, int[] members, Batch out, int[] order) {
        int size = members.length;
        int steps = 0;
        for (int m : members) steps = Math.max(steps, sequences[m].length);
        if (steps > out.maxSteps() || size > out.maxSize()) {
            throw new IllegalArgumentException("batch of " + size + " sequences up to " + steps + " steps does not fit the "
                    + out.maxSteps() + " × " + out.maxSize() + " buffer");
        }
        out.reset(steps, size);
        int[] tokens = out.tokens();
        Arrays.fill(tokens, 0, steps * size, Vocabulary.PAD);
        for (int b = 0; b < size; b++) {
            int[] seq = sequences[members[b]];
            if (seq.length == 0) throw new IllegalArgumentException("sequence " + members[b] + " is empty");
            out.lengths()[b] = seq.length;
            out.labels()[b] = labels[members[b]];
            order[b] = members[b];
            for (int t = 0; t < seq.length; t++) tokens[t * size + b] = seq[t];
        }
        return steps;
    }

    private static void cut(Integer[] order, int batchSize, List<int[]> out) {
        for (int s = 0; s < order.length; s += batchSize) {
            int e = Math.min(order.length, s + batchSize);
            int[] b = new int[e - s];
            for (int i = s; i < e; i++) b[i - s] = order[i];
            out.add(b);
        }
    }

    private static <T> void shuffle(T[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static void checkBatch(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
    }
}
