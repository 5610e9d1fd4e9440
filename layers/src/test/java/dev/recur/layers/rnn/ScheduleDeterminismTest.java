package dev.recur.layers.rnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.Pooling;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.AdamW;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.optim.Sgd;
import dev.recur.layers.rnn.RecurrenceScheduler.Split;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The thread count and the split of the recurrence change no bit (issue 9.2): one thread, two and
 * three threads with the batch-parallel split, two threads with the per-step split, and the
 * measured choice give identical outputs, final states, parameter gradients, input gradients and
 * initial-state gradients — every cell, ragged lengths (a batch that is not a multiple of the GEMM
 * tile), bidirectional (CONCAT and SUM), two stacked layers with inter-layer dropout, a gradient
 * window, and gradients flowing in through both the outputs and the final states; and whole
 * training steps of a classifier, where the embedding gather and scatter, the dropout, the pooling,
 * the clipping norm and the optimizer update are split over the threads too.
 */
class ScheduleDeterminismTest {
    private static final int STEPS = 13, IN = 6, H = 12, B = 37;

    private static List<float[]> trainStep(RecurrentConfig cfg, int threads, Split split, int forwards) {
        return trainStep(cfg, STEPS, B, threads, split, forwards);
    }

    /** Every number a training step produces, as float arrays. */
    private static List<float[]> trainStep(RecurrentConfig cfg, int steps, int batch, int threads, Split split,
                                           int forwards) {
        final int STEPS = steps, B = batch, IN = cfg.inputSize(), H = cfg.hiddenSize();
        int prev = Engine.threads();
        Engine.setThreads(threads);
        List<float[]> all = new ArrayList<>();
        try (Arena arena = Arena.ofShared(); RecurrentLayer l = new RecurrentLayer("d.", cfg, STEPS, B)) {
            l.scheduler().force(split);
            l.setGradientWindow(5);
            Random rnd = new Random(11);
            int[] lengths = new int[B];
            for (int b = 0; b < B; b++) lengths[b] = Math.max(0, STEPS - b / 3);   // ragged, non-increasing
            lengths[B - 1] = 0;                                                      // and one empty sequence
            int states = cfg.numLayers() * cfg.directions() * B;
            FloatMatrix x = GradientCheckTest.random(arena, STEPS * B, IN, rnd);
            FloatMatrix h0 = GradientCheckTest.random(arena, states, H, rnd);
            boolean lstm = cfg.cell().hasCellState();
            FloatMatrix c0 = lstm ? GradientCheckTest.random(arena, states, H, rnd) : null;
            FloatMatrix dOut = GradientCheckTest.random(arena, STEPS * B, cfg.outputSize(), rnd);
            FloatMatrix dhN = GradientCheckTest.random(arena, states, H, rnd);
            FloatMatrix dcN = lstm ? GradientCheckTest.random(arena, states, H, rnd) : null;
            // several steps, so that the measured choice also gets to sample and then decide
            for (int k = 0; k < forwards; k++) {
                l.zeroGrad();
                all.add(l.forward(x, B, lengths, h0, c0, true).toArray());
                all.add(l.finalHidden().toArray());
                if (lstm) all.add(l.finalCell().toArray());
                all.add(l.backward(dOut, dhN, dcN).toArray());
                all.add(l.gradInitialHidden().toArray());
                if (lstm) all.add(l.gradInitialCell().toArray());
                for (var p : l.parameters()) all.add(p.grad().toArray());
                all.add(l.forward(x, B, lengths, h0, c0, false).toArray());
            }
        } finally {
            Engine.setThreads(prev);
        }
        return all;
    }

