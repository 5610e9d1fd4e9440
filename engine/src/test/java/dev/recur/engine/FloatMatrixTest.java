package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class FloatMatrixTest {

    @Test
    void allocationIsAlignedAndZeroed() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix m = FloatMatrix.allocate(arena, 3, 5);
            assertEquals(0, m.segment().address() % FloatMatrix.ALIGNMENT);
            for (float v : m.toArray()) assertEquals(0f, v);
        }
    }

    @Test
    void viewsShareMemoryAndKeepTheLeadingDimension() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix m = FloatMatrix.of(arena, 3, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
            FloatMatrix v = m.view(1, 1, 2, 2);
            assertEquals(4, v.ld());
            assertArrayEquals(new float[] {5, 6, 9, 10}, v.toArray());
            v.set(1, 0, -1f);
            assertEquals(-1f, m.get(2, 1));
            assertFalse(v.isContiguous());
        }
    }

    @Test
    void outOfRangeViewNamesTheShapes() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix m = FloatMatrix.allocate(arena, 2, 3);
            var e = assertThrows(IndexOutOfBoundsException.class, () -> m.view(1, 0, 2, 3));
            assertTrue(e.getMessage().contains("2×3"), e.getMessage());
        }
    }

    @Test
    void gemmShapeMismatchNamesEveryShape() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix a = FloatMatrix.allocate(arena, 2, 3);
            FloatMatrix b = FloatMatrix.allocate(arena, 4, 5);
            FloatMatrix c = FloatMatrix.allocate(arena, 2, 5);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> ScalarGemm.sgemm(Transpose.N, Transpose.N, 1f, a, b, 0f, c));
            assertTrue(e.getMessage().contains("2×3") && e.getMessage().contains("4×5"), e.getMessage());
        }
    }

    @Test
    void scalarGemmMatchesAHandComputedProduct() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix a = FloatMatrix.of(arena, 2, 2, 1, 2, 3, 4);
            FloatMatrix b = FloatMatrix.of(arena, 2, 2, 5, 6, 7, 8);
            FloatMatrix c = FloatMatrix.of(arena, 2, 2, Float.NaN, Float.NaN, Float.NaN, Float.NaN);
            ScalarGemm.sgemm(Transpose.N, Transpose.T, 1f, a, b, 0f, c);
            // A·Bᵀ = [[1·5+2·6, 1·7+2·8], [3·5+4·6, 3·7+4·8]]
            assertArrayEquals(new float[] {17, 23, 39, 53}, c.toArray());
        }
    }

    @Test
    void emptyMatricesAndEmptyViewsCopyNothing() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix none = FloatMatrix.allocate(arena, 7, 0);
            assertEquals(0, none.toArray().length);
            FloatMatrix m = FloatMatrix.allocate(arena, 7, 3);
            FloatMatrix empty = m.view(0, 1, 7, 0);
            assertEquals(0, empty.toArray().length);
            empty.copyFrom(none);
            empty.copyFrom(new float[0]);
        }
    }
}
