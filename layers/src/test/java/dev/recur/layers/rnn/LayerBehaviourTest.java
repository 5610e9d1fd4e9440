package dev.recur.layers.rnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Names, shapes, initialisation, determinism, allocation, truncated BPTT and input checks. */
class LayerBehaviourTest {

    @Test
    void parametersHavePyTorchNamesShapesAndOrder() {
        var cfg = RecurrentConfig.of(CellType.LSTM, 3, 4).withLayers(2).withBidirectional(DirectionMerge.CONCAT);
        try (RecurrentLayer l = new RecurrentLayer("lstm.", cfg, 2, 2)) {
            List<String> names = l.parameters().stream().map(Parameter::toString).toList();
            assertEquals(List.of(
                    "lstm.weight_ih_l0 16×3", "lstm.weight_hh_l0 16×4", "lstm.bias_ih_l0 1×16", "lstm.bias_hh_l0 1×16",
                    "lstm.weight_ih_l0_reverse 16×3", "lstm.weight_hh_l0_reverse 16×4",
                    "lstm.bias_ih_l0_reverse 1×16", "lstm.bias_hh_l0_reverse 1×16",
                    "lstm.weight_ih_l1 16×8", "lstm.weight_hh_l1 16×4", "lstm.bias_ih_l1 1×16", "lstm.bias_hh_l1 1×16",
                    "lstm.weight_ih_l1_reverse 16×8", "lstm.weight_hh_l1_reverse 16×4",
                    "lstm.bias_ih_l1_reverse 1×16", "lstm.bias_hh_l1_reverse 1×16"), names);
            assertEquals(8, l.outputSize());
        }
        try (RecurrentLayer g = new RecurrentLayer("gru.", RecurrentConfig.of(CellType.GRU, 3, 4), 2, 2)) {
            assertEquals(12, g.parameter("gru.weight_hh_l0").rows());
        }
    }

    @Test
    void defaultInitIsUniformWithinOneOverSqrtHiddenAndSeeded() {
        var cfg = RecurrentConfig.of(CellType.GRU, 6, 16).withSeed(9);
        try (RecurrentLayer a = new RecurrentLayer("g.", cfg, 1, 1); RecurrentLayer b = new RecurrentLayer("g.", cfg, 1, 1);
             RecurrentLayer c = new RecurrentLayer("g.", cfg.withSeed(10), 1, 1)) {
            float bound = 0.25f;
            boolean differs = false;
            for (int i = 0; i < a.parameters().size(); i++) {
                float[] va = a.parameters().get(i).value().toArray();
                assertArrayEquals(va, b.parameters().get(i).value().toArray(), "same seed, same numbers");
                float max = 0;
                for (float v : va) max = Math.max(max, Math.abs(v));
                assertTrue(max <= bound && max > 0.8f * bound, "uniform ±1/√H, max |w| " + max);
                differs |= !java.util.Arrays.equals(va, c.parameters().get(i).value().toArray());
            }
            assertTrue(differs, "another seed gives other numbers");
        }
    }

    @Test
    void orthogonalRecurrentBlocksAndForgetBiasOne() {
        var cfg = RecurrentConfig.of(CellType.LSTM, 3, 8).withOrthogonalRecurrent(true).withForgetBiasOne(true);
        try (RecurrentLayer l = new RecurrentLayer("l.", cfg, 1, 1)) {
            FloatMatrix w = l.parameter("l.weight_hh_l0").value();
            for (int gate = 0; gate < 4; gate++) {
                for (int i = 0; i < 8; i++) {
                    for (int j = 0; j < 8; j++) {
                        double dot = 0;
                        for (int k = 0; k < 8; k++) dot += w.get(gate * 8 + i, k) * w.get(gate * 8 + j, k);
                        assertEquals(i == j ? 1 : 0, dot, 1e-5, "block " + gate + " rows " + i + "," + j);
                    }
                }
            }
            FloatMatrix bih = l.parameter("l.bias_ih_l0").value(), bhh = l.parameter("l.bias_hh_l0").value();
            for (int j = 8; j < 16; j++) assertEquals(1f, bih.get(0, j) + bhh.get(0, j));
        }
    }

