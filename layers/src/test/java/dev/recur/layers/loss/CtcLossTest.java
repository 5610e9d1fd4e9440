package dev.recur.layers.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CtcLoss} against the definition itself: p(l|x) as the sum over every one of the C^T frame
 * paths that collapses to l (enumerated for tiny T), the gradient against centred finite
 * differences of the float loss, and the edge cases (repeats needing a blank, inputs exactly long
 * enough, infeasible inputs, empty targets, padding frames, reductions, no allocation).
 */
class CtcLossTest {

    /** ln p(l|x) by enumerating every path of sequence b: Π_t y_t(π_t) summed over π with B(π) = l. */
    static double bruteForceLogP(FloatMatrix logits, int batch, int b, int frames, int[] labels, int blank) {
        int c = logits.cols();
        double[][] y = new double[frames][c];
        for (int t = 0; t < frames; t++) {
            double z = 0;
            for (int k = 0; k < c; k++) z += Math.exp(logits.get(t * batch + b, k));
            for (int k = 0; k < c; k++) y[t][k] = Math.exp(logits.get(t * batch + b, k)) / z;
        }
        int[] path = new int[frames];
        double total = 0;
        long paths = (long) Math.pow(c, frames);
        for (long n = 0; n < paths; n++) {
            long m = n;
            for (int t = 0; t < frames; t++) { path[t] = (int) (m % c); m /= c; }
            List<Integer> collapsed = new ArrayList<>();
            for (int t = 0; t < frames; t++) {
                if (path[t] != blank && (t == 0 || path[t] != path[t - 1])) collapsed.add(path[t]);
            }
            boolean same = collapsed.size() == labels.length;
            for (int j = 0; same && j < labels.length; j++) same = collapsed.get(j) == labels[j];
            if (!same) continue;
            double p = 1;
            for (int t = 0; t < frames; t++) p *= y[t][path[t]];
            total += p;
        }
        return Math.log(total);
    }

    static FloatMatrix random(Arena a, int rows, int cols, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        FloatMatrix m = FloatMatrix.allocate(a, rows, cols);
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m.set(i, j, (float) ((r.nextDouble() * 2 - 1) * scale));
        return m;
    }

