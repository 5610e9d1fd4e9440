package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Started without {@code --add-modules jdk.incubator.vector}, the kernel facades run their scalar
 * twins and never load a class that needs the Vector API (which would throw NoClassDefFoundError).
 */
class ScalarFallbackTest {

    /** Runs in a child JVM with no Vector API; prints one line per checked facade. */
    public static void main(String[] args) {
        if (Engine.vectorApiAvailable()) throw new AssertionError("the child JVM must run without the Vector API");
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.of(arena, 2, 3, 1, -2, 3, 0, 5, -6);
            FloatMatrix y = FloatMatrix.allocate(arena, 2, 3);
            dev.recur.engine.cell.CellKernels cells = dev.recur.engine.cell.CellKernels.get();
            if (cells != dev.recur.engine.cell.CellKernels.scalar()) throw new AssertionError("cells must be the scalar twin");
            FloatMatrix bias = FloatMatrix.of(arena, 1, 3, 0, 0, 0);
            cells.rnnForward(2, 3, false, x.segment(), 0, bias.segment(), 0, y.segment(), 0);
            check("rnn tanh", y.get(1, 1), ScalarActivations.tanhArithmetic(5f));
            DropoutMask.apply(DropoutMask.callKey(1, 1), 0, 0.5f, x.segment(), 0, y.segment(), 0, y.segment(), 0, 6);
            VectorOps.mulInPlace(y.segment(), 0, x.segment(), 0, 6);
            RowOps.addTransposed(x, FloatMatrix.allocate(arena, 3, 2));
            check("sumOfSquares", (float) VectorOps.sumOfSquares(x), 75f);
            VectorOps.flushSubnormals(y);
            RowOps.softmaxRows(x, y);
            check("softmax", y.get(1, 1), (float) (Math.exp(5) / (1 + Math.exp(5) + Math.exp(-6))));
            FloatMatrix m = FloatMatrix.allocate(arena, 2, 3), v = FloatMatrix.allocate(arena, 2, 3);
            FloatMatrix p = FloatMatrix.of(arena, 2, 3, 0, 0, 0, 0, 0, 0);
            OptimizerKernels.adam(p, x, m, v, 0.1, 0.9, 0.999, 1e-8, 0, 1);
            check("adam", p.get(0, 1), 0.1f);
            // [1 2 | 3]·[[1 0] [0 1] [1 1]] = [4 5]
            PackedB joined = Gemm.packB(Transpose.N, FloatMatrix.of(arena, 3, 2, 1, 0, 0, 1, 1, 1));
            FloatMatrix a1 = FloatMatrix.of(arena, 1, 2, 1, 2), a2 = FloatMatrix.of(arena, 1, 1, 3);
            FloatMatrix prod = FloatMatrix.allocate(arena, 1, 2);
            Gemm.sgemmSerialJoined(1, 1f, a1.segment(), 0, 2, 2, a2.segment(), 0, 1, joined, 0f, prod.segment(), 0, 2);
            check("joined gemm", prod.get(0, 0), 4f);
            check("joined gemm", prod.get(0, 1), 5f);
            Activations.tanhRows(2, 3, x.segment(), 0, 3, bias.segment(), 0, y.segment(), 0, 3);
            check("activations tanh", y.get(1, 2), (float) Math.tanh(-6));
            Activations.exp(x.segment(), 0, y.segment(), 0, 6);
            check("activations exp", y.get(0, 2), (float) Math.exp(3));
            // GEMM through the scalar twin, prepacked B (stored transposed) against the raw form
            FloatMatrix w = FloatMatrix.of(arena, 2, 3, 1, 2, 3, 4, 5, 6);          // B stored n×k, op(B) = Wᵀ (3×2)
            PackedB packed = Gemm.packB(Transpose.T, w);
            FloatMatrix c1 = FloatMatrix.allocate(arena, 2, 2), c2 = FloatMatrix.allocate(arena, 2, 2);
            Gemm.sgemm(Transpose.N, 2, 1f, x.segment(), 0, 3, packed, 0f, c1.segment(), 0, 2);
            Gemm.sgemm(Transpose.N, Transpose.T, 1f, x, w, 0f, c2);
            check("gemm", c2.get(1, 1), 0 * 4 + 5 * 5 - 6 * 6);
            check("gemm prepacked", c1.get(1, 1), c2.get(1, 1));
        }
        System.out.println("scalar twins ran");
    }

    private static void check(String what, float got, float want) {
        if (Math.abs(got - want) > 1e-6f * Math.max(1f, Math.abs(want))) {
            throw new AssertionError(what + " gave " + got + ", expected " + want);
        }
        System.out.println(what + " ok");
    }

    @Test
    void facadesRunTheScalarTwinsWithoutTheVectorApi() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(List.of(java, "-cp", cp, ScalarFallbackTest.class.getName()))
                .redirectErrorStream(true).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("adam ok") && out.contains("scalar twins ran"), out);
    }
}
