package dev.recur.engine.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.Engine;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each SIMD cell kernel against its scalar twin on the same random buffers (odd sizes included, so
 * masked tails run), and the scalar twins against hand-computed values of the equations.
 */
class CellKernelsTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final float TOL = 2e-6f;

    private final CellKernels simd = CellKernels.get();
    private final CellKernels scalar = CellKernels.scalar();

    @Test
    void facadePicksSimdWhenTheVectorApiIsThere() {
        assertTrue(Engine.vectorApiAvailable(), "tests run with " + Engine.VECTOR_FLAG);
        assertEquals("SimdCellKernels", simd.getClass().getSimpleName());
        assertSame(ScalarCellKernels.class, scalar.getClass());
    }

    /** Random buffers, a copy for each implementation, compared after the call. */
    private static final class Buffers implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final MemorySegment[] a, b;

        Buffers(Random rnd, float scale, long... sizes) {
            a = new MemorySegment[sizes.length];
            b = new MemorySegment[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                a[i] = arena.allocate(sizes[i] * 4 + 4, 64);
                b[i] = arena.allocate(sizes[i] * 4 + 4, 64);
                for (long j = 0; j < sizes[i] + 1; j++) a[i].setAtIndex(F, j, (float) rnd.nextGaussian() * scale);
                b[i].copyFrom(a[i]);
            }
        }

        void assertClose(String what) {
            for (int i = 0; i < a.length; i++) {
                long n = a[i].byteSize() / 4;
                for (long j = 0; j < n; j++) {
                    float x = a[i].getAtIndex(F, j), y = b[i].getAtIndex(F, j);
                    float tol = TOL * Math.max(1f, Math.abs(x));
                    if (!(Math.abs(x - y) <= tol)) {
                        throw new AssertionError(what + ": buffer " + i + " element " + j + ": scalar " + x
                                + " vs SIMD " + y);
                    }
                }
            }
        }

        @Override
        public void close() { arena.close(); }
    }

    // 13 × 128 and 9 × 100: several row blocks of the SIMD passes and a short last one (blockRows)
    @ParameterizedTest
    @CsvSource({"1,1", "3,5", "4,16", "7,33", "2,128", "13,128", "9,100"})
    void lstmForwardAndBackwardMatchTheTwin(int rows, int h) {
        Random rnd = new Random(rows * 31L + h);
        long st = (long) rows * h;
        try (Buffers f = new Buffers(rnd, 1.5f, st * 4, 4L * h, st, st, st)) {
            scalar.lstmForward(rows, h, f.a[0], 0, f.a[1], 0, f.a[2], 0, f.a[3], 0, f.a[4], 0);
            simd.lstmForward(rows, h, f.b[0], 0, f.b[1], 0, f.b[2], 0, f.b[3], 0, f.b[4], 0);
            f.assertClose("lstmForward");
        }
        try (Buffers f = new Buffers(rnd, 0.5f, st * 4, st, st, st * 2, st, st)) {
            // gates must look like activations: i, f, o in (0,1), g in (-1,1)
            for (long j = 0; j < st * 4; j++) f.b[0].setAtIndex(F, j, (float) Math.tanh(f.a[0].getAtIndex(F, j)));
            f.a[0].copyFrom(f.b[0]);
            scalar.lstmBackward(rows, h, f.a[0], 0, f.a[1], 0, f.a[2], 0, f.a[3], 1, 2 * h, f.a[4], 0, f.a[5], 0);
            simd.lstmBackward(rows, h, f.b[0], 0, f.b[1], 0, f.b[2], 0, f.b[3], 1, 2 * h, f.b[4], 0, f.b[5], 0);
            f.assertClose("lstmBackward");
        }
    }

    @ParameterizedTest
    @CsvSource({"1,1", "3,5", "4,16", "7,33", "2,128", "13,128", "9,100"})
    void gruForwardAndBackwardMatchTheTwin(int rows, int h) {
        Random rnd = new Random(rows * 17L + h);
        long st = (long) rows * h;
        try (Buffers f = new Buffers(rnd, 1.5f, st * 3, st * 3, 3L * h, 3L * h, st, st)) {
            scalar.gruForward(rows, h, f.a[0], 0, f.a[1], 0, f.a[2], 0, f.a[3], 0, f.a[4], 0, f.a[5], 0);
            simd.gruForward(rows, h, f.b[0], 0, f.b[1], 0, f.b[2], 0, f.b[3], 0, f.b[4], 0, f.b[5], 0);
            f.assertClose("gruForward");
        }
        try (Buffers f = new Buffers(rnd, 0.7f, st * 3, st * 3, st, st, st)) {
            scalar.gruBackward(rows, h, f.a[0], 0, f.a[1], 0, f.a[2], 0, f.a[3], 0, h, f.a[4], 0);
            simd.gruBackward(rows, h, f.b[0], 0, f.b[1], 0, f.b[2], 0, f.b[3], 0, h, f.b[4], 0);
            f.assertClose("gruBackward");
        }
    }

    @ParameterizedTest
    @CsvSource({"1,1,false", "3,5,true", "4,16,false", "7,33,true", "2,128,true"})
    void rnnForwardAndBackwardMatchTheTwin(int rows, int h, boolean relu) {
        Random rnd = new Random(rows * 13L + h);
        long st = (long) rows * h;
        try (Buffers f = new Buffers(rnd, 1.5f, st, h, st)) {
            scalar.rnnForward(rows, h, relu, f.a[0], 0, f.a[1], 0, f.a[2], 0);
            simd.rnnForward(rows, h, relu, f.b[0], 0, f.b[1], 0, f.b[2], 0);
            f.assertClose("rnnForward");
        }
        try (Buffers f = new Buffers(rnd, 0.7f, st, st, st, st)) {
            scalar.rnnBackward(rows, h, relu, f.a[0], 0, null, 0, h, f.a[2], 0, f.a[3], 0);
            simd.rnnBackward(rows, h, relu, f.b[0], 0, null, 0, h, f.b[2], 0, f.b[3], 0);
            f.assertClose("rnnBackward, no dOut");
            scalar.rnnBackward(rows, h, relu, f.a[0], 0, f.a[1], 0, h, f.a[2], 0, f.a[3], 0);
            simd.rnnBackward(rows, h, relu, f.b[0], 0, f.b[1], 0, h, f.b[2], 0, f.b[3], 0);
            f.assertClose("rnnBackward");
        }
    }

    @ParameterizedTest
    @CsvSource({"1,1", "5,3", "9,17", "64,512"})
    void columnSumsAndAddMatchTheTwin(int rows, int cols) {
        Random rnd = new Random(rows + 7L * cols);
        try (Buffers f = new Buffers(rnd, 1f, (long) rows * (cols + 2), cols, cols, cols)) {
            scalar.addColumnSums(rows, cols, f.a[0], 1, cols + 2, f.a[1], 0);
            simd.addColumnSums(rows, cols, f.b[0], 1, cols + 2, f.b[1], 0);
            scalar.add(cols, f.a[1], 0, f.a[2], 0, f.a[3], 0);
            simd.add(cols, f.b[1], 0, f.b[2], 0, f.b[3], 0);
            f.assertClose("addColumnSums/add");
        }
    }

    @Test
    void scalarLstmStepIsTheTextbookFormula() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment g = seg(arena, 0.5f, -1f, 2f, 0.25f), bias = seg(arena, 0.1f, 0.2f, -0.3f, 0.4f);
            MemorySegment cPrev = seg(arena, 0.7f), c = seg(arena, 0f), h = seg(arena, 0f);
            scalar.lstmForward(1, 1, g, 0, bias, 0, cPrev, 0, c, 0, h, 0);
            double i = sig(0.6), f = sig(-0.8), gg = Math.tanh(1.7), o = sig(0.65);
            double cc = f * 0.7 + i * gg;
            assertEquals(cc, c.getAtIndex(F, 0), 1e-6);
            assertEquals(o * Math.tanh(cc), h.getAtIndex(F, 0), 1e-6);
            assertEquals(gg, g.getAtIndex(F, 2), 1e-6);
        }
    }

    @Test
    void scalarGruStepIsTheTextbookFormula() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment gx = seg(arena, 0.3f, -0.2f, 0.5f), gh = seg(arena, -0.1f, 0.4f, 0.8f);
            MemorySegment bih = seg(arena, 0.01f, 0.02f, 0.03f), bhh = seg(arena, -0.05f, 0.06f, 0.07f);
            MemorySegment hPrev = seg(arena, -0.6f), h = seg(arena, 0f);
            scalar.gruForward(1, 1, gx, 0, gh, 0, bih, 0, bhh, 0, hPrev, 0, h, 0);
            double r = sig(0.3 + 0.01 - 0.1 - 0.05), z = sig(-0.2 + 0.02 + 0.4 + 0.06);
            double n = Math.tanh(0.5 + 0.03 + r * (0.8 + 0.07));
            assertEquals((1 - z) * n + z * -0.6, h.getAtIndex(F, 0), 1e-6);
            assertEquals(0.87, gh.getAtIndex(F, 2), 1e-6);
        }
    }

    /** Subnormal floats are the ones below Float.MIN_NORMAL in magnitude, other than zero. */
    static boolean subnormal(float x) { return x != 0f && Math.abs(x) < Float.MIN_NORMAL; }

    @Test
    void backwardKernelsNeverWriteSubnormals() {
        int rows = 3, h = 37;  // odd H: the vector body and the scalar tail both run
        long st = (long) rows * h;
        for (CellKernels k : new CellKernels[] {simd, scalar}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment gates = arena.allocate(st * 6 * 4, 64), c = arena.allocate(st * 4, 64);
                MemorySegment cPrev = arena.allocate(st * 4, 64), dh = arena.allocate(st * 4, 64);
                MemorySegment dc = arena.allocate(st * 4, 64);
                for (long j = 0; j < st * 6; j++) gates.setAtIndex(F, j, 0.3f);
                for (long j = 0; j < st; j++) {
                    c.setAtIndex(F, j, 0.5f);
                    cPrev.setAtIndex(F, j, 0.5f);
                    // tiny but normal incoming gradients: the raw products would be subnormal
                    dh.setAtIndex(F, j, 3e-37f * (1 + j % 5));
                    dc.setAtIndex(F, j, -2e-37f * (1 + j % 3));
                }
                float rawDcPrev = (-2e-37f + 3e-37f * 0.3f * (1f - (float) Math.tanh(0.5) * (float) Math.tanh(0.5))) * 0.3f;
                assertTrue(rawDcPrev == 0f || Math.abs(rawDcPrev) < 1e-36f, "the unflushed value is tiny");
                k.lstmBackward(rows, h, gates, 0, c, 0, cPrev, 0, null, 0, h, dh, 0, dc, 0);
                for (long j = 0; j < st * 4; j++) assertFalse(subnormal(gates.getAtIndex(F, j)), "gate gradient " + j);
                for (long j = 0; j < st; j++) assertFalse(subnormal(dc.getAtIndex(F, j)), "dc " + j);
                // GRU and RNN on the same tiny gradients
                for (long j = 0; j < st; j++) dh.setAtIndex(F, j, 3e-37f);
                k.gruBackward(rows, h, gates, 0, gates, st * 3, cPrev, 0, null, 0, h, dh, 0);
                for (long j = 0; j < st * 3; j++) assertFalse(subnormal(gates.getAtIndex(F, j)), "GRU gradient " + j);
                for (long j = 0; j < st; j++) assertFalse(subnormal(dh.getAtIndex(F, j)), "GRU dh " + j);
                for (long j = 0; j < st; j++) dh.setAtIndex(F, j, 3e-37f);
                k.rnnBackward(rows, h, false, c, 0, null, 0, h, dh, 0, dc, 0);
                for (long j = 0; j < st; j++) assertFalse(subnormal(dc.getAtIndex(F, j)), "RNN gradient " + j);
            }
        }
    }

    @Test
    void flushKeepsOrdinaryGradientsExactly() {
        for (float x : new float[] {1f, -3.5e-5f, 1e-15f, 0x1p-51f, -0x1p-50f, 123456.78f}) {
            assertEquals(x, ScalarCellKernels.flush(x), "flush(" + x + ")");
        }
        assertEquals(0f, ScalarCellKernels.flush(1e-40f));
        assertEquals(0f, ScalarCellKernels.flush(-0x1p-102f));
        assertFalse(subnormal(ScalarCellKernels.flush(0x1p-99f)));
    }

    private static double sig(double x) { return 1 / (1 + Math.exp(-x)); }

    private static MemorySegment seg(Arena arena, float... v) {
        MemorySegment s = arena.allocate(v.length * 4L, 64);
        MemorySegment.copy(v, 0, s, F, 0, v.length);
        return s;
    }
}
