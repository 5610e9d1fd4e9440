package dev.recur.spark;

import java.io.Serializable;

/**
 * What one partition sends back after a round.
 *
 * <p>Synchronous SGD ({@code K = 1}): {@code sums} holds every parameter's gradient summed over the
 * partition's examples of the global batch (the gradient of the mean loss times {@code count}).
 * Local SGD ({@code K > 1}): {@code sums} holds the parameters after the partition's K local steps
 * times {@code count}, {@code stateSums} the optimizer buffers likewise; the driver divides by the
 * total count (parameter averaging weighted by examples). Null arrays when {@code count} is 0.
 *
 * @param count    examples this partition trained on in the round
 * @param lossSum  sum of the per-example losses
 * @param correct  examples classified correctly (before the update)
 * @param normSum  sum of the local steps' gradient norms (local SGD; 0 otherwise)
 * @param steps    local optimizer steps taken (local SGD; 0 otherwise)
 */
public record ShardResult(long count, double lossSum, long correct, double normSum, int steps, float[][] sums,
                          float[][] stateSums) implements Serializable {

    /** Adds {@code from} into {@code into} element by element (arrays of the same shapes). */
    static void addInto(float[][] into, float[][] from) {
        for (int i = 0; i < into.length; i++) {
            float[] a = into[i], b = from[i];
            for (int j = 0; j < a.length; j++) a[j] += b[j];
        }
    }

    static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }

    static void scale(float[][] a, float s) {
        for (float[] r : a) for (int j = 0; j < r.length; j++) r[j] *= s;
    }
}