    @Test
    void lossIsTheSumOverEveryCollapsingPath() {
        // batch of 4, T = 5, C = 3 (blank 0): a plain pair, a repeat needing a blank, a barely long
        // enough repeat (1 1 1 needs 5 frames), an empty target; ragged lengths
        int[] frames = {5, 4, 5, 3};
        int[][] labels = {{1, 2}, {2, 2}, {1, 1, 1}, {}};
        int[] targets = {1, 2, 2, 2, 1, 1, 1};
        int[] lens = {2, 2, 3, 0};
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = random(a, 5 * 4, 3, 7, 2);
            for (CtcLoss.Reduction red : CtcLoss.Reduction.values()) {
                CtcLoss ctc = new CtcLoss(3, 0, 5, 4, 3, red, false);
                float loss = ctc.forward(x, 5, 4, frames, targets, lens, null);
                double expect = 0;
                for (int b = 0; b < 4; b++) {
                    double nll = -bruteForceLogP(x, 4, b, frames[b], labels[b], 0);
                    assertEquals(nll, ctc.sequenceLoss(b), 1e-9 * Math.max(1, nll), "sequence " + b);
                    expect += red == CtcLoss.Reduction.SUM ? nll : nll / Math.max(1, labels[b].length) / 4;
                }
                assertEquals(expect, loss, 1e-5 * Math.max(1, expect), red.toString());
            }
        }
    }

    @Test
    void blankNeedNotBeClassZero() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = random(a, 4, 3, 3, 1.5);
            CtcLoss ctc = new CtcLoss(3, 2, 4, 1, 2, CtcLoss.Reduction.SUM, false);
            float loss = ctc.forward(x, 4, 1, new int[] {4}, new int[] {0, 0}, new int[] {2}, null);
            assertEquals(-bruteForceLogP(x, 1, 0, 4, new int[] {0, 0}, 2), loss, 1e-5);
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesAndPaddingGetsNone() {
        int[] frames = {6, 4, 3};
        int[] targets = {1, 1, 2, 3, 3};   // (1 1 2), (3), (3) – the first needs 4 frames of 6
        int[] lens = {3, 1, 1};
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = random(a, 6 * 3, 4, 11, 1.5);
            FloatMatrix d = FloatMatrix.allocate(a, 18, 4);
            d.fill(7f);
            CtcLoss ctc = new CtcLoss(4, 0, 6, 3, 3, CtcLoss.Reduction.MEAN, false);
            ctc.forward(x, 6, 3, frames, targets, lens, d);
            for (int t = 0; t < 6; t++) {
                for (int b = 0; b < 3; b++) {
                    int row = t * 3 + b;
                    double rowSum = 0;
                    for (int k = 0; k < 4; k++) {
                        rowSum += d.get(row, k);
                        if (t >= frames[b]) {
                            assertEquals(0f, d.get(row, k), "padding frame " + t + " of sequence " + b);
                            continue;
                        }
                        float old = x.get(row, k);
                        float h = 1e-2f;
                        x.set(row, k, old + h);
                        double up = ctc.forward(x, 6, 3, frames, targets, lens, null);
                        x.set(row, k, old - h);
                        double down = ctc.forward(x, 6, 3, frames, targets, lens, null);
                        x.set(row, k, old);
                        assertEquals((up - down) / (2 * h), d.get(row, k), 2e-3, "∂L/∂u at t=" + t + " b=" + b + " k=" + k);
                    }
                    assertEquals(0, rowSum, 1e-6, "softmax minus occupancy sums to 0 over the classes");
                }
            }
        }
    }

    @Test
    void infeasibleInputsAreInfiniteOrZeroAndRepeatsCountTheirBlank() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = random(a, 3 * 2, 3, 5, 1);
            FloatMatrix d = FloatMatrix.allocate(a, 6, 3);
            int[] targets = {1, 1, 2, 2};   // (1 1) and (2 2): each needs 3 frames, "1 blank 1"
            assertEquals(6, CtcLoss.minimumFrames(new int[] {1, 1, 2, 2}, 0, 4));
            assertEquals(3, CtcLoss.minimumFrames(targets, 0, 2));
            assertEquals(2, CtcLoss.minimumFrames(new int[] {1, 2}, 0, 2));
            CtcLoss ctc = new CtcLoss(3, 0, 3, 2, 2, CtcLoss.Reduction.SUM, false);
            float loss = ctc.forward(x, 3, 2, new int[] {3, 3}, targets, new int[] {2, 2}, d);
            assertEquals(-bruteForceLogP(x, 2, 0, 3, new int[] {1, 1}, 0) - bruteForceLogP(x, 2, 1, 3, new int[] {2, 2}, 0), loss, 1e-5,
                    "exactly long enough: one path each");
            loss = ctc.forward(x, 3, 2, new int[] {3, 2}, targets, new int[] {2, 2}, d);
            assertTrue(Float.isInfinite(loss) && loss > 0, "a repeat in 2 frames is impossible: +∞");
            assertTrue(Double.isFinite(ctc.sequenceLoss(0)));
            for (int t = 0; t < 3; t++) for (int k = 0; k < 3; k++) assertEquals(0f, d.get(t * 2 + 1, k), "infeasible gets gradient 0");
            CtcLoss zero = new CtcLoss(3, 0, 3, 2, 2, CtcLoss.Reduction.SUM, true);
            float z = zero.forward(x, 3, 2, new int[] {3, 2}, targets, new int[] {2, 2}, d);
            assertEquals(zero.sequenceLoss(0), z, 1e-5, "zeroInfinity drops the infeasible sequence");
            assertEquals(-bruteForceLogP(x, 2, 0, 3, new int[] {1, 1}, 0), z, 1e-5);
        }
    }

    @Test
    void extremeLogitsStayFinite() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = random(a, 40, 5, 13, 60);   // confident, wildly scaled logits over 40 frames
            FloatMatrix d = FloatMatrix.allocate(a, 40, 5);
            CtcLoss ctc = new CtcLoss(5, 0, 40, 1, 8, CtcLoss.Reduction.MEAN, false);
            float loss = ctc.forward(x, 40, 1, new int[] {40}, new int[] {1, 2, 2, 3, 4, 4, 4, 1}, new int[] {8}, d);
            assertTrue(Float.isFinite(loss) && loss > 0, "loss " + loss);
            for (int i = 0; i < 40; i++) for (int k = 0; k < 5; k++) assertTrue(Float.isFinite(d.get(i, k)));
        }
    }

    @Test
    void badInputIsRefusedClearly() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = random(a, 4, 3, 1, 1);
            CtcLoss ctc = new CtcLoss(3, 0, 4, 1, 2, CtcLoss.Reduction.MEAN, false);
            assertThrows(IllegalArgumentException.class, () -> ctc.forward(x, 4, 1, new int[] {4}, new int[] {0}, new int[] {1}, null),
                    "the blank as a label");
            assertThrows(IllegalArgumentException.class, () -> ctc.forward(x, 4, 1, new int[] {5}, new int[] {1}, new int[] {1}, null));
            assertThrows(IllegalArgumentException.class, () -> ctc.forward(x, 4, 1, new int[] {4}, new int[] {1, 1, 1}, new int[] {3}, null));
            assertThrows(IllegalArgumentException.class, () -> new CtcLoss(3, 3, 4, 1, 2, CtcLoss.Reduction.MEAN, false));
        }
    }

    @Test
    void aCallAllocatesNothing() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = random(a, 50 * 4, 11, 17, 2);
            FloatMatrix d = FloatMatrix.allocate(a, 200, 11);
            CtcLoss ctc = new CtcLoss(11, 0, 50, 4, 7, CtcLoss.Reduction.MEAN, false);
            int[] frames = {50, 44, 30, 12}, targets = {1, 2, 3, 3, 4, 5, 6, 7, 7, 7, 1, 2, 3, 9, 9, 10}, lens = {7, 3, 3, 3};
            long bytes = -1, deadline = System.nanoTime() + 30_000_000_000L;
            while (bytes != 0 && System.nanoTime() < deadline) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200; i++) ctc.forward(x, 50, 4, frames, targets, lens, d);
                bytes = mx.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, bytes, "bytes allocated by 200 CTC calls after warm-up");
        }
    }
}
