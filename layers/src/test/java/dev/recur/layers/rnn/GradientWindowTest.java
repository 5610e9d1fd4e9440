package dev.recur.layers.rnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link RecurrentLayer#setGradientWindow}: truncated BPTT inside one forward. With k ≥ T it is full
 * BPTT bit for bit; with k < T the gradients equal those of an explicit window-by-window run that
 * carries the detached state from one window to the next and feeds each window its slice of the
 * output gradient (summed over windows); the reverse direction's cut is the forward direction's cut
 * on the time-reversed sequence.
 */
class GradientWindowTest {
    private static final int STEPS = 11, IN = 3, H = 5, K = 4;
    private static final int[] LENGTHS = {11, 9, 6, 2};
    private static final int B = LENGTHS.length;

    /** Parameter gradients, input gradient and initial-state gradient of one forward + backward. */
    private record Grads(float[][] params, float[] dx, float[] dh0) {}

    private static Grads full(RecurrentLayer layer, FloatMatrix x, FloatMatrix dOut, int window) {
        layer.zeroGrad();
        layer.setGradientWindow(window);
        layer.forward(x, B, LENGTHS, null, null, true);
        float[] dx = layer.backward(dOut, null, null).toArray();
        float[] dh0 = layer.gradInitialHidden().toArray();
        layer.setGradientWindow(0);
        return new Grads(paramGrads(layer), dx, dh0);
    }

    /** The reference: windows of k steps, each from the detached final state of the previous one. */
    private static Grads windowed(RecurrentLayer layer, Arena arena, FloatMatrix x, FloatMatrix dOut, int k) {
        layer.zeroGrad();
        layer.setGradientWindow(0);
        int states = layer.config().numLayers() * layer.config().directions() * B;
        boolean lstm = layer.config().cell().hasCellState();
        FloatMatrix h = FloatMatrix.allocate(arena, states, H), c = FloatMatrix.allocate(arena, states, H);
        float[] dx = new float[STEPS * B * IN];
        float[] dh0 = null;
        int[] lens = new int[B];
        for (int t0 = 0; t0 < STEPS; t0 += k) {
            int steps = Math.min(k, STEPS - t0);
            for (int b = 0; b < B; b++) lens[b] = Math.max(0, Math.min(steps, LENGTHS[b] - t0));
            layer.forward(x.rowRange(t0 * B, steps * B), B, lens, t0 == 0 ? null : h, t0 == 0 || !lstm ? null : c, true);
            float[] wdx = layer.backward(dOut.rowRange(t0 * B, steps * B), null, null).toArray();
            System.arraycopy(wdx, 0, dx, t0 * B * IN, wdx.length);
            if (t0 == 0) dh0 = layer.gradInitialHidden().toArray();
            h.copyFrom(layer.finalHidden());
            if (lstm) c.copyFrom(layer.finalCell());
        }
        return new Grads(paramGrads(layer), dx, dh0);
    }

