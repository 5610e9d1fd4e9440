package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The SIMD dropout kernel against its scalar twin (the definition of the mask): the same bits. */
class DropoutTwinTest {
    private static final float[] PROBABILITIES = {
            0f, 1e-30f, Float.MIN_VALUE, 0.1f, 0.25f, 0.3f, 0.5f, 0.7f, Math.nextDown(1f)};
    private static final int[] LENGTHS = {0, 1, 3, 7, 8, 9, 16, 17, 63, 64, 65, 1000, 4099};
    private static final long[] FIRSTS = {0, 1, 500, (1L << 40) + 3, -17};

    @Test
    void thresholdIsTheExactIntegerFormOfTheDoubleCompare() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 10_000; trial++) {
            float p = trial < PROBABILITIES.length ? PROBABILITIES[trial] : rnd.nextFloat();
            long t = SimdDropout.threshold(p);
            // the largest k with k·2⁻⁵³ < p is t − 1; t itself is not below p
            if (t > 0) assertTrue((t - 1) * 0x1.0p-53 < p, "p=" + p + " t=" + t);
            assertFalse(t * 0x1.0p-53 < p, "p=" + p + " t=" + t);
        }
    }

    @Test
    void simdMasksAndProductsEqualTheTwinsBitForBit() {
        Random rnd = new Random(11);
        try (Arena arena = Arena.ofConfined()) {
            int cap = 4099 + 8;
            MemorySegment x = arena.allocate(cap * 4L, 64);
            for (int i = 0; i < cap; i++) x.setAtIndex(FloatMatrix.FLOAT, i, (float) rnd.nextGaussian());
            // special values pass through the multiply as in the twin: NaN, ±∞, −0
            x.setAtIndex(FloatMatrix.FLOAT, 4, Float.NaN);
            x.setAtIndex(FloatMatrix.FLOAT, 5, Float.POSITIVE_INFINITY);
            x.setAtIndex(FloatMatrix.FLOAT, 6, -0f);
            x.setAtIndex(FloatMatrix.FLOAT, 7, Float.NEGATIVE_INFINITY);
            MemorySegment m1 = arena.allocate(cap * 4L, 64), m2 = arena.allocate(cap * 4L, 64);
            MemorySegment y1 = arena.allocate(cap * 4L, 64), y2 = arena.allocate(cap * 4L, 64);
            MemorySegment in1 = arena.allocate(cap * 4L, 64), in2 = arena.allocate(cap * 4L, 64);
            int checked = 0;
            for (float p : PROBABILITIES) {
                float keep = DropoutMask.keepScale(p);
                for (int n : LENGTHS) {
                    for (long first : FIRSTS) {
                        long key = DropoutMask.callKey(rnd.nextLong(), rnd.nextInt(1000));
                        int off = (int) Math.floorMod(first, 5); // unaligned offsets too
                        m1.fill((byte) 0x55);
                        m2.fill((byte) 0x55);
                        SimdDropout.INSTANCE.apply(key, first, p, keep, x, off, m1, 1, y1, 2, n);
                        ScalarDropout.INSTANCE.apply(key, first, p, keep, x, off, m2, 1, y2, 2, n);
                        String where = "p=" + p + " n=" + n + " first=" + first;
                        assertArrayEquals(bits(m2, 1, n), bits(m1, 1, n), "mask " + where);
                        assertArrayEquals(bits(y2, 2, n), bits(y1, 2, n), "y " + where);
                        // the mask is the definition's, element by element
                        for (int i = 0; i < n; i++) {
                            float v = m1.getAtIndex(FloatMatrix.FLOAT, 1 + i);
                            assertEquals(DropoutMask.uniform(key, first + i) < p ? 0f : keep, v, where + " i=" + i);
                        }
                        // draw alone gives the same mask; in place (y = x) the same products
                        SimdDropout.INSTANCE.draw(key, first, p, keep, m2, 1, n);
                        assertArrayEquals(bits(m1, 1, n), bits(m2, 1, n), "draw " + where);
                        MemorySegment.copy(x, 0, in1, 0, cap * 4L);
                        MemorySegment.copy(x, 0, in2, 0, cap * 4L);
                        SimdDropout.INSTANCE.apply(key, first, p, keep, in1, off, m1, 1, in1, off, n);
                        ScalarDropout.INSTANCE.apply(key, first, p, keep, in2, off, m2, 1, in2, off, n);
                        assertArrayEquals(bits(in2, 0, cap), bits(in1, 0, cap), "in place " + where);
                        checked += n;
                    }
                }
            }
            assertTrue(checked > 100_000, "elements compared: " + checked);
        }
    }

    @Test
    void theFacadeRunsTheSimdKernelOnX86() {
        String arch = System.getProperty("os.arch");
        if (Kernels.simd() && (arch.equals("amd64") || arch.equals("x86_64"))) {
            assertSame(SimdDropout.INSTANCE, Kernels.dropout());
        } else {
            assertSame(ScalarDropout.INSTANCE, Kernels.dropout());
        }
    }

    private static int[] bits(MemorySegment s, long off, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = Float.floatToRawIntBits(s.getAtIndex(FloatMatrix.FLOAT, off + i));
        return out;
    }
}
