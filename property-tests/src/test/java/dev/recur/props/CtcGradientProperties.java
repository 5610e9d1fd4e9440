package dev.recur.props;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.loss.CtcLoss;
import dev.recur.props.reference.FiniteDifferences;
import dev.recur.props.reference.RefCtc;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * CTC on generated small cases — 2–5 classes, the blank anywhere, 1–3 sequences with ragged
 * frame counts and label sequences (empty ones, repeats that need a blank between, inputs exactly
 * as long as their labels need and longer), both reductions: the double reference's gradient
 * ({@link RefCtc}, Graves' equations in plain probabilities) equals centred finite differences of
 * its own loss, and Recur's float {@link CtcLoss} (log space) equals the reference in loss and
 * gradient.
 */
class CtcGradientProperties {

    @Property(tries = 300)
    void referenceGradientEqualsFiniteDifferencesAndCtcLossEqualsReference(
            @ForAll @IntRange(min = 2, max = 5) int classes,
            @ForAll @IntRange(min = 1, max = 3) int batch,
            @ForAll @IntRange(min = 0, max = 2) int slack,
            @ForAll boolean sum,
            @ForAll @IntRange(min = 0, max = 1_000_000) long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int blank = rng.nextInt(classes);
        int[][] labels = new int[batch][];
        int[] frames = new int[batch];
        int steps = 0;
        for (int b = 0; b < batch; b++) {
            int len = rng.nextInt(5);
            labels[b] = new int[len];
            for (int j = 0; j < len; j++) {
                // repeat the previous label a third of the time
                int y = j > 0 && rng.nextInt(3) == 0 ? labels[b][j - 1] : rng.nextInt(classes - 1);
                labels[b][j] = y >= blank && !(j > 0 && y == labels[b][j - 1]) ? y + 1 : y;
                if (labels[b][j] == blank) labels[b][j] = (blank + 1) % classes;
            }
            frames[b] = Math.max(1, CtcLoss.minimumFrames(labels[b], 0, len) + (b == 0 ? slack : rng.nextInt(3)));
            steps = Math.max(steps, frames[b]);
        }
        double[][][] u = new double[batch][][];
        for (int b = 0; b < batch; b++) {
            u[b] = new double[frames[b]][classes];
            for (double[] row : u[b]) for (int k = 0; k < classes; k++) row[k] = (float) ((rng.nextDouble() * 2 - 1) * 2);
        }
        // 1. the reference's analytic gradient against finite differences of the reference
        for (int b = 0; b < batch; b++) {
            double[][] g = new double[frames[b]][classes];
            int bb = b;
            RefCtc.loss(u[b], labels[b], blank, g);
            for (int t = 0; t < frames[b]; t++) {
                double[] fd = FiniteDifferences.gradient(() -> RefCtc.loss(u[bb], labels[bb], blank), u[b][t]);
                Tolerance.assertClose("reference ∂loss/∂u frame " + t + " of sequence " + b, fd, g[t], 1e-6);
            }
        }
        // 2. Recur's CtcLoss against the reference (the batch reduced as torch does)
        CtcLoss.Reduction red = sum ? CtcLoss.Reduction.SUM : CtcLoss.Reduction.MEAN;
        List<Integer> concat = new ArrayList<>();
        int[] lens = new int[batch];
        int maxLabels = 0;
        for (int b = 0; b < batch; b++) {
            for (int y : labels[b]) concat.add(y);
            lens[b] = labels[b].length;
            maxLabels = Math.max(maxLabels, lens[b]);
        }
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.allocate(a, steps * batch, classes), d = FloatMatrix.allocate(a, steps * batch, classes);
            x.fill(3f); // padding frames hold junk the loss must not read
            for (int b = 0; b < batch; b++) for (int t = 0; t < frames[b]; t++) for (int k = 0; k < classes; k++) {
                x.set(t * batch + b, k, (float) u[b][t][k]);
            }
            CtcLoss ctc = new CtcLoss(classes, blank, steps, batch, maxLabels, red, false);
            float loss = ctc.forward(x, steps, batch, frames, concat.stream().mapToInt(Integer::intValue).toArray(), lens, d);
            double expect = 0;
            double[] expectGrad = new double[steps * batch * classes], got = new double[expectGrad.length];
            for (int b = 0; b < batch; b++) {
                double w = sum ? 1 : 1.0 / Math.max(1, lens[b]) / batch;
                double[][] g = new double[frames[b]][classes];
                expect += w * RefCtc.loss(u[b], labels[b], blank, g);
                for (int t = 0; t < frames[b]; t++) for (int k = 0; k < classes; k++) expectGrad[(t * batch + b) * classes + k] = w * g[t][k];
            }
            for (int i = 0; i < got.length; i++) got[i] = d.get(i / classes, i % classes);
            Tolerance.assertClose("CtcLoss loss", new double[] {expect}, new double[] {loss}, 1e-5);
            Tolerance.assertClose("CtcLoss gradient", expectGrad, got, 1e-5);
        }
    }
}
