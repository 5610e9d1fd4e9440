package dev.recur.engine.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.DropoutMask;
import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.OptimizerKernels;
import dev.recur.engine.PackedB;
import dev.recur.engine.RowOps;
import dev.recur.engine.SimdActivations;
import dev.recur.engine.Transpose;
import dev.recur.engine.VectorOps;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every kernel family gives the same bits whether it runs interpreted, compiled by C1 or compiled
 * by C2: activations, softmax and log-softmax, the row and vector kernels and their reductions, the
 * optimizer updates, GEMM (plain, transposed, prepacked B), dropout masks, and every cell kernel
 * forward and backward (shapes with a masked tail: H is not a multiple of the lane count). This JVM
 * runs them cold and hot (after a warm loop); child JVMs run them with {@code -Xint} and with C1
 * only; every output's bits must match.
 */
class JitTierDeterminismTest {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Runs in a child JVM: optional warm-up rounds, then one checksum line per kernel output. */
    public static void main(String[] args) {
        if (!Engine.vectorApiAvailable()) throw new AssertionError("the child JVM must run with the Vector API");
        int warm = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        for (int i = 0; i < warm; i++) checksums();
        for (String line : checksums()) System.out.println(line);
    }

    private static MemorySegment random(Arena arena, Random rnd, long n, float lo, float hi) {
        MemorySegment s = arena.allocate(Math.max(1, n) * 4, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(F, i, lo + (hi - lo) * rnd.nextFloat());
        return s;
    }

    private static MemorySegment copy(Arena arena, MemorySegment s) {
        MemorySegment c = arena.allocate(s.byteSize(), 64);
        c.copyFrom(s);
        return c;
    }

    /** One "name hash" line per kernel output, hashing the raw bits of every float. */
    static List<String> checksums() {
        List<String> out = new ArrayList<>();
        CellKernels k = CellKernels.get();
        try (Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(42);
            int n = 1000, rows = 5, cols = 203;
            MemorySegment x = random(arena, rnd, n, -12f, 12f), y = arena.allocate(n * 4L, 64);
            SimdActivations.INSTANCE.exp(x, 0, y, 0, n);
            out.add("exp " + hash(y));
            SimdActivations.INSTANCE.sigmoid(x, 0, y, 0, n);
            out.add("sigmoid " + hash(y));
            SimdActivations.INSTANCE.tanh(x, 0, y, 0, n);
            out.add("tanh " + hash(y));

            FloatMatrix m = FloatMatrix.allocate(arena, rows, cols), sm = FloatMatrix.allocate(arena, rows, cols);
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m.set(r, c, -9f + 18f * rnd.nextFloat());
            RowOps.softmaxRows(m, sm);
            out.add("softmax " + hash(sm.segment()));
            RowOps.logSoftmaxRows(m, sm);
            out.add("logSoftmax " + hash(sm.segment()));
            FloatMatrix bias = FloatMatrix.allocate(arena, 1, cols), acc = FloatMatrix.allocate(arena, 1, cols);
            for (int c = 0; c < cols; c++) bias.set(0, c, rnd.nextFloat());
            RowOps.addRowVector(sm, bias);
            RowOps.addColumnSums(sm, acc);
            out.add("rowVector+columnSums " + hash(sm.segment()) + " " + hash(acc.segment()));
            FloatMatrix t = FloatMatrix.allocate(arena, cols, rows);
            RowOps.addTransposed(sm, t);
            out.add("addTransposed " + hash(t.segment()));

            MemorySegment a = random(arena, rnd, n, -3f, 3f), b = random(arena, rnd, n, -3f, 3f);
            VectorOps.axpy(0.37f, a, 0, b, 0, n);
            VectorOps.scale(1.3f, b, 0, n);
            VectorOps.clamp(-2f, 2.5f, b, 0, n);
            VectorOps.mul(a, 0, b, 0, b, 0, n);
            VectorOps.mulInPlace(b, 0, a, 0, n);
            out.add("vectorOps " + hash(b) + " sumOfSquares " + Double.doubleToRawLongBits(VectorOps.sumOfSquares(b, 0, n))
                    + " maxAbs " + Float.floatToRawIntBits(VectorOps.maxAbs(b, 0, n)));

            MemorySegment p = random(arena, rnd, n, -1f, 1f), g = random(arena, rnd, n, -1f, 1f);
            MemorySegment mom = arena.allocate(n * 4L, 64), v1 = arena.allocate(n * 4L, 64), v2 = arena.allocate(n * 4L, 64);
            OptimizerKernels.sgd(p, 0, g, 0, mom, 0, n, 0.1, 0.9, 1e-4, true);
            OptimizerKernels.adam(p, 0, g, 0, v1, 0, v2, 0, n, 1e-3, 0.9, 0.999, 1e-8, 1e-2, 3);
            OptimizerKernels.adamW(p, 0, g, 0, v1, 0, v2, 0, n, 1e-3, 0.9, 0.999, 1e-8, 1e-2, 4);
            out.add("optimizers " + hash(p) + " " + hash(mom) + " " + hash(v1) + " " + hash(v2));

            int gm = 37, gn = 53, gk = 300;
            MemorySegment ga = random(arena, rnd, (long) gm * gk, -1f, 1f), gb = random(arena, rnd, (long) gk * gn, -1f, 1f);
            MemorySegment gc = random(arena, rnd, (long) gm * gn, -1f, 1f);
            Gemm.sgemmSerial(Transpose.N, Transpose.N, gm, gn, gk, 1f, ga, 0, gk, gb, 0, gn, 0.5f, gc, 0, gn);
            Gemm.sgemmSerial(Transpose.T, Transpose.T, gm, gn, gk, 0.7f, ga, 0, gm, gb, 0, gk, 1f, gc, 0, gn);
            PackedB packed = Gemm.packB(Transpose.N, gk, gn, gb, 0, gn);
            Gemm.sgemmSerial(Transpose.N, gm, 1f, ga, 0, gk, packed, 1f, gc, 0, gn);
            out.add("gemm " + hash(gc));

            MemorySegment mask = arena.allocate(n * 4L, 64);
            DropoutMask.apply(DropoutMask.callKey(7, 2), 11, 0.3f, a, 0, mask, 0, y, 0, n);
            out.add("dropout " + hash(mask) + " " + hash(y));

            // max pooling over 9 rows of 203 columns (whole vectors and a tail), ld 211
            MemorySegment pm = random(arena, rnd, 9L * 211, -1f, 1f), pmax = arena.allocate(203 * 4L, 64);
            int[] parg = new int[203];
            RowOps.maxOverRows(pm, 0, 9, 203, 211, pmax, 0, parg, 0);
            out.add("maxOverRows " + hash(pmax) + " " + java.util.Arrays.hashCode(parg));

            cells(k, arena, rnd, out);
        }
        return out;
    }

    /** Every cell kernel, forward and backward, with H = 37 (a masked tail on any lane count). */
    private static void cells(CellKernels k, Arena arena, Random rnd, List<String> out) {
        int rows = 3, h = 37, st = rows * h;
        MemorySegment a = random(arena, rnd, st, -4f, 4f), bias = random(arena, rnd, 4 * h, -1f, 1f);
        MemorySegment hOut = arena.allocate(st * 4L, 64), da = arena.allocate(st * 4L, 64);
        MemorySegment dOut = random(arena, rnd, st, -1f, 1f), dh = random(arena, rnd, st, -1f, 1f);
        for (boolean relu : new boolean[] {false, true}) {
            k.rnnForward(rows, h, relu, a, 0, bias, 0, hOut, 0);
            k.rnnBackward(rows, h, relu, hOut, 0, dOut, 0, h, dh, 0, da, 0);
            out.add("rnn relu=" + relu + " " + hash(hOut) + " " + hash(da));
        }
        MemorySegment gates = random(arena, rnd, 4L * st, -5f, 5f), cPrev = random(arena, rnd, st, -3f, 3f);
        MemorySegment c = arena.allocate(st * 4L, 64), dc = random(arena, rnd, st, -1f, 1f);
        k.lstmForward(rows, h, gates, 0, bias, 0, cPrev, 0, c, 0, hOut, 0);
        out.add("lstmForward " + hash(gates) + " " + hash(c) + " " + hash(hOut));
        k.lstmBackward(rows, h, gates, 0, c, 0, cPrev, 0, dOut, 0, h, dh, 0, dc, 0);
        k.lstmBackward(rows, h, gates, 0, c, 0, cPrev, 0, null, 0, 0, dh, 0, dc, 0);
        out.add("lstmBackward " + hash(gates) + " " + hash(dc));
        MemorySegment gx = random(arena, rnd, 3L * st, -4f, 4f), gh = random(arena, rnd, 3L * st, -4f, 4f);
        MemorySegment bhh = random(arena, rnd, 3L * h, -1f, 1f), hPrev = random(arena, rnd, st, -1f, 1f);
        MemorySegment dh2 = copy(arena, dh);
        k.gruForward(rows, h, gx, 0, gh, 0, bias, 0, bhh, 0, hPrev, 0, hOut, 0);
        out.add("gruForward " + hash(gx) + " " + hash(gh) + " " + hash(hOut));
        k.gruBackward(rows, h, gx, 0, gh, 0, hPrev, 0, dOut, 0, h, dh2, 0);
        out.add("gruBackward " + hash(gx) + " " + hash(gh) + " " + hash(dh2));
        MemorySegment sums = random(arena, rnd, 3L * h, -1f, 1f);
        k.addColumnSums(rows, 3 * h, gx, 0, 3 * h, sums, 0);
        k.add(3 * h, sums, 0, bhh, 0, sums, 0);
        out.add("cell helpers " + hash(sums));
    }

    private static String hash(MemorySegment s) {
        long hsh = 1125899906842597L;
        for (long i = 0; i < s.byteSize() / 4; i++) hsh = 31 * hsh + Float.floatToRawIntBits(s.getAtIndex(F, i));
        return Long.toHexString(hsh);
    }

    private static List<String> child(String... jvmFlags) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                JitTierDeterminismTest.class.getName()));
        boolean c1 = List.of(jvmFlags).contains("-XX:TieredStopAtLevel=1");
        if (c1) cmd.add("30");
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(180, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, child.exitValue(), text);
        return text.lines().filter(l -> !l.startsWith("WARNING")).toList();
    }

    @Test
    void everyKernelFamilyGivesTheSameBitsInterpretedC1AndC2() throws IOException, InterruptedException {
        List<String> cold = checksums();
        for (int i = 0; i < 200; i++) checksums(); // warm: C2 compiles the kernels
        List<String> hot = checksums();
        assertEquals(cold, hot, "cold and hot runs in one JVM");
        assertEquals(hot, child("-Xint"), "C2-compiled (this JVM) against -Xint (child JVM)");
        assertEquals(hot, child("-XX:TieredStopAtLevel=1"), "C2-compiled (this JVM) against C1 only (child JVM)");
    }
}
