package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.management.ThreadMXBean;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming a model whose recurrent stack drops out between layers is bit-exact: the inter-layer
 * masks are a hash of (seed, call counter, element), and the counter travels in the checkpoint.
 */
class RecurrentDropoutResumeTest {

    @TempDir
    Path dir;

    static final int T = SequenceModelTest.T, B = SequenceModelTest.B, N = 3, M = 3;
    static final ModelConfig CFG = ModelConfig.defaults(CellType.LSTM, SequenceModelTest.V)
            .withEmbedDim(4).withHidden(5).withLayers(2).withDropout(0.3f);
    static final long SEED = 11;

    @Test
    void twoLayerLstmWithDropoutResumedFromACheckpointEndsBitIdentical() throws Exception {
        List<float[]> straight;
        try (SequenceClassifier m = new SequenceClassifier(CFG, SEED, T, B); Adam opt = new Adam(m.parameters(), 0.02f)) {
            for (int i = 0; i < N + M; i++) step(m, opt, i);
            assertEquals(N + M, m.recurrent().dropoutCalls(), "one mask draw per training forward");
            straight = values(m);
        }
        Path f = checkpointAfterN();
        try (SequenceModel m = Checkpoint.load(f, T, B); Adam opt = new Adam(m.parameters(), 0.02f)) {
            opt.loadState(SafeTensors.read(f));
            assertEquals(N, ((SequenceClassifier) m).recurrent().dropoutCalls(), "the counter is restored from the checkpoint");
            for (int i = N; i < N + M; i++) step((SequenceClassifier) m, opt, i);
            assertWeights(straight, values(m), true);
        }
    }

    @Test
    void resumingWithoutTheCounterDrawsOtherMasksAndDiverges() throws Exception {
        // what happened before the counter was saved: the resumed layer started its mask stream anew
        List<float[]> straight;
        try (SequenceClassifier m = new SequenceClassifier(CFG, SEED, T, B); Adam opt = new Adam(m.parameters(), 0.02f)) {
            for (int i = 0; i < N + M; i++) step(m, opt, i);
            straight = values(m);
        }
        Path f = checkpointAfterN();
        try (SequenceModel m = Checkpoint.load(f, T, B); Adam opt = new Adam(m.parameters(), 0.02f)) {
            opt.loadState(SafeTensors.read(f));
            ((SequenceClassifier) m).recurrent().setDropoutCalls(0);
            for (int i = N; i < N + M; i++) step((SequenceClassifier) m, opt, i);
            assertWeights(straight, values(m), false);
        }
    }

    @Test
    void rngStateCarriesTheRecurrentCounter() {
        try (SequenceClassifier m = new SequenceClassifier(CFG, SEED, T, B);
             SequenceClassifier other = new SequenceClassifier(CFG, SEED, T, B)) {
            m.recurrent().setDropoutCalls(41);
            Map<String, String> st = m.rngState();
            assertEquals("41", st.get("recur.rng.recurrent_dropout"));
            other.restoreRngState(st);
            assertEquals(41, other.recurrent().dropoutCalls());
            other.restoreRngState(Map.of());   // an older checkpoint without the key leaves it alone
            assertEquals(41, other.recurrent().dropoutCalls());
        }
    }

