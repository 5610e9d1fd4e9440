package dev.recur.layers.rnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * {@link RecurrentLayer#setStateful}: consecutive windows of long sequences, each sorted by its own
 * window lengths (so a sequence changes row from window to window), continue each sequence exactly
 * where it stopped — the outputs equal one forward over the whole sequences, bit for bit — while the
 * gradient stops at the window border (it equals the gradient of windows fed the detached state by
 * hand).
 */
class StatefulTest {
    private static final int TOTAL = 11, IN = 3, H = 5, WINDOW = 4;
    /** Caller's order, unsorted: the windows' sort orders differ. */
    private static final int[] LENGTHS = {5, 11, 2, 9};
    private static final int B = LENGTHS.length;

    private static RecurrentConfig config(CellType cell) {
        return RecurrentConfig.of(cell, IN, H).withLayers(2).withBidirectional(DirectionMerge.CONCAT).withSeed(6);
    }

    /** Window w of the caller's time-major input, rows permuted by order. */
    private static void windowInput(FloatMatrix x, int t0, int steps, int[] order, FloatMatrix dst) {
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < B; i++) {
                for (int c = 0; c < IN; c++) dst.set(t * B + i, c, x.get((t0 + t) * B + order[i], c));
            }
        }
    }

    /** Stable order of the caller's rows by non-increasing window length, and the sorted lengths. */
    private static int[] windowOrder(int t0, int steps, int[] sortedLens) {
        int[] lens = new int[B];
        for (int b = 0; b < B; b++) lens[b] = Math.max(0, Math.min(steps, LENGTHS[b] - t0));
        int[] order = RecurrentLayer.descendingOrder(lens);
        for (int i = 0; i < B; i++) sortedLens[i] = lens[order[i]];
        return order;
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void windowsContinueEachSequenceBitForBit(CellType cell) {
        try (Arena arena = Arena.ofShared();
             RecurrentLayer full = new RecurrentLayer("s.", RecurrentConfig.of(cell, IN, H).withLayers(2).withSeed(6), TOTAL, B);
             RecurrentLayer win = new RecurrentLayer("s.", RecurrentConfig.of(cell, IN, H).withLayers(2).withSeed(6), WINDOW, B)) {
            FloatMatrix x = GradientCheckTest.random(arena, TOTAL * B, IN, new Random(3));
            // the reference: all steps at once, sorted by the whole lengths
            int[] sortedAll = new int[B];
            int[] orderAll = windowOrder(0, TOTAL, sortedAll);
            FloatMatrix xs = FloatMatrix.allocate(arena, TOTAL * B, IN);
            windowInput(x, 0, TOTAL, orderAll, xs);
            FloatMatrix outAll = full.forward(xs, B, sortedAll, null, null, false);
            int w2 = H;
            float[][] expected = new float[B][TOTAL * w2];   // caller's sequence b, step t
            for (int t = 0; t < TOTAL; t++) {
                for (int i = 0; i < B; i++) {
                    for (int c = 0; c < w2; c++) expected[orderAll[i]][t * w2 + c] = outAll.get(t * B + i, c);
                }
            }
            float[] expectedH = full.finalHidden().toArray();

            win.setStateful(true);
            assertTrue(win.isStateful());
            assertEquals(0, win.carriedBatch());
            float[][] got = new float[B][TOTAL * w2];
            FloatMatrix xw = FloatMatrix.allocate(arena, WINDOW * B, IN);
            int[] lens = new int[B];
            for (int t0 = 0; t0 < TOTAL; t0 += WINDOW) {
                int steps = Math.min(WINDOW, TOTAL - t0);
                int[] order = windowOrder(t0, steps, lens);
                FloatMatrix xi = xw.rowRange(0, steps * B);
                windowInput(x, t0, steps, order, xi);
                FloatMatrix out = win.forward(xi, B, lens, order, false);
                for (int t = 0; t < steps; t++) {
                    for (int i = 0; i < B; i++) {
                        for (int c = 0; c < w2; c++) got[order[i]][(t0 + t) * w2 + c] = out.get(t * B + i, c);
                    }
                }
            }
            // (a reverse direction could not continue: it runs from each window's end)
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < LENGTHS[b]; t++) {
                    for (int c = 0; c < H; c++) {
                        assertEquals(Float.floatToIntBits(expected[b][t * w2 + c]), Float.floatToIntBits(got[b][t * w2 + c]),
                                "sequence " + b + " step " + t + " unit " + c);
                    }
                }
            }
            assertEquals(B, win.carriedBatch());
            // the carried state of both layers is the whole run's final state, in caller order
            FloatMatrix carried = win.carriedHidden();
            for (int l = 0; l < 2; l++) {
                for (int i = 0; i < B; i++) {
                    for (int c = 0; c < H; c++) {
                        assertEquals(expectedH[(l * B + i) * H + c], carried.get(l * B + orderAll[i], c),
                                "h_n of layer " + l + ", sequence " + orderAll[i]);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void theGradientStopsAtTheWindowBorder(CellType cell) {
        RecurrentConfig cfg = config(cell);
        boolean lstm = cell.hasCellState();
        try (Arena arena = Arena.ofShared();
             RecurrentLayer byHand = new RecurrentLayer("s.", cfg, WINDOW, B);
             RecurrentLayer stateful = new RecurrentLayer("s.", cfg, WINDOW, B)) {
            int[] lens = {4, 4, 3, 1};                     // sorted: identity order, full windows for two rows
            FloatMatrix x = GradientCheckTest.random(arena, 2 * WINDOW * B, IN, new Random(5));
            FloatMatrix dOut = GradientCheckTest.random(arena, WINDOW * B, 2 * H, new Random(6));
            int states = cfg.numLayers() * cfg.directions() * B;
            FloatMatrix h = FloatMatrix.allocate(arena, states, H), c = FloatMatrix.allocate(arena, states, H);
            stateful.setStateful(true);
            for (int w = 0; w < 2; w++) {
                FloatMatrix xw = x.rowRange(w * WINDOW * B, WINDOW * B);
                byHand.forward(xw, B, lens, w == 0 ? null : h, w == 0 || !lstm ? null : c, true);
                float[] dxHand = byHand.backward(dOut, null, null).toArray();
                h.copyFrom(byHand.finalHidden());
                if (lstm) c.copyFrom(byHand.finalCell());
                stateful.forward(xw, B, lens, null, null, true);
                float[] dxStateful = stateful.backward(dOut, null, null).toArray();
                assertArrayEquals(dxHand, dxStateful, "window " + w + " input gradient");
                assertArrayEquals(byHand.gradInitialHidden().toArray(), stateful.gradInitialHidden().toArray());
            }
            for (int i = 0; i < byHand.parameters().size(); i++) {
                assertArrayEquals(byHand.parameters().get(i).grad().toArray(), stateful.parameters().get(i).grad().toArray(),
                        byHand.parameters().get(i).name());
            }
        }
    }

    @Test
    void carriedStateSavesRestoresAndResets() {
        RecurrentConfig cfg = RecurrentConfig.of(CellType.LSTM, IN, H).withSeed(4);
        try (Arena arena = Arena.ofShared();
             RecurrentLayer a = new RecurrentLayer("s.", cfg, WINDOW, B);
             RecurrentLayer b = new RecurrentLayer("s.", cfg, WINDOW, B)) {
            FloatMatrix x = GradientCheckTest.random(arena, WINDOW * B, IN, new Random(7));
            a.setStateful(true);
            b.setStateful(true);
            float[] first = a.forward(x, B, null, null, null, false).toArray();
            // resume in another layer from the saved state: same next window
            b.setCarriedState(a.carriedHidden(), a.carriedCell());
            float[] second = a.forward(x, B, null, null, null, false).toArray();
            assertArrayEquals(second, b.forward(x, B, null, null, null, false).toArray());
            assertFalse(Arrays.equals(first, second), "the carried state changed the second window");
            // reset: back to the first window's result
            a.resetState();
            assertEquals(0, a.carriedBatch());
            assertArrayEquals(first, a.forward(x, B, null, null, null, false).toArray());
            // resetting one row restarts only that sequence
            a.resetState(2);
            float[] partial = a.forward(x, B, null, null, null, false).toArray();
            for (int t = 0; t < WINDOW; t++) {
                for (int r = 0; r < B; r++) {
                    float[] ref = r == 2 ? first : second;
                    for (int c = 0; c < H; c++) {
                        int i = (t * B + r) * H + c;
                        assertEquals(ref[i], partial[i], "step " + t + " row " + r);
                    }
                }
            }
        }
    }

    @Test
    void misuseGetsClearErrors() {
        try (Arena arena = Arena.ofShared();
             RecurrentLayer l = new RecurrentLayer("s.", RecurrentConfig.of(CellType.GRU, IN, H), WINDOW, B)) {
            FloatMatrix x = FloatMatrix.allocate(arena, WINDOW * B, IN);
            FloatMatrix h = FloatMatrix.allocate(arena, B, H);
            var s = assertThrows(IllegalStateException.class, () -> l.forward(x, B, null, new int[] {0, 1, 2, 3}, true));
            assertTrue(s.getMessage().contains("setStateful"), s.getMessage());
            l.setStateful(true);
            var e = assertThrows(IllegalArgumentException.class, () -> l.forward(x, B, null, h, null, true));
            assertTrue(e.getMessage().contains("stateful"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> l.forward(x, B, null, new int[] {0, 1, 1, 3}, true));
            assertTrue(e.getMessage().contains("permutation"), e.getMessage());
            l.forward(x, B, null, null, null, true);
            e = assertThrows(IllegalArgumentException.class, () -> l.forward(x.rowRange(0, 2 * WINDOW), 2, null, null, null, true));
            assertTrue(e.getMessage().contains("resetState"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> l.setCarriedState(h, h));
            assertTrue(e.getMessage().contains("no cell state"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> l.setCarriedState(FloatMatrix.allocate(arena, B, H + 1), null));
            assertTrue(e.getMessage().contains("hidden"), e.getMessage());
            l.resetState();
            var c = assertThrows(IllegalStateException.class, l::carriedHidden);
            assertTrue(c.getMessage().contains("carriedBatch"), c.getMessage());
        }
    }
}
