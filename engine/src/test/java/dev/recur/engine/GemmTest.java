package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GemmTest {

    private static FloatMatrix random(Arena arena, int rows, int cols, int ld, Random rng) {
        FloatMatrix m = FloatMatrix.allocate(arena, rows, cols, Math.max(1, ld));
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m.set(r, c, rng.nextFloat() * 2 - 1);
        return m;
    }

    private static void assertClose(FloatMatrix expected, FloatMatrix actual, int k) {
        float tol = 1e-5f * (k + 1) * 4;
        for (int r = 0; r < expected.rows(); r++) {
            for (int c = 0; c < expected.cols(); c++) {
                float e = expected.get(r, c), a = actual.get(r, c);
                String at = "C(" + r + "," + c + ") = ";
                assertTrue(Math.abs(e - a) <= tol, () -> at + a + ", expected " + e);
            }
        }
    }

    /** The SIMD GEMM against the scalar twin, every transpose pair, odd sizes, beta 0 on NaN. */
    @Test
    void matchesScalarTwinOnOddShapes() {
        Random rng = new Random(42);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {8, 32, 256}, {9, 31, 257}, {20, 530, 40}, {64, 40, 0},
                {64, 33, 300}, {29, 20, 70}, {290, 333, 650}};
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : shapes) {
                for (Transpose ta : Transpose.values()) {
                    for (Transpose tb : Transpose.values()) {
                        for (float beta : new float[] {0f, 0.5f}) {
                            int m = s[0], n = s[1], k = s[2];
                            FloatMatrix a = ta == Transpose.N ? random(arena, m, k, k + 3, rng) : random(arena, k, m, m, rng);
                            FloatMatrix b = tb == Transpose.N ? random(arena, k, n, n, rng) : random(arena, n, k, k + 1, rng);
                            FloatMatrix want = random(arena, m, n, n + 5, rng);
                            FloatMatrix got = FloatMatrix.allocate(arena, m, n, n + 5);
                            got.copyFrom(want);
                            if (beta == 0f) got.fill(Float.NaN);
                            ScalarGemm.sgemm(ta, tb, 0.75f, a, b, beta, want);
                            Gemm.sgemm(ta, tb, 0.75f, a, b, beta, got);
                            assertClose(want, got, k);
                        }
                    }
                }
            }
        }
    }

    /**
     * A row of C has the same bits whichever tile covers it (12-row or 8-row strip, first or last,
     * full or edge): each row of a 64-row product against the same row computed alone.
     */
    @Test
    void everyRowHasTheBitsOfItsOwnOneRowProduct() {
        Random rng = new Random(9);
        try (Arena arena = Arena.ofConfined()) {
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    int m = 64, n = 70, k = 600;
                    FloatMatrix a = ta == Transpose.N ? random(arena, m, k, k, rng) : random(arena, k, m, m, rng);
                    FloatMatrix b = tb == Transpose.N ? random(arena, k, n, n, rng) : random(arena, n, k, k, rng);
                    FloatMatrix c = random(arena, m, n, n, rng), one = FloatMatrix.allocate(arena, 1, n);
                    FloatMatrix c0 = FloatMatrix.allocate(arena, m, n);
                    c0.copyFrom(c);
                    Gemm.sgemmSerial(ta, tb, m, n, k, 0.5f, a.segment(), 0, a.ld(), b.segment(), 0, b.ld(), 0.25f, c.segment(), 0, c.ld());
                    for (int r = 0; r < m; r++) {
                        one.copyFrom(c0.rowRange(r, 1));
                        long ar = ta == Transpose.N ? (long) r * a.ld() : r;
                        Gemm.sgemmSerial(ta, tb, 1, n, k, 0.5f, a.segment(), ar, a.ld(), b.segment(), 0, b.ld(), 0.25f, one.segment(), 0, n);
                        for (int j = 0; j < n; j++) {
                            int row = r, col = j;
                            assertEquals(Float.floatToRawIntBits(c.get(r, j)), Float.floatToRawIntBits(one.get(0, j)),
                                    () -> ta + "" + tb + " C(" + row + "," + col + ")");
                        }
                    }
                }
            }
        }
    }

    /**
     * A column of C has the same bits in a full tile (plain loads and stores) as in an edge tile
     * (masked ones): each column of a 70-column product against the same column computed alone.
     */
    @Test
    void everyColumnHasTheBitsOfItsOwnOneColumnProduct() {
        Random rng = new Random(10);
        try (Arena arena = Arena.ofConfined()) {
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    int m = 20, n = 70, k = 600; // alpha 0.7 and beta 0.3: scalings that round, so a changed formula shows
                    FloatMatrix a = ta == Transpose.N ? random(arena, m, k, k, rng) : random(arena, k, m, m, rng);
                    FloatMatrix b = tb == Transpose.N ? random(arena, k, n, n, rng) : random(arena, n, k, k, rng);
                    FloatMatrix c = random(arena, m, n, n, rng), one = FloatMatrix.allocate(arena, m, 1);
                    FloatMatrix c0 = FloatMatrix.allocate(arena, m, n);
                    c0.copyFrom(c);
                    Gemm.sgemmSerial(ta, tb, m, n, k, 0.7f, a.segment(), 0, a.ld(), b.segment(), 0, b.ld(), 0.3f, c.segment(), 0, c.ld());
                    for (int j = 0; j < n; j++) {
                        for (int r = 0; r < m; r++) one.set(r, 0, c0.get(r, j));
                        long bj = tb == Transpose.N ? j : (long) j * b.ld();
                        Gemm.sgemmSerial(ta, tb, m, 1, k, 0.7f, a.segment(), 0, a.ld(), b.segment(), bj, b.ld(), 0.3f, one.segment(), 0, 1);
                        for (int r = 0; r < m; r++) {
                            int row = r, col = j;
                            assertEquals(Float.floatToRawIntBits(c.get(r, j)), Float.floatToRawIntBits(one.get(r, 0)),
                                    () -> ta + "" + tb + " C(" + row + "," + col + ")");
                        }
                    }
                }
            }
        }
    }

    /**
     * A product wider than one column block with all of op(A) in one packed block packs A once per
     * depth block for all column blocks: the same bits as the product taken one column block at a
     * time (where each call has a single column block), for every transpose, several depth blocks.
     */
    @Test
    void packingAOnceForAllColumnBlocksKeepsTheBits() {
        Random rng = new Random(11);
        int nc = dev.recur.engine.gemm.Blocking.NC, kcBlock = dev.recur.engine.gemm.Blocking.KC;
        try (Arena arena = Arena.ofConfined()) {
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    int m = 40, n = 2 * nc + 37, k = 3 * kcBlock + 11;
                    Operands o = operands(arena, rng, ta, tb, m, n, k);
                    FloatMatrix a = o.a(), b = o.b(), c = o.c(), byBlocks = FloatMatrix.allocate(arena, m, n);
                    byBlocks.copyFrom(c);
                    Gemm.sgemmSerial(ta, tb, m, n, k, 0.7f, a.segment(), 0, a.ld(), b.segment(), 0, b.ld(), 0.3f, c.segment(), 0, c.ld());
                    for (int j0 = 0; j0 < n; j0 += nc) {
                        int w = Math.min(nc, n - j0);
                        long bj = tb == Transpose.N ? j0 : (long) j0 * b.ld();
                        Gemm.sgemmSerial(ta, tb, m, w, k, 0.7f, a.segment(), 0, a.ld(), b.segment(), bj, b.ld(), 0.3f,
                                byBlocks.segment(), j0, n);
                    }
                    assertSameBits(byBlocks, c, ta + "" + tb);
                }
            }
        }
    }

    /**
     * A is packed once per depth block for all rows and all column blocks (the slab), in the
     * thread's buffer or in a grown one, and in blocks of MC rows packed again per column block when
     * the slab would pass {@link dev.recur.engine.gemm.Blocking#SLAB_MAX}: every row of the whole
     * product has the bits of the same rows computed in 64-row pieces, for every transpose, several
     * column and depth blocks, and a height whose slab is too large to keep.
     */
    @Test
    void everyHeightOfAHasTheBitsOfItsRowPieces() {
        Random rng = new Random(12);
        int nc = dev.recur.engine.gemm.Blocking.NC, kcBlock = dev.recur.engine.gemm.Blocking.KC;
        int tall = dev.recur.engine.gemm.Blocking.MC + 3 * dev.recur.engine.gemm.Blocking.MR_MAX + 5;
        int huge = (int) (dev.recur.engine.gemm.Blocking.SLAB_MAX / kcBlock) + 300;
        try (Arena arena = Arena.ofConfined()) {
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    assertRowPiecesHaveTheBits(arena, rng, ta, tb, tall, 2 * nc + 37, 3 * kcBlock + 11, 64);
                }
            }
            assertRowPiecesHaveTheBits(arena, rng, Transpose.N, Transpose.N, huge, nc + 5, 2 * kcBlock + 3, 4096);
            assertRowPiecesHaveTheBits(arena, rng, Transpose.T, Transpose.T, huge, nc + 5, 9, 4096);
        }
    }

    private static void assertRowPiecesHaveTheBits(Arena arena, Random rng, Transpose ta, Transpose tb, int m, int n, int k, int piece) {
        Operands o = operands(arena, rng, ta, tb, m, n, k);
        FloatMatrix a = o.a(), b = o.b(), c = o.c(), pieces = FloatMatrix.allocate(arena, m, n);
        pieces.copyFrom(c);
        Gemm.sgemmSerial(ta, tb, m, n, k, 0.7f, a.segment(), 0, a.ld(), b.segment(), 0, b.ld(), 0.3f, c.segment(), 0, c.ld());
        for (int r0 = 0; r0 < m; r0 += piece) {
            int h = Math.min(piece, m - r0);
            long ar = ta == Transpose.N ? (long) r0 * a.ld() : r0;
            Gemm.sgemmSerial(ta, tb, h, n, k, 0.7f, a.segment(), ar, a.ld(), b.segment(), 0, b.ld(), 0.3f,
                    pieces.segment(), (long) r0 * n, n);
        }
        assertSameBits(pieces, c, ta + "" + tb + " m=" + m);
    }

    /** Random A, B and C for op(A) m×k and op(B) k×n stored as ta and tb say, C m×n, in that order from rng. */
    private record Operands(FloatMatrix a, FloatMatrix b, FloatMatrix c) {}

    private static Operands operands(Arena arena, Random rng, Transpose ta, Transpose tb, int m, int n, int k) {
        FloatMatrix a = ta == Transpose.N ? random(arena, m, k, k, rng) : random(arena, k, m, m, rng);
        FloatMatrix b = tb == Transpose.N ? random(arena, k, n, n, rng) : random(arena, n, k, k, rng);
        return new Operands(a, b, random(arena, m, n, n, rng));
    }

    /** Every element of {@code got} has the bits of {@code want}'s (the first difference is named). */
    private static void assertSameBits(FloatMatrix want, FloatMatrix got, String what) {
        for (int r = 0; r < want.rows(); r++) {
            for (int j = 0; j < want.cols(); j++) {
                if (Float.floatToRawIntBits(want.get(r, j)) != Float.floatToRawIntBits(got.get(r, j))) {
                    int row = r, col = j;
                    assertEquals(Float.floatToRawIntBits(want.get(r, j)), Float.floatToRawIntBits(got.get(r, j)),
                            () -> what + " C(" + row + "," + col + ")");
                }
            }
        }
    }

    @Test
    void knownProduct() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix a = FloatMatrix.of(arena, 2, 3, 1, 2, 3, 4, 5, 6);
            FloatMatrix b = FloatMatrix.of(arena, 3, 2, 7, 8, 9, 10, 11, 12);
            FloatMatrix c = FloatMatrix.of(arena, 2, 2, 1, 1, 1, 1);
            Gemm.sgemm(Transpose.N, Transpose.N, 1f, a, b, 2f, c);
            assertEquals(58 + 2, c.get(0, 0));
            assertEquals(64 + 2, c.get(0, 1));
            assertEquals(139 + 2, c.get(1, 0));
            assertEquals(154 + 2, c.get(1, 1));
        }
    }

    @Test
    void zeroDepthScalesC() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix a = FloatMatrix.allocate(arena, 2, 0, 1);
            FloatMatrix b = FloatMatrix.allocate(arena, 0, 3);
            FloatMatrix c = FloatMatrix.of(arena, 2, 3, 1, 2, 3, 4, 5, 6);
            Gemm.sgemm(Transpose.N, Transpose.N, 1f, a, b, 3f, c);
            assertEquals(18f, c.get(1, 2));
            c.fill(Float.NaN);
            Gemm.sgemm(Transpose.N, Transpose.N, 1f, a, b, 0f, c);
            assertEquals(0f, c.get(1, 2));
        }
    }

    /** The raw entry on the first rows of a bigger buffer, at offsets, on one thread and on many. */
    @Test
    void rawEntryWorksOnOffsetsAndRowPrefixes() {
        Random rng = new Random(7);
        try (Arena arena = Arena.ofShared()) {
            int m = 37, n = 300, k = 129, lda = 140, ldb = 310, ldc = 305, off = 11;
            MemorySegment a = arena.allocate((off + (long) 64 * lda) * 4, 64);
            MemorySegment b = arena.allocate((off + (long) k * ldb) * 4, 64);
            MemorySegment c1 = arena.allocate((off + (long) 64 * ldc) * 4, 64);
            MemorySegment c2 = arena.allocate((off + (long) 64 * ldc) * 4, 64);
            for (long i = 0; i < a.byteSize() / 4; i++) a.setAtIndex(ValueLayout.JAVA_FLOAT, i, rng.nextFloat() - 0.5f);
            for (long i = 0; i < b.byteSize() / 4; i++) b.setAtIndex(ValueLayout.JAVA_FLOAT, i, rng.nextFloat() - 0.5f);
            fillNaN(c1); // beta = 0 must not read it
            ScalarGemm.sgemm(Transpose.N, Transpose.N, m, n, k, 1f, a, off, lda, b, off, ldb, 0f, c2, off, ldc);
            Gemm.sgemmSerial(Transpose.N, Transpose.N, m, n, k, 1f, a, off, lda, b, off, ldb, 0f, c1, off, ldc);
            FloatMatrix want = FloatMatrix.wrap(c2.asSlice(off * 4L), m, n, ldc);
            FloatMatrix got = FloatMatrix.wrap(c1.asSlice(off * 4L), m, n, ldc);
            assertClose(want, got, k);
            // row m (just past the prefix) is untouched: still NaN
            assertTrue(Float.isNaN(c1.getAtIndex(ValueLayout.JAVA_FLOAT, off + (long) m * ldc)));
            fillNaN(c1);
            Gemm.sgemm(Transpose.N, Transpose.N, m, n, k, 1f, a, off, lda, b, off, ldb, 0f, c1, off, ldc);
            assertClose(want, got, k);
        }
    }

    private static void fillNaN(MemorySegment s) {
        for (long i = 0; i < s.byteSize() / 4; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.NaN);
    }

    @Test
    void multiThreadedEqualsSingleThreaded() {
        Random rng = new Random(3);
        int old = Engine.threads();
        try (Arena arena = Arena.ofShared()) {
            FloatMatrix a = random(arena, 150, 200, 200, rng);
            FloatMatrix b = random(arena, 300, 200, 200, rng);
            FloatMatrix one = FloatMatrix.allocate(arena, 150, 300);
            FloatMatrix many = FloatMatrix.allocate(arena, 150, 300);
            Gemm.sgemmSerial(Transpose.N, Transpose.T, 1f, a, b, 0f, one);
            Engine.setThreads(3);
            Gemm.sgemm(Transpose.N, Transpose.T, 1f, a, b, 0f, many);
            for (int r = 0; r < 150; r++) for (int c = 0; c < 300; c++) assertEquals(one.get(r, c), many.get(r, c));
        } finally {
            Engine.setThreads(old);
        }
    }

    /**
     * Products with many rows take the dynamic split (row blocks from a shared counter per depth
     * block): the result is bit for bit the one-thread result for 2, 3 and 4 threads, every
     * transpose, depth over several blocks, beta 0 and not, edges not multiples of any tile.
     */
    @Test
    void dynamicSplitIsBitForBitTheSerialResultForAnyThreadCount() {
        Random rng = new Random(17);
        int old = Engine.threads();
        int m = 333, n = 1100, k = 600; // 6 row blocks of 64 (the last partial), 3 column blocks, 3 depth blocks
        try (Arena arena = Arena.ofShared()) {
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    FloatMatrix a = ta == Transpose.N ? random(arena, m, k, k + 3, rng) : random(arena, k, m, m, rng);
                    FloatMatrix b = tb == Transpose.N ? random(arena, k, n, n, rng) : random(arena, n, k, k + 1, rng);
                    FloatMatrix c0 = random(arena, m, n, n, rng);
                    float beta = ta == tb ? 0f : 0.5f;
                    FloatMatrix want = FloatMatrix.allocate(arena, m, n);
                    want.copyFrom(c0);
                    Gemm.sgemmSerial(ta, tb, 0.75f, a, b, beta, want);
                    for (int threads = 2; threads <= 4; threads++) {
                        Engine.setThreads(threads);
                        assertTrue(threads < 4 || m >= 2 * 2 * dev.recur.engine.gemm.ParallelGemm.MC_TASK);
                        FloatMatrix got = FloatMatrix.allocate(arena, m, n);
                        got.copyFrom(c0);
                        Gemm.sgemm(ta, tb, 0.75f, a, b, beta, got);
                        assertArrayEquals(want.toArray(), got.toArray(), ta + "" + tb + " on " + threads + " threads");
                    }
                    Engine.setThreads(old);
                }
            }
        } finally {
            Engine.setThreads(old);
        }
    }

    /** Confined memory with a multi-thread pool: runs on the caller, no WrongThreadException. */
    @Test
    void confinedMemoryRunsOnTheCaller() {
        Random rng = new Random(5);
        int old = Engine.threads();
        Engine.setThreads(2);
        try (Arena arena = Arena.ofConfined()) {
            // big enough (2·M·N·K ≥ 2²¹) that shared memory would be split over the pool
            FloatMatrix a = random(arena, 128, 130, 130, rng);
            FloatMatrix b = random(arena, 130, 140, 140, rng);
            FloatMatrix c = FloatMatrix.allocate(arena, 128, 140);
            FloatMatrix want = FloatMatrix.allocate(arena, 128, 140);
            Gemm.sgemm(Transpose.N, Transpose.N, 1f, a, b, 0f, c);
            ScalarGemm.sgemm(Transpose.N, Transpose.N, 1f, a, b, 0f, want);
            assertClose(want, c, 130);
        } finally {
            Engine.setThreads(old);
        }
    }

    /** A prepacked B gives the same C as the plain call, every transpose, serial and split, after repack too. */
    @Test
    void prepackedBMatchesThePlainCall() {
        Random rng = new Random(11);
        int old = Engine.threads();
        try (Arena arena = Arena.ofShared()) {
            int m = 20, n = 530, k = 300;
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    FloatMatrix a = ta == Transpose.N ? random(arena, m, k, k + 2, rng) : random(arena, k, m, m, rng);
                    FloatMatrix b = tb == Transpose.N ? random(arena, k, n, n + 1, rng) : random(arena, n, k, k, rng);
                    FloatMatrix want = FloatMatrix.allocate(arena, m, n), got = FloatMatrix.allocate(arena, m, n);
                    PackedB packed = Gemm.packB(tb, b);
                    for (int round = 0; round < 2; round++) {
                        Gemm.sgemmSerial(ta, tb, 0.5f, a, b, 0f, want);
                        got.fill(Float.NaN);
                        Gemm.sgemmSerial(ta, m, 0.5f, a.segment(), 0, a.ld(), packed, 0f, got.segment(), 0, got.ld());
                        for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) assertEquals(want.get(r, c), got.get(r, c));
                        Engine.setThreads(2);
                        got.fill(Float.NaN);
                        Gemm.sgemm(ta, m, 0.5f, a.segment(), 0, a.ld(), packed, 0f, got.segment(), 0, got.ld());
                        for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) assertEquals(want.get(r, c), got.get(r, c));
                        Engine.setThreads(1);
                        b.fill(0.25f); // new weights: repack and compare again
                        packed.repack(b);
                    }
                }
            }
        } finally {
            Engine.setThreads(old);
        }
    }

    /**
     * A1 and A2 side by side against a prepacked B give the bits of the prepacked product of the
     * matrix [A1 | A2]: A2's columns start inside a KC block and cross into the next, or A1 is
     * empty, or A2 is; ragged row strips; beta 0 on NaN and not.
     */
    @Test
    void joinedAHasTheBitsOfTheConcatenatedProduct() {
        Random rng = new Random(13);
        int kc = dev.recur.engine.gemm.Blocking.KC;
        int[][] shapes = {{13, 40, kc - 5, 40}, {70, 300, 64, 64}, {9, 24, 0, 50}, {20, 33, 37, 0}, {5, 17, 2 * kc + 3, kc + 1}};
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k1 = s[2], k2 = s[3], k = k1 + k2;
                FloatMatrix a1 = random(arena, m, k1, k1 + 3, rng), a2 = random(arena, m, k2, k2 + 1, rng);
                FloatMatrix whole = FloatMatrix.allocate(arena, m, Math.max(1, k));
                for (int r = 0; r < m; r++) {
                    for (int c = 0; c < k1; c++) whole.set(r, c, a1.get(r, c));
                    for (int c = 0; c < k2; c++) whole.set(r, k1 + c, a2.get(r, c));
                }
                PackedB b = Gemm.packB(Transpose.T, random(arena, n, k, k + 2, rng));
                for (float beta : new float[] {0f, 0.5f}) {
                    FloatMatrix c0 = random(arena, m, n, n, rng);
                    FloatMatrix want = FloatMatrix.allocate(arena, m, n), got = FloatMatrix.allocate(arena, m, n);
                    want.copyFrom(c0);
                    got.copyFrom(c0);
                    if (beta == 0f) got.fill(Float.NaN);
                    Gemm.sgemmSerial(Transpose.N, m, 0.75f, whole.segment(), 0, whole.ld(), b, beta, want.segment(), 0, n);
                    Gemm.sgemmSerialJoined(m, 0.75f, a1.segment(), 0, a1.ld(), k1, a2.segment(), 0, a2.ld(), b, beta,
                            got.segment(), 0, n);
                    assertArrayEquals(want.toArray(), got.toArray(), m + "×" + n + ", k " + k1 + "+" + k2 + ", beta " + beta);
                }
            }
            FloatMatrix a = random(arena, 4, 8, 8, rng), c = FloatMatrix.allocate(arena, 4, 6);
            PackedB b = Gemm.packB(Transpose.N, random(arena, 8, 6, 6, rng));
            IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                    () -> Gemm.sgemmSerialJoined(4, 1f, a.segment(), 0, 8, 9, a.segment(), 0, 8, b, 0f, c.segment(), 0, 6));
            assertTrue(wide.getMessage().contains("k1=9"), wide.getMessage());
        }
    }

    /** Once compiled, a raw GEMM call allocates nothing (packing buffers are kept per thread). */
    @Test
    void rawCallAllocatesNothingOnceWarm() {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4L * 16 * 64, 64), b = arena.allocate(4L * 64 * 40, 64);
            MemorySegment c = arena.allocate(4L * 16 * 40, 64);
            long least = Long.MAX_VALUE;
            // interpreted and C1 code may box vectors; keep calling until C2 has the kernel
            for (int round = 0; round < 100 && least > 0; round++) {
                long before = mx.getThreadAllocatedBytes(self);
                for (int i = 0; i < 1000; i++) {
                    Gemm.sgemmSerial(Transpose.N, Transpose.T, 16, 40, 64, 1f, a, 0, 64, b, 0, 64, 0f, c, 0, 40);
                }
                least = Math.min(least, mx.getThreadAllocatedBytes(self) - before);
            }
            assertEquals(0, least, "bytes allocated by 1000 warm GEMM calls");
        }
    }

    @Test
    void shapeErrorsNameTheShapes() {
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix a = FloatMatrix.allocate(arena, 2, 3);
            FloatMatrix b = FloatMatrix.allocate(arena, 4, 5);
            FloatMatrix c = FloatMatrix.allocate(arena, 2, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Gemm.sgemm(Transpose.N, Transpose.N, 1f, a, b, 0f, c));
            assertTrue(e.getMessage().contains("2×3") && e.getMessage().contains("4×5"), e.getMessage());
            MemorySegment small = arena.allocate(16);
            IllegalArgumentException raw = assertThrows(IllegalArgumentException.class,
                    () -> Gemm.sgemm(Transpose.N, Transpose.N, 2, 2, 2, 1f, small, 0, 2, small, 0, 2, 0f, small, 1, 2));
            assertTrue(raw.getMessage().contains("C"), raw.getMessage());
            IllegalArgumentException ld = assertThrows(IllegalArgumentException.class,
                    () -> Gemm.sgemm(Transpose.T, Transpose.N, 2, 2, 2, 1f, small, 0, 1, small, 0, 2, 0f, small, 0, 2));
            assertTrue(ld.getMessage().contains("lda=1"), ld.getMessage());
        }
    }

    /**
     * The stacked form equals two plain calls bit for bit: every transpose, A1 and A2 at offsets
     * with their own leading dimensions, beta 0 (C full of NaN) and not, depth over several KC
     * blocks, on 1 thread and split by columns on 2 and 3; one operand of zero rows.
     */
    @Test
    void stackedProductHasTheBitsOfTwoPlainProducts() {
        Random rng = new Random(23);
        int old = Engine.threads();
        int[][] shapes = {{64, 64, 256, 700}, {13, 40, 70, 300}, {0, 9, 33, 20}, {5, 0, 17, 9}, {300, 70, 40, 100},
                {40, 24, 1700, 700}}; // the last: wider than one column block on every machine, A packed once per depth block
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : shapes) {
                int m1 = s[0], m2 = s[1], n = s[2], k = s[3], m = m1 + m2;
                for (Transpose ta : Transpose.values()) {
                    for (Transpose tb : Transpose.values()) {
                        FloatMatrix a1 = ta == Transpose.N ? random(arena, m1, k, k + 3, rng) : random(arena, k, m1, m1 + 5, rng);
                        FloatMatrix a2 = ta == Transpose.N ? random(arena, m2, k, k + 1, rng) : random(arena, k, m2, m2, rng);
                        FloatMatrix b = tb == Transpose.N ? random(arena, k, n, n, rng) : random(arena, n, k, k + 2, rng);
                        FloatMatrix c0 = random(arena, m, n, n + 4, rng);
                        float beta = ta == tb ? 0f : 0.5f;
                        FloatMatrix want = FloatMatrix.allocate(arena, m, n, n + 4);
                        want.copyFrom(c0);
                        if (m1 > 0) Gemm.sgemmSerial(ta, tb, 0.75f, a1, b, beta, want.rowRange(0, m1));
                        if (m2 > 0) Gemm.sgemmSerial(ta, tb, 0.75f, a2, b, beta, want.rowRange(m1, m2));
                        for (int threads = 1; threads <= 3; threads++) {
                            Engine.setThreads(threads);
                            FloatMatrix got = FloatMatrix.allocate(arena, m, n, n + 4);
                            got.copyFrom(c0);
                            if (beta == 0f) got.fill(Float.NaN);
                            Gemm.sgemmStacked(ta, tb, m1, m2, n, k, 0.75f, a1.segment(), 0, a1.ld(), a2.segment(), 0, a2.ld(),
                                    b.segment(), 0, b.ld(), beta, got.segment(), 0, got.ld());
                            String at = ta + "" + tb + " " + m1 + "+" + m2 + "×" + n + "×" + k + " on " + threads + " threads";
                            assertArrayEquals(want.toArray(), got.toArray(), at);
                        }
                        Engine.setThreads(old);
                    }
                }
            }
        } finally {
            Engine.setThreads(old);
        }
    }

    @Test
    void stackedProductNamesTheOperandThatDoesNotFit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment big = arena.allocate(4L * 64 * 64), small = arena.allocate(4L * 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Gemm.sgemmStacked(Transpose.T, Transpose.N, 4, 4, 8, 8, 1f, big, 0, 4, small, 0, 4,
                            big, 0, 8, 0f, big, 0, 8));
            assertTrue(e.getMessage().contains("A2"), e.getMessage());
            IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                    () -> Gemm.sgemmStacked(Transpose.T, Transpose.N, -1, 4, 8, 8, 1f, big, 0, 4, big, 0, 4,
                            big, 0, 8, 0f, big, 0, 8));
            assertTrue(neg.getMessage().contains("m1=-1"), neg.getMessage());
        }
    }

    /**
     * A transposed A read from the middle of its rows (offset, lda wider than m), its last row
     * ending exactly at the end of the segment: the packing's vector loads stay inside it and the
     * product matches the scalar twin.
     */
    @Test
    void transposedASubBlockEndingAtTheSegmentEnd() {
        Random rng = new Random(31);
        try (Arena arena = Arena.ofConfined()) {
            int m = 29, n = 40, k = 300, lda = 45, col0 = lda - m; // A is k×lda, op(A) its last m columns
            MemorySegment a = arena.allocate(4L * k * lda);
            for (long i = 0; i < (long) k * lda; i++) a.setAtIndex(ValueLayout.JAVA_FLOAT, i, rng.nextFloat() - 0.5f);
            FloatMatrix b = random(arena, k, n, n, rng);
            FloatMatrix want = FloatMatrix.allocate(arena, m, n), got = FloatMatrix.allocate(arena, m, n);
            ScalarGemm.sgemm(Transpose.T, Transpose.N, m, n, k, 1f, a, col0, lda, b.segment(), 0, n, 0f, want.segment(), 0, n);
            Gemm.sgemmSerial(Transpose.T, Transpose.N, m, n, k, 1f, a, col0, lda, b.segment(), 0, n, 0f, got.segment(), 0, n);
            assertClose(want, got, k);
        }
    }
}