    private static float[][] trainStep(int threads, CellType cell) {
        int prev = Engine.threads();
        Engine.setThreads(threads);
        try (Arena arena = Arena.ofShared();
             RecurrentLayer l = new RecurrentLayer("r.", RecurrentConfig.of(cell, 16, 24)
                     .withLayers(2).withBidirectional(DirectionMerge.CONCAT).withDropout(0.3f).withSeed(4), 12, 40)) {
            Random rnd = new Random(3);
            int[] lengths = new int[40];
            for (int i = 0; i < 40; i++) lengths[i] = 12 - i / 4;
            FloatMatrix x = GradientCheckTest.random(arena, 12 * 40, 16, rnd);
            FloatMatrix dOut = GradientCheckTest.random(arena, 12 * 40, 48, rnd);
            float[] out = l.forward(x, 40, lengths, null, null, true).toArray();
            float[] dx = l.backward(dOut, null, null).toArray();
            float[][] all = new float[2 + l.parameters().size()][];
            all[0] = out;
            all[1] = dx;
            for (int i = 0; i < l.parameters().size(); i++) all[2 + i] = l.parameters().get(i).grad().toArray();
            return all;
        } finally {
            Engine.setThreads(prev);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU"})
    void sameSeedAndThreadsGiveTheSameNumbersBitForBit(CellType cell) {
        float[][] a = trainStep(2, cell), b = trainStep(2, cell);
        for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], "array " + i);
        float[][] one = trainStep(1, cell);
        for (int i = 0; i < a.length; i++) assertArrayEquals(one[i], a[i], "1 vs 2 threads, bit for bit, array " + i);
    }

