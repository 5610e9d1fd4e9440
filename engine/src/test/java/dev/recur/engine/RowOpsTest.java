package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowOpsTest {

    private static final int LANES = Engine.lanes();

    private static FloatMatrix random(Arena arena, int rows, int cols, int ld, long seed) {
        Random rnd = new Random(seed);
        FloatMatrix m = FloatMatrix.allocate(arena, rows, cols, ld);
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m.set(r, c, (float) rnd.nextGaussian() * 4f);
        return m;
    }

    @Test
    void biasBroadcastAndBiasGradientOnAView() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix m = FloatMatrix.of(arena, 3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            FloatMatrix v = m.view(1, 0, 2, 2); // rows 1..2, columns 0..1
            RowOps.addRowVector(v, FloatMatrix.of(arena, 1, 2, 10, 100));
            assertArrayEquals(new float[] {1, 2, 3, 14, 105, 6, 17, 108, 9}, m.toArray());
            FloatMatrix db = FloatMatrix.of(arena, 1, 2, 0.5f, 0.25f);
            RowOps.addColumnSums(v, db);
            assertArrayEquals(new float[] {31.5f, 213.25f}, db.toArray());
        }
    }

    @Test
    void simdBiasKernelsEqualTheScalarTwinBitForBit() {
        for (int cols : new int[] {0, 1, LANES - 1, LANES, LANES + 1, 4 * LANES, 5 * LANES + 3}) {
            for (int rows : new int[] {0, 1, 7}) {
                try (Arena arena = Arena.ofConfined()) {
                    int ld = cols + 2; // FloatMatrix needs ld ≥ 1
                    FloatMatrix m1 = random(arena, rows, cols, ld, cols * 31L + rows);
                    FloatMatrix m2 = FloatMatrix.allocate(arena, rows, cols, ld);
                    if (rows > 0 && cols > 0) m2.copyFrom(m1); // FloatMatrix.copyFrom fails on a 7×0 view
                    FloatMatrix b = random(arena, 1, cols, Math.max(1, cols), 9), a1 = random(arena, 1, cols, Math.max(1, cols), 10);
                    FloatMatrix a2 = FloatMatrix.allocate(arena, 1, cols, Math.max(1, cols));
                    a2.copyFrom(a1);
                    SimdRowOps.INSTANCE.addColumnSums(m1.segment(), 0, rows, cols, ld, a1.segment(), 0);
                    ScalarRowOps.INSTANCE.addColumnSums(m2.segment(), 0, rows, cols, ld, a2.segment(), 0);
                    assertArrayEquals(a2.toArray(), a1.toArray(), "column sums " + rows + "×" + cols);
                    SimdRowOps.INSTANCE.addRowVector(m1.segment(), 0, rows, cols, ld, b.segment(), 0);
                    ScalarRowOps.INSTANCE.addRowVector(m2.segment(), 0, rows, cols, ld, b.segment(), 0);
                    if (cols > 0) assertArrayEquals(m2.toArray(), m1.toArray(), "row vector " + rows + "×" + cols);
                }
            }
        }
    }

    @Test
    void softmaxKnownValuesAndInvariants() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.of(arena, 2, 3, 0, (float) Math.log(2), (float) Math.log(5), 1000, 1000, 1000);
            FloatMatrix y = FloatMatrix.allocate(arena, 2, 3);
            RowOps.softmaxRows(x, y);
            assertArrayEquals(new float[] {0.125f, 0.25f, 0.625f, 1 / 3f, 1 / 3f, 1 / 3f}, y.toArray(), 1e-6f);
            RowOps.logSoftmaxRows(x, y);
            float l3 = (float) -Math.log(3);
            assertArrayEquals(new float[] {(float) Math.log(0.125), (float) Math.log(0.25), (float) Math.log(0.625),
                    l3, l3, l3}, y.toArray(), 1e-6f);
        }
    }

    @Test
    void softmaxMatchesTheScalarTwinOnEdgeWidthsInPlaceOnViews() {
        for (int cols : new int[] {1, LANES - 1, LANES, LANES + 1, 3 * LANES + 2, 1000}) {
            try (Arena arena = Arena.ofConfined()) {
                FloatMatrix big = random(arena, 4, cols + 1, cols + 1, cols);
                FloatMatrix x = big.view(0, 1, 4, cols);
                FloatMatrix a = FloatMatrix.allocate(arena, 4, cols), b = FloatMatrix.allocate(arena, 4, cols);
                ScalarRowOps.INSTANCE.softmaxRows(x.segment(), 0, x.ld(), 4, cols, b.segment(), 0, cols);
                RowOps.softmaxRows(x, a);
                assertArrayEquals(b.toArray(), a.toArray(), 2e-6f, "softmax width " + cols);
                ScalarRowOps.INSTANCE.logSoftmaxRows(x.segment(), 0, x.ld(), 4, cols, b.segment(), 0, cols);
                float before = big.get(0, 0);
                RowOps.logSoftmaxRows(x, x); // in place
                assertArrayEquals(b.toArray(), x.toArray(), 1e-5f, "log-softmax width " + cols);
                assertEquals(before, big.get(0, 0), "column outside the view untouched");
            }
        }
    }

    @Test
    void rowOfMinusInfinityGivesNaNAsPyTorch() {
        try (Arena arena = Arena.ofConfined()) {
            float ni = Float.NEGATIVE_INFINITY;
            FloatMatrix x = FloatMatrix.of(arena, 2, 2, ni, ni, ni, 0);
            FloatMatrix y = FloatMatrix.allocate(arena, 2, 2);
            RowOps.softmaxRows(x, y);
            assertTrue(Float.isNaN(y.get(0, 0)) && Float.isNaN(y.get(0, 1)));
            assertEquals(0f, y.get(1, 0));
            assertEquals(1f, y.get(1, 1));
        }
    }

    @Test
    void wrongBiasShapeIsNamed() {
        try (Arena arena = Arena.ofConfined()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> RowOps.addRowVector(FloatMatrix.allocate(arena, 2, 3), FloatMatrix.allocate(arena, 1, 2)));
            assertTrue(e.getMessage().contains("bias must be 1×3, got 1×2"), e.getMessage());
        }
    }

    @Test
    void maxOverRowsTwinsAgreeOnValuesTiesNaNsAndSignedZeros() {
        Random rnd = new Random(5);
        float[] pool = {-2f, -1f, -0f, 0f, 1f, 3f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        int checked = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : new int[] {1, LANES - 1, LANES, LANES + 1, 4 * LANES, 4 * LANES + 3, 5 * LANES + 3}) {
                for (int rows : new int[] {1, 2, 3, 17, 60}) {
                    for (int kind = 0; kind < 3; kind++) {
                        int ld = cols + 5;
                        FloatMatrix m = FloatMatrix.allocate(arena, rows, ld);
                        for (int r = 0; r < rows; r++) {
                            for (int c = 0; c < ld; c++) {
                                // kind 0: few distinct values (many ties) and specials; 1: random; 2: no NaN
                                float v = switch (kind) {
                                    case 0 -> pool[rnd.nextInt(pool.length)];
                                    case 1 -> (float) rnd.nextGaussian();
                                    default -> pool[rnd.nextInt(pool.length - 3)];
                                };
                                m.set(r, c, v);
                            }
                        }
                        FloatMatrix maxS = FloatMatrix.allocate(arena, 1, cols + 2), maxV = FloatMatrix.allocate(arena, 1, cols + 2);
                        int[] argS = new int[cols + 3], argV = new int[cols + 3];
                        ScalarRowOps.INSTANCE.maxOverRows(m.segment(), 1, rows, cols, ld, maxS.segment(), 2, argS, 3);
                        SimdRowOps.INSTANCE.maxOverRows(m.segment(), 1, rows, cols, ld, maxV.segment(), 2, argV, 3);
                        for (int c = 0; c < cols; c++) {
                            String where = "rows " + rows + " cols " + cols + " kind " + kind + " column " + c;
                            assertEquals(Float.floatToRawIntBits(maxS.get(0, 2 + c)), Float.floatToRawIntBits(maxV.get(0, 2 + c)), where);
                            assertEquals(argS[3 + c], argV[3 + c], where);
                            // the definition: the first row holding the maximum (NaN first if any)
                            int first = 0;
                            for (int r = 1; r < rows; r++) {
                                float v = m.get(r, 1 + c), b = m.get(first, 1 + c);
                                if (v > b || (Float.isNaN(v) && !Float.isNaN(b))) first = r;
                            }
                            assertEquals(first, argV[3 + c], where);
                            assertEquals(Float.floatToRawIntBits(m.get(first, 1 + c)), Float.floatToRawIntBits(maxV.get(0, 2 + c)), where);
                            checked++;
                        }
                        assertEquals(0, argV[0] + argV[1] + argV[2], "nothing written before argOff");
                    }
                }
            }
            FloatMatrix m = FloatMatrix.allocate(arena, 2, 4), out = FloatMatrix.allocate(arena, 1, 4);
            assertThrows(IllegalArgumentException.class, () -> RowOps.maxOverRows(m.segment(), 0, 0, 4, 4, out.segment(), 0, new int[4], 0));
            assertThrows(IndexOutOfBoundsException.class, () -> RowOps.maxOverRows(m.segment(), 0, 2, 4, 4, out.segment(), 0, new int[3], 0));
        }
        assertTrue(checked > 500, "columns checked: " + checked);
    }
}
