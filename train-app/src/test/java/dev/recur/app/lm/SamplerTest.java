package dev.recur.app.lm;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.app.core.AppException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {0.5f, 2.0f, -1.0f, 1.5f, 0.0f};

    private static int[] draws(Sampler s, long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = s.sample(LOGITS, 0, rng);
        return out;
    }

    @Test
    void sameSeedGivesTheSameDrawsAndAnotherSeedDoesNot() {
        Sampler s = new Sampler(5, 1.0, 0);
        assertArrayEquals(draws(s, 42, 200), draws(s, 42, 200));
        assertFalse(java.util.Arrays.equals(draws(s, 42, 200), draws(s, 43, 200)));
    }

    @Test
    void temperatureZeroAndTopOneAreGreedy() {
        for (int d : draws(new Sampler(5, 0, 0), 1, 50)) assertEquals(1, d);
        for (int d : draws(new Sampler(5, 3.0, 1), 1, 50)) assertEquals(1, d);
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        int[] counts = new int[5];
        for (int d : draws(new Sampler(5, 5.0, 2), 7, 2000)) counts[d]++;
        assertEquals(0, counts[0] + counts[2] + counts[4]);
        assertTrue(counts[1] > counts[3] && counts[3] > 0);
    }

    @Test
    void frequenciesFollowTheSoftmax() {
        int n = 40000;
        int[] counts = new int[5];
        for (int d : draws(new Sampler(5, 1.0, 0), 3, n)) counts[d]++;
        double z = 0;
        for (float l : LOGITS) z += Math.exp(l);
        for (int i = 0; i < 5; i++) {
            double p = Math.exp(LOGITS[i]) / z;
            assertEquals(p, counts[i] / (double) n, 4 * Math.sqrt(p * (1 - p) / n) + 1e-3, "id " + i);
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThrows(AppException.class, () -> new Sampler(5, -1, 0));
        assertThrows(AppException.class, () -> new Sampler(5, Double.NaN, 0));
        assertThrows(AppException.class, () -> new Sampler(5, 1, -2));
    }
}
