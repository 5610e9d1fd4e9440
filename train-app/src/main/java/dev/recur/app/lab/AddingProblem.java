package dev.recur.app.lab;

import dev.recur.app.core.AppException;
import java.util.SplittableRandom;

/**
 * The adding problem (Hochreiter &amp; Schmidhuber 1997; Le et al. 2015): each step carries two
 * inputs, a random number in [0, 1) and a marker. Exactly two steps are marked, one in the first
 * half of the sequence and one in the second; the target, read after the last step, is the sum of
 * the two marked numbers. Predicting the mean (1.0) gives a mean squared error of about 1/6, so a
 * model has learned the task only when its error falls well below that.
 */
public final class AddingProblem {
    /** Mean squared error of always answering 1 (the variance of the sum of two U(0,1)). */
    public static final double BASELINE_MSE = 1.0 / 6.0;

    private final int length;
    private final SplittableRandom rng;

    public AddingProblem(int length, long seed) {
        if (length < 2) throw AppException.usage("--length must be at least 2 for the adding problem, got " + length);
        this.length = length;
        this.rng = new SplittableRandom(seed);
    }

    public int length() { return length; }

    /** Features per step: the number and the marker. */
    public static int features() { return 2; }

    /**
     * Fills one batch: {@code inputs} is time-major {@code [T][B][2]} (length {@code T·B·2}),
     * {@code targets} has one sum per sequence.
     */
    public void next(int batch, float[] inputs, float[] targets) {
        int half = length / 2;
        for (int b = 0; b < batch; b++) {
            int first = rng.nextInt(half);
            int second = half + rng.nextInt(length - half);
            float sum = 0;
            for (int t = 0; t < length; t++) {
                int at = (t * batch + b) * 2;
                float v = (float) rng.nextDouble();
                inputs[at] = v;
                boolean marked = t == first || t == second;
                inputs[at + 1] = marked ? 1f : 0f;
                if (marked) sum += v;
            }
            targets[b] = sum;
        }
    }
}
