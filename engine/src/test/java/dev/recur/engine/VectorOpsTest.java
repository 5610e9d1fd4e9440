package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorOpsTest {

    private static final int LANES = Engine.lanes();
    private static final int[] EDGE_LENGTHS = {0, 1, LANES - 1, LANES, LANES + 1, 3 * LANES + 5, 64 * LANES + 7};

    private static MemorySegment random(Arena arena, int n, long seed) {
        Random rnd = new Random(seed);
        MemorySegment s = arena.allocate(Math.max(1, n) * (long) Float.BYTES, 64);
        for (int i = 0; i < n; i++) s.setAtIndex(FloatMatrix.FLOAT, i, (float) rnd.nextGaussian() * 3f);
        return s;
    }

    private static float[] floats(MemorySegment s, int n) {
        float[] out = new float[n];
        MemorySegment.copy(s, FloatMatrix.FLOAT, 0, out, 0, n);
        return out;
    }

    private static MemorySegment copy(Arena arena, MemorySegment s) {
        MemorySegment c = arena.allocate(s.byteSize(), 64);
        c.copyFrom(s);
        return c;
    }

    @Test
    void elementwiseSimdKernelsEqualTheirScalarTwinsBitForBit() {
        for (int n : EDGE_LENGTHS) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment x = random(arena, n + 2, n), y = random(arena, n + 2, n + 1);
                MemorySegment a1 = copy(arena, y), a2 = copy(arena, y);
                SimdVectorOps.INSTANCE.axpy(-1.7f, x, 1, a1, 2, n);
                ScalarVectorOps.INSTANCE.axpy(-1.7f, x, 1, a2, 2, n);
                assertArrayEquals(floats(a2, n + 2), floats(a1, n + 2), "axpy n=" + n);

                a1 = copy(arena, y); a2 = copy(arena, y);
                SimdVectorOps.INSTANCE.scale(0.3f, a1, 1, n);
                ScalarVectorOps.INSTANCE.scale(0.3f, a2, 1, n);
                assertArrayEquals(floats(a2, n + 2), floats(a1, n + 2), "scale n=" + n);

                a1 = copy(arena, y); a2 = copy(arena, y);
                SimdVectorOps.INSTANCE.clamp(-1f, 2f, a1, 1, n);
                ScalarVectorOps.INSTANCE.clamp(-1f, 2f, a2, 1, n);
                assertArrayEquals(floats(a2, n + 2), floats(a1, n + 2), "clamp n=" + n);

                a1 = copy(arena, y); a2 = copy(arena, y);
                SimdVectorOps.INSTANCE.mul(x, 0, y, 2, a1, 1, n);
                ScalarVectorOps.INSTANCE.mul(x, 0, y, 2, a2, 1, n);
                assertArrayEquals(floats(a2, n + 2), floats(a1, n + 2), "mul n=" + n);

                a1 = copy(arena, y); a2 = copy(arena, y);
                SimdVectorOps.INSTANCE.fill(4.5f, a1, 1, n);
                ScalarVectorOps.INSTANCE.fill(4.5f, a2, 1, n);
                assertArrayEquals(floats(a2, n + 2), floats(a1, n + 2), "fill n=" + n);

                a1 = copy(arena, y); a2 = copy(arena, y);
                for (int i = 0; i < n + 2; i += 3) a1.setAtIndex(FloatMatrix.FLOAT, i, Float.MIN_VALUE * i);
                a2.copyFrom(a1);
                SimdVectorOps.INSTANCE.flushSubnormals(a1, 1, n);
                ScalarVectorOps.INSTANCE.flushSubnormals(a2, 1, n);
                assertArrayEquals(floats(a2, n + 2), floats(a1, n + 2), "flushSubnormals n=" + n);

                assertEquals(ScalarVectorOps.INSTANCE.maxAbs(x, 1, n), SimdVectorOps.INSTANCE.maxAbs(x, 1, n), "maxAbs n=" + n);
                double s = ScalarVectorOps.INSTANCE.sumOfSquares(x, 1, n);
                assertEquals(s, SimdVectorOps.INSTANCE.sumOfSquares(x, 1, n), 1e-6 * s, "sumOfSquares n=" + n);
            }
        }
    }

    @Test
    void knownValues() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.of(arena, 1, 3, 1, -2, 3);
            FloatMatrix y = FloatMatrix.of(arena, 1, 3, 10, 20, 30);
            VectorOps.axpy(2f, x, y);
            assertArrayEquals(new float[] {12, 16, 36}, y.toArray());
            assertEquals(14.0, VectorOps.sumOfSquares(x));
            assertEquals(3f, VectorOps.maxAbs(x));
            VectorOps.clamp(-1.5f, 1.5f, x);
            assertArrayEquals(new float[] {1, -1.5f, 1.5f}, x.toArray());
            VectorOps.mul(x, y, y);
            assertArrayEquals(new float[] {12, -24, 54}, y.toArray());
            VectorOps.scale(0.5f, y);
            assertArrayEquals(new float[] {6, -12, 27}, y.toArray());
            assertEquals(0f, VectorOps.maxAbs(FloatMatrix.allocate(arena, 0, 4)));
            assertEquals(0.0, VectorOps.sumOfSquares(FloatMatrix.allocate(arena, 3, 0, 1)));
        }
    }

    @Test
    void matrixOverloadsTouchOnlyTheView() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix m = FloatMatrix.allocate(arena, 3, 4);
            m.fill(1f);
            FloatMatrix v = m.view(1, 1, 2, 2);
            VectorOps.fill(3f, v);
            VectorOps.scale(2f, v);
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 6, 6, 1, 1, 6, 6, 1}, m.toArray());
            assertEquals(4 * 36.0, VectorOps.sumOfSquares(v));
            FloatMatrix other = FloatMatrix.allocate(arena, 2, 2);
            VectorOps.axpy(1f, v, other);
            assertArrayEquals(new float[] {6, 6, 6, 6}, other.toArray());
            VectorOps.clamp(0f, 5f, v);
            assertArrayEquals(new float[] {5, 5, 5, 5}, v.toArray());
            assertEquals(5f, VectorOps.maxAbs(v));
        }
    }

    @Test
    void flushSubnormalsZeroesOnlyTinyValuesOfAView() {
        try (Arena arena = Arena.ofConfined()) {
            int cols = LANES + 3;
            FloatMatrix m = FloatMatrix.allocate(arena, 2, cols + 1);
            m.fill(Float.MIN_VALUE);
            for (int c = 0; c < cols; c += 2) m.set(1, c, 1e-30f);
            m.set(0, 1, -1e-39f);
            m.set(0, 2, Float.MIN_NORMAL);
            m.set(0, 3, Float.NaN);
            VectorOps.flushSubnormals(m.view(0, 0, 2, cols));
            assertEquals(0f, m.get(0, 0));
            assertEquals(0f, m.get(0, 1));
            assertEquals(Float.MIN_NORMAL, m.get(0, 2));
            assertTrue(Float.isNaN(m.get(0, 3)));
            for (int c = 0; c < cols; c++) assertEquals(c % 2 == 0 ? 1e-30f : 0f, m.get(1, c), "column " + c);
            assertEquals(Float.MIN_VALUE, m.get(0, cols), "outside the view");
        }
    }

    @Test
    void sumOfSquaresIsAccurateOnAMillionValues() {
        int n = 1_000_003;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = random(arena, n, 42);
            double exact = 0;
            for (int i = 0; i < n; i++) {
                double v = x.getAtIndex(FloatMatrix.FLOAT, i);
                exact += v * v;
            }
            assertEquals(exact, VectorOps.sumOfSquares(x, 0, n), 1e-7 * exact);
        }
    }

    @Test
    void nanAndInfinityPropagate() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 2 * LANES + 1;
            for (int at : new int[] {0, LANES, n - 1}) {
                FloatMatrix x = FloatMatrix.allocate(arena, 1, n);
                x.fill(1f);
                x.set(0, at, Float.NaN);
                assertTrue(Float.isNaN(VectorOps.maxAbs(x)), "NaN at " + at);
                assertTrue(Double.isNaN(VectorOps.sumOfSquares(x)), "NaN at " + at);
                VectorOps.clamp(-1f, 1f, x);
                assertTrue(Float.isNaN(x.get(0, at)), "clamp keeps NaN");
                x.set(0, at, Float.NEGATIVE_INFINITY);
                assertEquals(Float.POSITIVE_INFINITY, VectorOps.maxAbs(x));
                assertEquals(Double.POSITIVE_INFINITY, VectorOps.sumOfSquares(x));
            }
        }
    }

    @Test
    void badArgumentsGiveClearErrors() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.allocate(arena, 2, 3);
            var e = assertThrows(IllegalArgumentException.class, () -> VectorOps.clamp(1f, -1f, x));
            assertTrue(e.getMessage().contains("lo ≤ hi"), e.getMessage());
            var shape = assertThrows(IllegalArgumentException.class,
                    () -> VectorOps.axpy(1f, x, FloatMatrix.allocate(arena, 3, 2)));
            assertTrue(shape.getMessage().contains("3×2") && shape.getMessage().contains("2×3"), shape.getMessage());
            var neg = assertThrows(IllegalArgumentException.class, () -> VectorOps.scale(1f, x.segment(), 0, -1));
            assertTrue(neg.getMessage().contains("≥ 0"), neg.getMessage());
            var out = assertThrows(IndexOutOfBoundsException.class,
                    () -> VectorOps.axpy(1f, x.segment(), 0, x.segment(), 1, 6));
            assertTrue(out.getMessage().contains("axpy: y span [1, 7)"), out.getMessage());
        }
    }
}
