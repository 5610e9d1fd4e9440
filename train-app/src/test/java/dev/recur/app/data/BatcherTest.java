package dev.recur.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import dev.recur.layers.model.Batch;
import org.junit.jupiter.api.Test;

class BatcherTest {
    private static int[][] sequences(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] s = new int[n][];
        for (int i = 0; i < n; i++) {
            s[i] = new int[1 + r.nextInt(60)];
            for (int t = 0; t < s[i].length; t++) s[i][t] = 2 + r.nextInt(50);
        }
        return s;
    }

    private static int[] lengths(int[][] s) { return Arrays.stream(s).mapToInt(a -> a.length).toArray(); }

    @Test
    void everyExampleOnceAndBatchesAreFullExceptPerPool() {
        int[][] s = sequences(1003, 1);
        List<int[]> plan = Batcher.trainingPlan(lengths(s), 16, 7, 0);
        int[] seen = new int[s.length];
        for (int[] b : plan) {
            assertTrue(b.length >= 1 && b.length <= 16);
            for (int i : b) seen[i]++;
        }
        for (int c : seen) assertEquals(1, c);
    }

    @Test
    void orderIsAFunctionOfSeedAndEpoch() {
        int[] len = lengths(sequences(500, 2));
        assertArrayEquals(flat(Batcher.trainingPlan(len, 8, 3, 4)), flat(Batcher.trainingPlan(len, 8, 3, 4)));
        assertNotEquals(Arrays.toString(flat(Batcher.trainingPlan(len, 8, 3, 4))),
                Arrays.toString(flat(Batcher.trainingPlan(len, 8, 3, 5))));
        assertNotEquals(Arrays.toString(flat(Batcher.trainingPlan(len, 8, 3, 4))),
                Arrays.toString(flat(Batcher.trainingPlan(len, 8, 4, 4))));
    }

    @Test
    void bucketingKeepsPaddingSmall() {
        int[][] s = sequences(3200, 3);
        int[] len = lengths(s);
        long padded = 0, real = 0;
        for (int[] b : Batcher.trainingPlan(len, 32, 1, 0)) {
            int max = 0;
            for (int i : b) { max = Math.max(max, len[i]); real += len[i]; }
            padded += (long) max * b.length;
        }
        assertTrue(padded < real * 1.1, "bucketed batches waste " + (padded - real) + " of " + padded + " steps");
    }

    @Test
    void filledBatchIsTimeMajorPaddedAndInTheGivenOrder() {
        int[][] s = {{5, 6}, {7, 8, 9, 10}, {11}, {12, 13, 14}};
        int[] labels = {1, 0, 1, 0};
        Batch b = new Batch(6, 8);
        int[] order = new int[8];
        assertEquals(4, Batcher.fill(s, labels, new int[] {1, 3, 0, 2}, b, order)); // longest first, as the plans give
        assertEquals(4, b.steps());
        assertEquals(4, b.size());
        assertArrayEquals(new int[] {4, 3, 2, 1}, Arrays.copyOf(b.lengths(), 4));
        assertArrayEquals(new int[] {1, 3, 0, 2}, Arrays.copyOf(order, 4));
        assertArrayEquals(new int[] {0, 0, 1, 1}, Arrays.copyOf(b.labels(), 4));
        // step 0: the first token of each sequence in batch order; later steps padded with 0
        assertArrayEquals(new int[] {7, 12, 5, 11, 8, 13, 6, 0, 9, 14, 0, 0, 10, 0, 0, 0}, Arrays.copyOf(b.tokens(), 16));
        // a smaller batch reuses the buffer with its own B as the stride; members keep their order
        // (the model sorts each batch once)
        assertEquals(2, Batcher.fill(s, labels, new int[] {2, 0}, b, order));
        assertArrayEquals(new int[] {11, 5, 0, 6}, Arrays.copyOf(b.tokens(), 4));
        assertArrayEquals(new int[] {1, 2}, Arrays.copyOf(b.lengths(), 2));
        assertEquals(5, b.token(0, 1));
    }

    @Test
    void evaluationPlanIsLongestFirstAndDeterministic() {
        int[] len = {3, 9, 1, 9, 4};
        List<int[]> plan = Batcher.evaluationPlan(len, 2);
        assertArrayEquals(new int[] {1, 3, 4, 0, 2}, flat(plan));
    }

    private static int[] flat(List<int[]> plan) {
        return plan.stream().flatMapToInt(Arrays::stream).toArray();
    }
}
