package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kernels the recurrent layer needs around its GEMMs: mulInPlace, addTransposed, copyRows, DropoutMask. */
class LayerKernelsTest {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private static MemorySegment random(Arena arena, int n, long seed) {
        Random rnd = new Random(seed);
        MemorySegment s = arena.allocate(Math.max(1, n) * 4L, 64);
        for (int i = 0; i < n; i++) s.setAtIndex(F, i, (float) rnd.nextGaussian());
        return s;
    }

    @Test
    void mulInPlaceIsTheElementWiseProduct() {
        for (int n : new int[] {0, 1, 15, 16, 17, 1000}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = random(arena, n + 3, n), b = random(arena, n + 3, n + 1);
                float[] want = new float[n];
                for (int i = 0; i < n; i++) want[i] = a.getAtIndex(F, 3 + i) * b.getAtIndex(F, 1 + i);
                VectorOps.mulInPlace(a, 3, b, 1, n);
                for (int i = 0; i < n; i++) assertEquals(want[i], a.getAtIndex(F, 3 + i), "n " + n + " i " + i);
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, 4, 1);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> VectorOps.mulInPlace(a, 1, a, 0, 4));
            assertTrue(e.getMessage().contains("mulInPlace"), e.getMessage());
        }
    }

    @Test
    void addTransposedAddsTheTransposeAndTheTwinsAgreeBitForBit() {
        for (int[] shape : new int[][] {{0, 3}, {1, 1}, {3, 5}, {33, 70}, {100, 65}}) {
            int rows = shape[0], cols = shape[1], ldSrc = cols + 3, ldDst = rows + 2;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment src = random(arena, rows * ldSrc + 5, rows * 7L + cols);
                MemorySegment d1 = random(arena, cols * ldDst + 1, 99), d2 = arena.allocate(d1.byteSize(), 64);
                MemorySegment expected = arena.allocate(d1.byteSize(), 64);
                d2.copyFrom(d1);
                expected.copyFrom(d1);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        long d = 1 + (long) c * ldDst + r;
                        expected.setAtIndex(F, d, expected.getAtIndex(F, d) + src.getAtIndex(F, 5 + (long) r * ldSrc + c));
                    }
                }
                RowOps.addTransposed(src, 5, rows, cols, ldSrc, d1, 1, ldDst);
                ScalarRowOps.addTransposed(src, 5, rows, cols, ldSrc, d2, 1, ldDst);
                assertArrayEquals(expected.toArray(F), d1.toArray(F), rows + "×" + cols);
                assertArrayEquals(expected.toArray(F), d2.toArray(F), rows + "×" + cols + " twin");
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix src = FloatMatrix.of(arena, 2, 3, 1, 2, 3, 4, 5, 6);
            FloatMatrix dst = FloatMatrix.of(arena, 3, 2, 10, 20, 30, 40, 50, 60);
            RowOps.addTransposed(src, dst);
            assertArrayEquals(new float[] {11, 24, 32, 45, 53, 66}, dst.toArray());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RowOps.addTransposed(src, src));
            assertTrue(e.getMessage().contains("must be 3×2"), e.getMessage());
        }
    }

    @Test
    void copyRowsCopiesABlockBetweenLeadingDimensions() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix src = FloatMatrix.of(arena, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
            FloatMatrix dst = FloatMatrix.allocate(arena, 2, 5);
            RowOps.copyRows(src.segment(), 5, 4, dst.segment(), 1, 5, 2, 3); // rows 1..2, columns 1..3
            assertArrayEquals(new float[] {0, 6, 7, 8, 0, 0, 10, 11, 12, 0}, dst.toArray());
            FloatMatrix flat = FloatMatrix.allocate(arena, 1, 12);
            RowOps.copyRows(src.segment(), 0, 4, flat.segment(), 0, 4, 3, 4);
            assertArrayEquals(src.toArray(), flat.toArray());
            assertThrows(IndexOutOfBoundsException.class,
                    () -> RowOps.copyRows(src.segment(), 0, 4, dst.segment(), 0, 5, 3, 4));
        }
    }

    @Test
    void dropoutKeyIsSplitMix64() {
        // SplitMix64 seeded with 0 first returns mix(γ) = 0xE220A8397B1DCDAF (the published reference
        // sequence of Steele, Lea and Flood's generator); callKey(0, 1) is exactly that step.
        assertEquals(0xE220A8397B1DCDAFL, DropoutMask.callKey(0, 1));
        // uniform: the top 53 bits of the next step, scaled to [0, 1)
        long key = 12345;
        assertEquals((DropoutMask.mix(key + 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53, DropoutMask.uniform(key, 0));
    }

    @Test
    void dropoutMaskDropsAboutPAndScalesTheRest() {
        int n = 200_000;
        float p = 0.3f;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(n * 4L, 64);
            long key = DropoutMask.callKey(7, 3);
            DropoutMask.draw(key, 0, p, mask, 0, n);
            int dropped = 0;
            for (int i = 0; i < n; i++) {
                float v = mask.getAtIndex(F, i);
                assertTrue(v == 0f || v == 1f / (1f - p), "mask value " + v);
                if (v == 0f) dropped++;
                assertEquals(DropoutMask.uniform(key, i) < p, v == 0f, "element " + i);
            }
            assertEquals(p, dropped / (double) n, 0.005);

            // element i of a draw from `first` is element first + i of the stream; apply = draw then multiply
            MemorySegment x = random(arena, 1000, 5), y = arena.allocate(4000, 64), m2 = arena.allocate(4000, 64);
            DropoutMask.apply(key, 500, p, x, 0, m2, 0, y, 0, 1000);
            for (int i = 0; i < 1000; i++) {
                assertEquals(mask.getAtIndex(F, 500 + i), m2.getAtIndex(F, i));
                assertEquals(x.getAtIndex(F, i) * m2.getAtIndex(F, i), y.getAtIndex(F, i));
            }
            // in place, and other calls give other masks
            DropoutMask.apply(DropoutMask.callKey(7, 4), 500, p, x, 0, m2, 0, x, 0, 1000);
            int same = 0;
            for (int i = 0; i < 1000; i++) if (m2.getAtIndex(F, i) == mask.getAtIndex(F, 500 + i)) same++;
            assertTrue(same < 800, "a new call must draw a new mask, " + same + " of 1000 equal");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DropoutMask.draw(1, 0, 1f, mask, 0, 10));
            assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        }
    }
}
