package dev.recur.layers;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** The last-value shift: its statistics, both maps, their gradients and its errors. */
class LastValueShiftTest {
    static final int L = 3, B = 2, C = 2, H = 2;

    @Test
    void subtractsEachWindowsLastValueAndAddsItBack() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.allocate(a, L * B, C);
            for (int r = 0; r < L * B; r++) for (int c = 0; c < C; c++) x.set(r, c, 10 * r + c + 0.5f);
            LastValueShift n = new LastValueShift(C);
            n.statistics(x, B);
            for (int b = 0; b < B; b++) for (int c = 0; c < C; c++) assertEquals(x.get((L - 1) * B + b, c), n.last(b, c));
            FloatMatrix y = FloatMatrix.allocate(a, L * B, C);
            n.normalise(x, y);
            for (int t = 0; t < L; t++) {
                for (int b = 0; b < B; b++) {
                    for (int c = 0; c < C; c++) assertEquals(x.get(t * B + b, c) - n.last(b, c), y.get(t * B + b, c));
                }
            }
            for (int b = 0; b < B; b++) for (int c = 0; c < C; c++) assertEquals(0f, y.get((L - 1) * B + b, c));
            FloatMatrix pred = FloatMatrix.allocate(a, H * B, C), out = FloatMatrix.allocate(a, H * B, C);
            for (int r = 0; r < H * B; r++) for (int c = 0; c < C; c++) pred.set(r, c, r - c);
            n.denormalise(pred, out);
            for (int t = 0; t < H; t++) {
                for (int b = 0; b < B; b++) {
                    for (int c = 0; c < C; c++) assertEquals(pred.get(t * B + b, c) + n.last(b, c), out.get(t * B + b, c));
                }
            }
            n.denormalise(pred, pred);   // in place
            assertArrayEquals(out.toArray(), pred.toArray());
        }
    }

    @Test
    void gradientsPassThroughUnchanged() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.allocate(a, L * B, C), g = FloatMatrix.allocate(a, L * B, C), d = FloatMatrix.allocate(a, L * B, C);
            for (int r = 0; r < L * B; r++) for (int c = 0; c < C; c++) { x.set(r, c, r * c); g.set(r, c, 1f / (r + c + 1)); }
            LastValueShift n = new LastValueShift(C);
            n.statistics(x, B);
            d.fill(Float.NaN);
            n.normaliseBackward(x, g, d);
            assertArrayEquals(g.toArray(), d.toArray());
            d.fill(Float.NaN);
            n.denormaliseBackward(x, g, d);
            assertArrayEquals(g.toArray(), d.toArray());
            assertTrue(n.parameters().isEmpty());
            assertFalse(n.affine());
        }
    }

    @Test
    void refusesUseBeforeStatisticsAndWrongShapes() {
        try (Arena a = Arena.ofConfined()) {
            LastValueShift n = new LastValueShift(C);
            FloatMatrix x = FloatMatrix.allocate(a, L * B, C);
            assertThrows(IllegalStateException.class, () -> n.normalise(x, x));
            n.statistics(x, B);
            var e = assertThrows(IllegalArgumentException.class, () -> n.normalise(FloatMatrix.allocate(a, L * B, C + 1), x));
            assertTrue(e.getMessage().contains("time-major"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new LastValueShift(0));
        }
    }
}