    private static void assertSameBits(List<float[]> expected, List<float[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            float[] e = expected.get(i), a = actual.get(i);
            assertEquals(e.length, a.length, what + ", array " + i);
            for (int j = 0; j < e.length; j++) {
                if (Float.floatToIntBits(e[j]) != Float.floatToIntBits(a[j])) {
                    throw new AssertionError(what + ": array " + i + " element " + j + " is " + a[j] + ", one thread gives " + e[j]);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void threadsAndSplitsChangeNoBit(CellType cell) {
        for (DirectionMerge merge : DirectionMerge.values()) {
            RecurrentConfig cfg = RecurrentConfig.of(cell, IN, H).withLayers(2).withBidirectional(merge)
                    .withDropout(0.3f).withSeed(5);
            List<float[]> one = trainStep(cfg, 1, null, 1);
            String where = cell + " " + merge;
            assertSameBits(one, trainStep(cfg, 2, Split.ROWS, 1), where + ", 2 threads batch-parallel");
            assertSameBits(one, trainStep(cfg, 2, Split.STEPS, 1), where + ", 2 threads per step");
            assertSameBits(one, trainStep(cfg, 3, Split.ROWS, 1), where + ", 3 threads batch-parallel");
        }
        RecurrentConfig uni = RecurrentConfig.of(cell, IN, H).withSeed(6);
        assertSameBits(trainStep(uni, 1, null, 1), trainStep(uni, 2, Split.ROWS, 1), cell + " one direction, 2 threads");
    }

    /**
     * Inference keeps no gates (its steps reuse one step's rows of the gate buffer): its outputs and
     * final states are the training forward's bits, on 1 and 2 threads and either split, and a
     * training forward after an inference one still back-propagates to the same gradients.
     */
    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU"})
    void inferenceHasTheTrainingForwardsBits(CellType cell) {
        RecurrentConfig cfg = RecurrentConfig.of(cell, IN, H).withBidirectional(DirectionMerge.CONCAT).withSeed(8);
        for (int threads = 1; threads <= 2; threads++) {
            for (Split split : threads == 1 ? new Split[] {null} : Split.values()) {
                int prev = Engine.threads();
                Engine.setThreads(threads);
                try (Arena arena = Arena.ofShared(); RecurrentLayer l = new RecurrentLayer("i.", cfg, STEPS, B)) {
                    if (split != null) l.scheduler().force(split);
                    Random rnd = new Random(21);
                    int[] lengths = new int[B];
                    for (int b = 0; b < B; b++) lengths[b] = Math.max(0, STEPS - b / 4);
                    FloatMatrix x = GradientCheckTest.random(arena, STEPS * B, IN, rnd);
                    FloatMatrix h0 = GradientCheckTest.random(arena, 2 * B, H, rnd);
                    FloatMatrix c0 = cell.hasCellState() ? GradientCheckTest.random(arena, 2 * B, H, rnd) : null;
                    FloatMatrix dOut = GradientCheckTest.random(arena, STEPS * B, cfg.outputSize(), rnd);
                    String where = cell + ", " + threads + " thread(s), split " + split;
                    List<float[]> train = new ArrayList<>();
                    train.add(l.forward(x, B, lengths, h0, c0, true).toArray());
                    train.add(l.finalHidden().toArray());
                    if (c0 != null) train.add(l.finalCell().toArray());
                    l.zeroGrad();
                    l.backward(dOut, null, null);
                    List<float[]> grads = new ArrayList<>();
                    for (var p : l.parameters()) grads.add(p.grad().toArray());
                    List<float[]> infer = new ArrayList<>();
                    infer.add(l.forward(x, B, lengths, h0, c0, false).toArray());
                    infer.add(l.finalHidden().toArray());
                    if (c0 != null) infer.add(l.finalCell().toArray());
                    assertSameBits(train, infer, where + ", inference against training forward");
                    l.forward(x, B, lengths, h0, c0, true);
                    l.zeroGrad();
                    l.backward(dOut, null, null);
                    List<float[]> again = new ArrayList<>();
                    for (var p : l.parameters()) again.add(p.grad().toArray());
                    assertSameBits(grads, again, where + ", gradients after an inference forward");
                } finally {
                    Engine.setThreads(prev);
                }
            }
        }
    }

    /** Large enough that the dropout, mask and bias-sum passes are split over the threads too. */
    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU"})
    void largeLayersWithSplitPassesChangeNoBit(CellType cell) {
        RecurrentConfig cfg = RecurrentConfig.of(cell, 8, 32).withLayers(2).withBidirectional(DirectionMerge.CONCAT)
                .withDropout(0.25f).withSeed(3);
        List<float[]> one = trainStep(cfg, 40, 64, 1, null, 1);
        assertSameBits(one, trainStep(cfg, 40, 64, 2, Split.ROWS, 1), cell + " B 64, T 40, 2 threads batch-parallel");
        assertSameBits(one, trainStep(cfg, 40, 64, 2, Split.STEPS, 1), cell + " B 64, T 40, 2 threads per step");
    }

    /**
     * Three whole training steps of a classifier large enough that every pass outside the recurrence
     * is split too (the embedding gather and scatter-add, embedding and head dropout, pooling, the
     * clipping norm over several chunks, clip by value, the optimizer): losses, weights, gradients
     * and optimizer state are the same bits on 1, 2 and 3 threads.
     */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void wholeTrainingStepsChangeNoBit(CellType cell) {
        Pooling pool = switch (cell) { case LSTM -> Pooling.MAX; case GRU -> Pooling.MEAN; default -> Pooling.LAST; };
        ModelConfig cfg = ModelConfig.defaults(cell, 3000).withEmbedDim(32).withHidden(24).withLayers(2)
                .withBidirectional(true).withPool(pool).withDropout(0.25f).withEmbeddingDropout(0.2f);
        boolean sgd = cell == CellType.RNN_RELU;
        List<float[]> one = trainClassifier(cfg, 1, sgd);
        assertSameBits(one, trainClassifier(cfg, 2, sgd), cell + " classifier, 2 threads");
        assertSameBits(one, trainClassifier(cfg, 3, sgd), cell + " classifier, 3 threads");
    }

    private static List<float[]> trainClassifier(ModelConfig cfg, int threads, boolean sgd) {
        final int steps = 30, batch = 37;
        int prev = Engine.threads();
        Engine.setThreads(threads);
        List<float[]> all = new ArrayList<>();
        try (SequenceClassifier m = new SequenceClassifier(cfg, 42, steps, batch);
             Optimizer opt = sgd ? new Sgd(m.parameters(), 0.05, 0.9, 1e-4, true)
                     : new AdamW(m.parameters(), 0.01, 0.9, 0.999, 1e-8, 0.1)) {
            SplittableRandom r = new SplittableRandom(3);
            Batch b = new Batch(steps, batch).reset(steps, batch);
            for (int s = 0; s < batch; s++) {
                int len = s == 0 ? steps : 1 + r.nextInt(steps);   // ragged, unsorted
                b.lengths()[s] = len;
                for (int t = 0; t < steps; t++) b.setToken(t, s, t < len ? 2 + r.nextInt(cfg.vocabSize() - 2) : 0);
                b.labels()[s] = r.nextInt(2);
            }
            for (int k = 0; k < 3; k++) {
                m.zeroGrad();
                all.add(new float[] {m.forward(b, true)});
                m.backward();
                all.add(new float[] {GradientClipping.clipGradNorm(m.parameters(), 0.5f)});
                GradientClipping.clipGradValue(m.parameters(), 0.01f);
                for (Parameter p : m.parameters()) all.add(p.grad().toArray());
                opt.step();
            }
            for (Parameter p : m.parameters()) all.add(p.value().toArray());
            for (FloatMatrix st : opt.state().values()) all.add(st.toArray());
            all.add(m.logits(b).toArray());
        } finally {
            Engine.setThreads(prev);
        }
        return all;
    }

    @Test
    void theMeasuredChoiceChangesNoBit() {
        RecurrentConfig cfg = RecurrentConfig.of(CellType.LSTM, IN, H).withLayers(2).withDropout(0.2f).withSeed(9);
        // through the first sampling window (both splits timed, then the faster one used)
        int forwards = RecurrenceScheduler.SETTLE + 2 * RecurrenceScheduler.SAMPLES + 2;
        List<float[]> one = trainStep(cfg, 1, null, forwards);
        assertSameBits(one, trainStep(cfg, 2, null, forwards), "2 threads, measured split");
        RecurrentConfig bi = RecurrentConfig.of(CellType.GRU, IN, H).withBidirectional(DirectionMerge.SUM).withSeed(4);
        assertSameBits(trainStep(bi, 1, null, forwards), trainStep(bi, 2, null, forwards),
                "bidirectional GRU, 2 threads, measured split");
    }

    @Test
    void confinedCallerMemoryRunsOnTheCallingThread() {
        int prev = Engine.threads();
        Engine.setThreads(2);
        RecurrentConfig cfg = RecurrentConfig.of(CellType.GRU, IN, H).withBidirectional(DirectionMerge.CONCAT);
        try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared();
             RecurrentLayer l = new RecurrentLayer("c.", cfg, STEPS, B)) {
            l.scheduler().force(Split.ROWS);
            FloatMatrix x = GradientCheckTest.random(shared, STEPS * B, IN, new Random(1));
            FloatMatrix h0Confined = GradientCheckTest.random(confined, 2 * B, H, new Random(2));
            FloatMatrix h0Shared = FloatMatrix.allocate(shared, 2 * B, H);
            h0Shared.copyFrom(h0Confined);
            FloatMatrix dhNConfined = GradientCheckTest.random(confined, 2 * B, H, new Random(3));
            float[] a = l.forward(x, B, null, h0Shared, null, true).toArray();
            float[] da = l.backward(null, dhNConfined, null).toArray();
            float[] b = l.forward(x, B, null, h0Confined, null, true).toArray();
            assertArrayEquals(a, b);
            assertArrayEquals(da, l.backward(null, dhNConfined, null).toArray());
        } finally {
            Engine.setThreads(prev);
        }
    }
}