    @Test
    void steadyStateForwardAndBackwardAllocateNothing() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared();
             RecurrentLayer l = new RecurrentLayer("r.", RecurrentConfig.of(CellType.LSTM, 8, 16)
                     .withBidirectional(DirectionMerge.CONCAT), 10, 8)) {
            FloatMatrix x = GradientCheckTest.random(arena, 80, 8, new Random(1));
            FloatMatrix dOut = GradientCheckTest.random(arena, 80, 32, new Random(2));
            int[] lengths = {10, 9, 9, 7, 5, 5, 2, 1};
            l.setGradientWindow(3);   // the truncated-BPTT cut must allocate nothing either
            // steady state = after the JIT compiled the kernels (interpreted or C1 code boxes
            // vectors); warm up in rounds until a round allocates nothing, for at most ~60 s (a loaded machine compiles slowly)
            long bytes = -1;
            // the budget is this JVM's CPU time (JIT threads included), not wall time: on a loaded
            // machine the compile queue advances only as fast as the JVM gets CPU
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuEnd = os.getProcessCpuTime() + 60_000_000_000L;
            while (bytes != 0 && os.getProcessCpuTime() < cpuEnd) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200; i++) {
                    l.forward(x, 8, lengths, null, null, true);
                    l.finalHidden();
                    l.backward(dOut, null, null);
                }
                bytes = mx.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, bytes, "bytes allocated by 200 steady-state training steps");
        }
    }

    @Test
    void truncatedBpttCarriesTheStateAndCutsTheGradient() {
        var cfg = RecurrentConfig.of(CellType.LSTM, 3, 4).withSeed(2);
        int batch = 2, total = 9, h = 4;
        int[] lengths = {9, 9};
        try (Arena arena = Arena.ofShared(); RecurrentLayer full = new RecurrentLayer("g.", cfg, total, batch);
             RecurrentLayer win = new RecurrentLayer("g.", cfg, 4, batch);
             RecurrentLayer ref = new RecurrentLayer("g.", cfg, 1, batch)) {
            FloatMatrix x = GradientCheckTest.random(arena, total * batch, 3, new Random(1));
            // the loss sees only the last step (step 8, alone in the third window)
            FloatMatrix dOut = FloatMatrix.allocate(arena, total * batch, h);
            for (int b = 0; b < batch; b++) for (int c = 0; c < h; c++) dOut.set(8 * batch + b, c, 1f + c);
            float[] expected = full.forward(x, batch, lengths, null, null, true).toArray();
            full.backward(dOut, null, null);
            float[] fullGrad = full.parameter("g.weight_ih_l0").grad().toArray();

            float[] got = new float[expected.length];
            FloatMatrix carriedH = FloatMatrix.allocate(arena, batch, h), carriedC = FloatMatrix.allocate(arena, batch, h);
            FloatMatrix lastGrad = dOut.rowRange(8 * batch, batch);
            int windows = 0;
            win.setStateful(true);
            int[] windowLengths = new int[batch];
            for (int w = 0, t0 = 0; t0 < total; w++, t0 += 4) {
                int steps = Math.min(4, total - t0);
                for (int b = 0; b < batch; b++) windowLengths[b] = Math.min(steps, lengths[b] - t0);
                FloatMatrix out = win.forward(x.rowRange(t0 * batch, steps * batch), batch, windowLengths, null, null, true);
                System.arraycopy(out.toArray(), 0, got, t0 * batch * h, steps * batch * h);
                windows++;
                if (w == 1) {                     // the state the last window starts from
                    carriedH.copyFrom(win.finalHidden());
                    carriedC.copyFrom(win.finalCell());
                }
                if (w == 2) win.backward(lastGrad, null, null);
            }
            assertEquals(3, windows);
            assertArrayEquals(expected, got, 1e-6f, "windowed outputs equal the full run: the state is carried");
            float[] windowGrad = win.parameter("g.weight_ih_l0").grad().toArray();
            // the cut: the gradient is exactly that of the last window run alone from the carried state
            ref.forward(x.rowRange(8 * batch, batch), batch, null, carriedH, carriedC, true);
            ref.backward(lastGrad, null, null);
            assertArrayEquals(ref.parameter("g.weight_ih_l0").grad().toArray(), windowGrad, 1e-6f);
            // ... and differs from full BPTT, which reaches back into steps 0..7
            double diff = 0;
            for (int i = 0; i < fullGrad.length; i++) diff += Math.abs(fullGrad[i] - windowGrad[i]);
            assertTrue(diff > 1e-3, "truncation changed the gradient (Σ|Δ| = " + diff + ")");
        }
    }

    @Test
    void aGradientInConfinedMemoryWorksWithTwoThreads() {
        int prev = Engine.threads();
        Engine.setThreads(2);
        try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared();
             RecurrentLayer l = new RecurrentLayer("c.", RecurrentConfig.of(CellType.GRU, 4, 8), 3, 32)) {
            FloatMatrix x = GradientCheckTest.random(shared, 96, 4, new Random(1));
            FloatMatrix dOutConfined = GradientCheckTest.random(confined, 96, 8, new Random(2));
            FloatMatrix dOutShared = FloatMatrix.allocate(shared, 96, 8);
            dOutShared.copyFrom(dOutConfined);
            l.forward(x, 32, null, null, null, true);
            float[] a = l.backward(dOutShared, null, null).toArray();
            l.forward(x, 32, null, null, null, true);
            float[] b = l.backward(dOutConfined, null, null).toArray();
            assertArrayEquals(a, b);
        } finally {
            Engine.setThreads(prev);
        }
    }

    @Test
    void interLayerDropoutOnlyInTrainingAndInverted() {
        var cfg = RecurrentConfig.of(CellType.RNN_RELU, 4, 64).withLayers(2).withDropout(0.5f).withSeed(8);
        try (Arena arena = Arena.ofShared(); RecurrentLayer l = new RecurrentLayer("d.", cfg, 3, 2)) {
            FloatMatrix x = GradientCheckTest.random(arena, 6, 4, new Random(4));
            float[] eval1 = l.forward(x, 2, null, null, null, false).toArray();
            float[] eval2 = l.forward(x, 2, null, null, null, false).toArray();
            assertArrayEquals(eval1, eval2, "no dropout in inference");
            float[] train1 = l.forward(x, 2, null, null, null, true).toArray();
            float[] train2 = l.forward(x, 2, null, null, null, true).toArray();
            assertFalse(java.util.Arrays.equals(eval1, train1), "dropout changes training outputs");
            assertFalse(java.util.Arrays.equals(train1, train2), "a new mask per training forward");
            // a single layer has nothing to drop between layers
            try (RecurrentLayer one = new RecurrentLayer("d.", cfg.withLayers(1), 3, 2)) {
                assertArrayEquals(one.forward(x, 2, null, null, null, false).toArray(),
                        one.forward(x, 2, null, null, null, true).toArray());
            }
        }
    }

    @Test
    void badInputGetsClearErrors() {
        try (Arena arena = Arena.ofShared(); RecurrentLayer l = new RecurrentLayer("r.", RecurrentConfig.of(CellType.RNN_TANH, 3, 4), 5, 2)) {
            FloatMatrix x = FloatMatrix.allocate(arena, 6, 3);
            var e = assertThrows(IllegalArgumentException.class, () -> l.forward(x, 2, new int[] {1, 3}, null, null, true));
            assertTrue(e.getMessage().contains("non-increasing"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> l.forward(x, 2, new int[] {4, 3}, null, null, true));
            assertTrue(e.getMessage().contains("outside [0, 3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> l.forward(FloatMatrix.allocate(arena, 12, 3), 2, null, null, null, true));
            assertTrue(e.getMessage().contains("maxSteps"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> l.forward(FloatMatrix.allocate(arena, 6, 2), 2, null, null, null, true));
            assertTrue(e.getMessage().contains("inputSize"), e.getMessage());
            var s = assertThrows(IllegalStateException.class, () -> l.backward(null, null, null));
            assertTrue(s.getMessage().contains("forward"), s.getMessage());
            l.forward(x, 2, null, null, null, false);
            s = assertThrows(IllegalStateException.class, () -> l.backward(null, null, null));
            assertTrue(s.getMessage().contains("inference"), s.getMessage());
            assertFalse(e.getMessage().isBlank());
        }
    }
}
