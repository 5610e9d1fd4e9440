package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.gemm.Blocking;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Deep products (the weight gradients) cut into fixed chunks of depth: {@link DepthSplit}. */
class DepthSplitTest {
    private static final int KC = Blocking.KC;

    private static FloatMatrix random(Arena arena, int rows, int cols, int ld, Random rng) {
        FloatMatrix m = FloatMatrix.allocate(arena, rows, cols, Math.max(1, ld));
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m.set(r, c, rng.nextFloat() * 2 - 1);
        return m;
    }

    /** A depth holding {@code chunks} chunks of the smallest depth for width n (on this machine's KC). */
    private static int depthFor(int chunks, int n) {
        return chunks * Math.max(8 * n, 4 * KC);
    }

    /**
     * The chunk count depends on k and n alone: 1 below two chunks of max(8·n, 4·KC), then a power
     * of two up to 8; chunks start at multiples of KC, cover k and differ by at most one KC block.
     */
    @Test
    void chunksArePowersOfTwoOfWholeDepthBlocksThatCoverK() {
        assertEquals(1, DepthSplit.chunks(0, 64));
        assertEquals(1, DepthSplit.chunks(depthFor(2, 256) - 1, 256));
        assertEquals(2, DepthSplit.chunks(depthFor(2, 256), 256));
        assertEquals(2, DepthSplit.chunks(depthFor(4, 256) - 1, 256));
        assertEquals(4, DepthSplit.chunks(depthFor(4, 256), 256));
        assertEquals(8, DepthSplit.chunks(depthFor(8, 256), 256));
        assertEquals(8, DepthSplit.chunks(depthFor(100, 256), 256));
        assertEquals(1, DepthSplit.chunks(25_600, 4096), "a wide C is not split by depth");
        for (int n : new int[] {1, 24, 256, 1000}) {
            for (int k = 1; k < 70_000; k += 997) {
                int chunks = DepthSplit.chunks(k, n);
                assertEquals(1, Integer.bitCount(chunks), "k=" + k + " n=" + n);
                if (chunks == 1) continue;
                assertEquals(0, DepthSplit.chunkStart(k, 0, chunks));
                assertEquals(k, DepthSplit.chunkStart(k, chunks, chunks));
                int first = DepthSplit.chunkStart(k, 1, chunks);
                for (int p = 0; p < chunks; p++) {
                    int from = DepthSplit.chunkStart(k, p, chunks), to = DepthSplit.chunkStart(k, p + 1, chunks);
                    String at = "k=" + k + " n=" + n + " chunk " + p + " of " + chunks + ": [" + from + ", " + to + ")";
                    assertEquals(0, from % KC, at);
                    assertTrue(to > from, at);
                    int blocks = (p == chunks - 1 ? (k + KC - 1) / KC * KC - from : to - from) / KC; // the last one's padded
                    assertTrue(blocks >= 4 && Math.abs(blocks * KC - first) <= KC, at);
                    assertTrue(blocks * KC >= 8L * n - KC, at);
                }
            }
        }
    }

