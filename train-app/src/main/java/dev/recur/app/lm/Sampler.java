package dev.recur.app.lm;

import dev.recur.app.core.AppException;
import java.util.random.RandomGenerator;

/**
 * Draws the next character from a model's scores (logits): softmax at a temperature, optionally
 * restricted to the {@code topK} most likely characters. With the same logits and a generator in
 * the same state, the draw is always the same (a seeded generator makes sampling repeatable).
 *
 * <p>{@code p_i ∝ exp((z_i - max z) / temperature)} over the kept characters. Temperature 0 means
 * greedy: the most likely character (lowest id on ties).
 */
public final class Sampler {
    private final double temperature;
    private final int topK;
    private final double[] probs;
    private final Integer[] order;

    /**
     * @param vocabSize   number of logits per draw
     * @param temperature ≥ 0; below 1 sharpens, above 1 flattens, 0 is greedy
     * @param topK        keep only the {@code topK} highest scores; 0 keeps all
     */
    public Sampler(int vocabSize, double temperature, int topK) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw AppException.usage("--temperature must be a finite number ≥ 0, got " + temperature);
        }
        if (topK < 0) throw AppException.usage("--top-k must be ≥ 0 (0 = no limit), got " + topK);
        this.temperature = temperature;
        this.topK = topK == 0 || topK > vocabSize ? vocabSize : topK;
        this.probs = new double[vocabSize];
        this.order = new Integer[vocabSize];
    }

    /** Draws an id from {@code logits[offset … offset+vocabSize)}. */
    public int sample(float[] logits, int offset, RandomGenerator rng) {
        int n = probs.length;
        int best = 0;
        for (int i = 1; i < n; i++) if (logits[offset + i] > logits[offset + best]) best = i;
        if (temperature == 0 || topK == 1) return best;
        // threshold: the topK-th largest score (ties broken by id)
        boolean[] keep = null;
        if (topK < n) {
            for (int i = 0; i < n; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> {
                int c = Float.compare(logits[offset + b], logits[offset + a]);
                return c != 0 ? c : Integer.compare(a, b);
            });
            keep = new boolean[n];
            for (int i = 0; i < topK; i++) keep[order[i]] = true;
        }
        double max = logits[offset + best];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double p = keep == null || keep[i] ? Math.exp((logits[offset + i] - max) / temperature) : 0;
            probs[i] = p;
            sum += p;
        }
        double u = rng.nextDouble() * sum;
        double acc = 0;
        int last = best;
        for (int i = 0; i < n; i++) {
            if (probs[i] == 0) continue;
            acc += probs[i];
            last = i;
            if (u < acc) return i;
        }
        return last; // rounding at the very end of the interval
    }
}
