package dev.recur.engine.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.Activations;
import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.RowOps;
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
 * The SIMD exp, σ, tanh and softmax give the same bits whether they run compiled by C2 or
 * interpreted: {@code SimdMath} is arithmetic-only (the JDK's lane-wise EXP/TANH would be SVML in C2
 * and Math.exp/tanh in the interpreter, which differ in the last bit for some inputs). This JVM runs
 * them hot (after a warm loop); a child JVM started with {@code -Xint} runs them interpreted; every
 * output's bits must match. (The cell kernels still use the lane-wise TANH: not covered here.)
 */
class JitTierDeterminismTest {

    private static final int N = 4096;

    /** Runs in the child JVM: prints one checksum line per kernel output. */
    public static void main(String[] args) {
        if (!Engine.vectorApiAvailable()) throw new AssertionError("the child JVM must run with the Vector API");
        for (String line : checksums()) System.out.println(line);
    }

    /** One "name hash" line per kernel output, hashing the raw bits of every float. */
    static List<String> checksums() {
        List<String> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(42);
            FloatMatrix x = FloatMatrix.allocate(arena, 8, N / 8);
            for (int r = 0; r < 8; r++) for (int c = 0; c < N / 8; c++) x.set(r, c, -12f + 24f * rnd.nextFloat());
            FloatMatrix y = FloatMatrix.allocate(arena, 8, N / 8);
            Activations.exp(x, y);
            out.add("exp " + hash(y.segment(), N));
            Activations.sigmoid(x, y);
            out.add("sigmoid " + hash(y.segment(), N));
            Activations.tanh(x, y);
            out.add("tanh " + hash(y.segment(), N));
            RowOps.softmaxRows(x, y);
            out.add("softmax " + hash(y.segment(), N));

        }
        return out;
    }

    private static String hash(MemorySegment s, int n) {
        long hsh = 1125899906842597L;
        for (int i = 0; i < n; i++) hsh = 31 * hsh + Float.floatToRawIntBits(s.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        return Long.toHexString(hsh);
    }

    @Test
    void activationsGiveTheSameBitsHotAndInterpreted() throws IOException, InterruptedException {
        List<String> cold = checksums();
        for (int i = 0; i < 300; i++) checksums(); // warm: C2 compiles the kernels
        List<String> hot = checksums();
        assertEquals(cold, hot, "cold and hot runs in one JVM");

        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(List.of(java, "-Xint", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", cp, JitTierDeterminismTest.class.getName()))
                .redirectErrorStream(true).start();
        String text = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, child.exitValue(), text);
        List<String> interpreted = text.lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(hot, interpreted, "C2-compiled (this JVM) against -Xint (child JVM)");
    }
}