    /**
     * The documented sum: chunk 0 into C with alpha and beta, every other chunk alpha·A_c·B_c on its
     * own, added element by element in chunk order. Every transpose, beta 0 (C full of NaN) and not,
     * a last chunk shorter than the others, stacked and plain.
     */
    @Test
    void deepProductIsItsChunksSummedInChunkOrder() {
        Random rng = new Random(31);
        int m1 = 21, m2 = 12, n = 24, m = m1 + m2;
        int k = depthFor(4, n) + 77;
        int chunks = DepthSplit.chunks(k, n);
        assertEquals(4, chunks);
        GemmSupport kernel = Kernels.gemm();
        try (Arena arena = Arena.ofShared()) {
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    boolean tA = ta == Transpose.T, tB = tb == Transpose.T;
                    FloatMatrix a1 = tA ? random(arena, k, m1, m1 + 2, rng) : random(arena, m1, k, k + 3, rng);
                    FloatMatrix a2 = tA ? random(arena, k, m2, m2, rng) : random(arena, m2, k, k, rng);
                    FloatMatrix b = tB ? random(arena, n, k, k + 1, rng) : random(arena, k, n, n, rng);
                    float beta = ta == tb ? 0f : 0.5f;
                    FloatMatrix c0 = random(arena, m, n, n + 4, rng);
                    FloatMatrix want = FloatMatrix.allocate(arena, m, n, n + 4);
                    want.copyFrom(c0);
                    FloatMatrix part = FloatMatrix.allocate(arena, m, n);
                    for (int p = 0; p < chunks; p++) {
                        int from = DepthSplit.chunkStart(k, p, chunks), kp = DepthSplit.chunkStart(k, p + 1, chunks) - from;
                        FloatMatrix out = p == 0 ? want : part;
                        for (int half = 0; half < 2; half++) {
                            FloatMatrix a = half == 0 ? a1 : a2;
                            int rows = half == 0 ? m1 : m2, r0 = half == 0 ? 0 : m1;
                            long aStep = tA ? (long) from * a.ld() : from, bStep = tB ? from : (long) from * b.ld();
                            kernel.sgemm(tA, tB, rows, n, kp, 0.75f, a.segment(), aStep, a.ld(), b.segment(), bStep, b.ld(),
                                    p == 0 ? beta : 0f, out.segment(), (long) r0 * out.ld(), out.ld());
                        }
                        if (p > 0) {
                            for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) want.set(r, c, want.get(r, c) + part.get(r, c));
                        }
                    }
                    FloatMatrix stacked = FloatMatrix.allocate(arena, m, n, n + 4);
                    stacked.copyFrom(c0);
                    if (beta == 0f) stacked.fill(Float.NaN);
                    Gemm.sgemmStacked(ta, tb, m1, m2, n, k, 0.75f, a1.segment(), 0, a1.ld(), a2.segment(), 0, a2.ld(),
                            b.segment(), 0, b.ld(), beta, stacked.segment(), 0, stacked.ld());
                    assertArrayEquals(want.toArray(), stacked.toArray(), ta + "" + tb + " stacked");
                    FloatMatrix plain = FloatMatrix.allocate(arena, m1, n, n + 4);
                    plain.copyFrom(c0.rowRange(0, m1));
                    Gemm.sgemm(ta, tb, 0.75f, a1, b, beta, plain);
                    assertArrayEquals(want.rowRange(0, m1).toArray(), plain.toArray(), ta + "" + tb + " plain");
                }
            }
        }
    }

    /**
     * Any thread count, through every entry that splits (plain, serial, stacked), gives the bits of
     * one thread; the result is the product (against the scalar twin, within rounding).
     */
    @Test
    void deepProductHasTheBitsOfOneThreadOnAnyThreadCount() {
        Random rng = new Random(7);
        int old = Engine.threads();
        int m = 40, n = 32, k = depthFor(8, n) + 5;
        assertEquals(8, DepthSplit.chunks(k, n));
        try (Arena arena = Arena.ofShared()) {
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    FloatMatrix a = ta == Transpose.T ? random(arena, k, m, m, rng) : random(arena, m, k, k, rng);
                    FloatMatrix b = tb == Transpose.T ? random(arena, n, k, k, rng) : random(arena, k, n, n + 1, rng);
                    FloatMatrix c0 = random(arena, m, n, n, rng);
                    float beta = ta == tb ? 0.5f : 0f;
                    Engine.setThreads(1);
                    FloatMatrix one = FloatMatrix.allocate(arena, m, n);
                    one.copyFrom(c0);
                    Gemm.sgemm(ta, tb, 1.25f, a, b, beta, one);
                    FloatMatrix reference = FloatMatrix.allocate(arena, m, n);
                    reference.copyFrom(c0);
                    ScalarGemm.sgemm(ta, tb, 1.25f, a, b, beta, reference);
                    float tol = 1e-5f * k;
                    for (int r = 0; r < m; r++) {
                        for (int c = 0; c < n; c++) {
                            assertTrue(Math.abs(one.get(r, c) - reference.get(r, c)) <= tol, "C(" + r + "," + c + ")");
                        }
                    }
                    for (int threads = 2; threads <= 4; threads++) {
                        Engine.setThreads(threads);
                        FloatMatrix got = FloatMatrix.allocate(arena, m, n);
                        got.copyFrom(c0);
                        Gemm.sgemm(ta, tb, 1.25f, a, b, beta, got);
                        assertArrayEquals(one.toArray(), got.toArray(), ta + "" + tb + " on " + threads + " threads");
                        FloatMatrix serial = FloatMatrix.allocate(arena, m, n);
                        serial.copyFrom(c0);
                        Gemm.sgemmSerial(ta, tb, 1.25f, a, b, beta, serial);
                        assertArrayEquals(one.toArray(), serial.toArray(), ta + "" + tb + " serial, pool of " + threads);
                        FloatMatrix stacked = FloatMatrix.allocate(arena, m, n);
                        stacked.copyFrom(c0);
                        int m1 = 13;
                        long a2Offset = ta == Transpose.T ? m1 : (long) m1 * a.ld();
                        Gemm.sgemmStacked(ta, tb, m1, m - m1, n, k, 1.25f, a.segment(), 0, a.ld(), a.segment(), a2Offset,
                                a.ld(), b.segment(), 0, b.ld(), beta, stacked.segment(), 0, stacked.ld());
                        assertArrayEquals(one.toArray(), stacked.toArray(), ta + "" + tb + " stacked on " + threads + " threads");
                    }
                }
            }
        } finally {
            Engine.setThreads(old);
        }
    }
}