    private static float[][] paramGrads(RecurrentLayer layer) {
        return layer.parameters().stream().map(p -> p.grad().toArray()).toArray(float[][]::new);
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            float tol = 1e-5f * Math.max(1f, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, what + "[" + i + "]");
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void windowAtLeastTheSequenceIsFullBpttBitForBit(CellType cell) {
        RecurrentConfig cfg = RecurrentConfig.of(cell, IN, H).withLayers(2)
                .withBidirectional(DirectionMerge.CONCAT).withSeed(3);
        try (Arena arena = Arena.ofShared(); RecurrentLayer layer = new RecurrentLayer("w.", cfg, STEPS, B)) {
            FloatMatrix x = GradientCheckTest.random(arena, STEPS * B, IN, new Random(1));
            FloatMatrix dOut = GradientCheckTest.random(arena, STEPS * B, layer.outputSize(), new Random(2));
            Grads reference = full(layer, x, dOut, 0);
            for (int k : new int[] {STEPS, STEPS + 5}) {
                Grads g = full(layer, x, dOut, k);
                for (int i = 0; i < reference.params.length; i++) {
                    assertArrayEquals(reference.params[i], g.params[i], "k = " + k + ", " + layer.parameters().get(i).name());
                }
                assertArrayEquals(reference.dx, g.dx, "k = " + k + ", input gradient");
                assertArrayEquals(reference.dh0, g.dh0, "k = " + k + ", initial-state gradient");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void shortWindowEqualsWindowByWindowRunWithDetachedState(CellType cell) {
        RecurrentConfig cfg = RecurrentConfig.of(cell, IN, H).withLayers(2).withSeed(4);
        try (Arena arena = Arena.ofShared(); RecurrentLayer layer = new RecurrentLayer("w.", cfg, STEPS, B)) {
            FloatMatrix x = GradientCheckTest.random(arena, STEPS * B, IN, new Random(5));
            FloatMatrix dOut = GradientCheckTest.random(arena, STEPS * B, layer.outputSize(), new Random(6));
            Grads truncated = full(layer, x, dOut, K);
            Grads reference = windowed(layer, arena, x, dOut, K);
            for (int i = 0; i < reference.params.length; i++) {
                assertClose(reference.params[i], truncated.params[i], layer.parameters().get(i).name());
            }
            assertClose(reference.dx, truncated.dx, "input gradient");
            assertClose(reference.dh0, truncated.dh0, "initial-state gradient");
            // and the cut matters: full BPTT gives another recurrent-weight gradient
            Grads fullBptt = full(layer, x, dOut, 0);
            int whh = layer.parameters().indexOf(layer.parameter("w.weight_hh_l0"));
            assertFalse(Arrays.equals(fullBptt.params[whh], truncated.params[whh]),
                    "k = " + K + " < T must change the gradient of weight_hh_l0");
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void reverseDirectionCutIsTheForwardCutOnTheReversedSequence(CellType cell) {
        int t = 12, b = 3;   // t a multiple of K: the reversed windows fall on the same boundaries
        RecurrentConfig bi = RecurrentConfig.of(cell, IN, H).withBidirectional(DirectionMerge.CONCAT).withSeed(7);
        try (Arena arena = Arena.ofShared();
             RecurrentLayer both = new RecurrentLayer("b.", bi, t, b);
             RecurrentLayer uni = new RecurrentLayer("u.", RecurrentConfig.of(cell, IN, H).withSeed(8), t, b)) {
            for (String p : new String[] {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}) {
                uni.parameter("u." + p).value().copyFrom(both.parameter("b." + p + "_reverse").value());
            }
            FloatMatrix x = GradientCheckTest.random(arena, t * b, IN, new Random(9));
            FloatMatrix dRev = GradientCheckTest.random(arena, t * b, H, new Random(10));
            FloatMatrix xr = FloatMatrix.allocate(arena, t * b, IN);
            FloatMatrix dBoth = FloatMatrix.allocate(arena, t * b, 2 * H);   // forward columns stay 0
            FloatMatrix dUni = FloatMatrix.allocate(arena, t * b, H);
            for (int s = 0; s < t; s++) {
                for (int r = 0; r < b; r++) {
                    int row = s * b + r, mirrored = (t - 1 - s) * b + r;
                    for (int c = 0; c < IN; c++) xr.set(mirrored, c, x.get(row, c));
                    for (int c = 0; c < H; c++) {
                        dBoth.set(row, H + c, dRev.get(row, c));
                        dUni.set(mirrored, c, dRev.get(row, c));
                    }
                }
            }
            both.zeroGrad();
            uni.zeroGrad();
            both.setGradientWindow(K);
            uni.setGradientWindow(K);
            both.forward(x, b, null, null, null, true);
            float[] dxBoth = both.backward(dBoth, null, null).toArray();
            uni.forward(xr, b, null, null, null, true);
            float[] dxUni = uni.backward(dUni, null, null).toArray();
            for (String p : new String[] {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}) {
                assertClose(uni.parameter("u." + p).grad().toArray(),
                        both.parameter("b." + p + "_reverse").grad().toArray(), p + "_reverse");
            }
            float[] dxUniBack = new float[dxUni.length];
            for (int s = 0; s < t; s++) {
                System.arraycopy(dxUni, (t - 1 - s) * b * IN, dxUniBack, s * b * IN, b * IN);
            }
            assertClose(dxUniBack, dxBoth, "input gradient");
        }
    }

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = "LSTM")
    void negativeWindowIsRefused(CellType cell) {
        try (RecurrentLayer layer = new RecurrentLayer("w.", RecurrentConfig.of(cell, IN, H), STEPS, B)) {
            var e = assertThrows(IllegalArgumentException.class, () -> layer.setGradientWindow(-1));
            assertFalse(e.getMessage().isBlank());
        }
    }
}