    @Test
    void interLayerMasksAreAFunctionOfTheCounter() {
        var cfg = RecurrentConfig.of(CellType.LSTM, 3, 8).withLayers(3).withDropout(0.3f).withSeed(5);
        try (Arena arena = Arena.ofShared(); RecurrentLayer l = new RecurrentLayer("r.", cfg, 4, 2)) {
            FloatMatrix x = FloatMatrix.allocate(arena, 8, 3);
            SplittableRandom r = new SplittableRandom(2);
            float[] v = new float[24];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
            x.copyFrom(v);

            l.setDropoutCalls(5);
            float[] at5 = l.forward(x, 2, null, null, null, true).toArray();
            assertEquals(6, l.dropoutCalls(), "a training forward advances the counter by one");
            l.forward(x, 2, null, null, null, false);
            assertEquals(6, l.dropoutCalls(), "inference draws no mask");
            float[] at6 = l.forward(x, 2, null, null, null, true).toArray();
            l.setDropoutCalls(5);
            float[] at5again = l.forward(x, 2, null, null, null, true).toArray();

            assertArrayEquals(at5, at5again, "same counter, same masks, same output");
            assertFalse(Arrays.equals(at5, at6), "another counter draws other masks");
            assertThrows(IllegalArgumentException.class, () -> l.setDropoutCalls(-1));
        }
        try (RecurrentLayer one = new RecurrentLayer("r.", cfg.withLayers(1), 4, 2)) {
            assertEquals(0, one.dropoutCalls());
        }
    }

    @Test
    void steadyStateTrainingStepsWithInterLayerDropoutAllocateNothing() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        var cfg = RecurrentConfig.of(CellType.LSTM, 8, 16).withLayers(2).withDropout(0.3f).withSeed(3);
        try (Arena arena = Arena.ofShared(); RecurrentLayer l = new RecurrentLayer("r.", cfg, 10, 8)) {
            FloatMatrix x = FloatMatrix.allocate(arena, 80, 8), dOut = FloatMatrix.allocate(arena, 80, 16);
            SplittableRandom r = new SplittableRandom(4);
            float[] v = new float[80 * 16];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
            dOut.copyFrom(v);
            x.copyFrom(Arrays.copyOf(v, 80 * 8));
            int[] lengths = {10, 9, 9, 7, 5, 5, 2, 1};
            // steady state = after the JIT compiled the kernels; warm up in rounds until one allocates nothing
            long bytes = -1;
            // the budget is this JVM's CPU time (JIT threads included), not wall time: on a loaded
            // machine the compile queue advances only as fast as the JVM gets CPU
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuEnd = os.getProcessCpuTime() + 60_000_000_000L;
            while (bytes != 0 && os.getProcessCpuTime() < cpuEnd) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200; i++) {
                    l.forward(x, 8, lengths, null, null, true);
                    l.backward(dOut, null, null);
                }
                bytes = mx.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, bytes, "bytes allocated by 200 steady-state training steps with dropout masks");
            assertTrue(l.dropoutCalls() >= 200, "every training forward drew masks");
        }
    }

    /** Trains the first N steps of the run and checkpoints model, optimizer and random streams. */
    private Path checkpointAfterN() throws Exception {
        Path f = dir.resolve("after-" + N + ".safetensors");
        try (SequenceClassifier m = new SequenceClassifier(CFG, SEED, T, B); Adam opt = new Adam(m.parameters(), 0.02f)) {
            for (int i = 0; i < N; i++) step(m, opt, i);
            assertEquals(Long.toString(N), m.rngState().get("recur.rng.recurrent_dropout"));
            Checkpoint.save(f, m, opt, Map.of());
        }
        return f;
    }

    private static void step(SequenceClassifier m, Adam opt, int i) {
        m.zeroGrad();
        m.forward(SequenceModelTest.batch(100 + i), true);
        m.backward();
        GradientClipping.clipGradNorm(m.parameters(), 1f);
        opt.step();
    }

    private static List<float[]> values(SequenceModel m) {
        return m.parameters().stream().map(p -> p.value().toArray()).toList();
    }

    private static void assertWeights(List<float[]> expected, List<float[]> actual, boolean same) {
        assertEquals(expected.size(), actual.size());
        boolean allEqual = true;
        for (int i = 0; i < expected.size(); i++) {
            if (same) assertArrayEquals(expected.get(i), actual.get(i), "parameter " + i + " after resume");
            allEqual &= Arrays.equals(expected.get(i), actual.get(i));
        }
        if (!same) assertFalse(allEqual, "resuming with the mask stream restarted should change the trained weights");
    }
}
