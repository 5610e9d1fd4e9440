package dev.recur.engine.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.Transpose;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The pre-packed recurrent product against the general GEMM, edges and both betas included. The
 * sums run in another order than the blocked GEMM (which splits K), hence a tolerance growing with K.
 */
class PackedWeightsTest {

    @ParameterizedTest
    @CsvSource({"1,1,1,true", "5,7,3,false", "64,128,512,true", "33,512,128,false", "9,20,45,true", "4,16,32,false"})
    void equalsGemm(int rows, int k, int n, boolean transposed) {
        Random rnd = new Random(rows * 1000L + k * 10L + n);
        try (Arena arena = Arena.ofConfined()) {
            FloatMatrix w = transposed ? FloatMatrix.allocate(arena, n, k) : FloatMatrix.allocate(arena, k, n);
            FloatMatrix a = FloatMatrix.allocate(arena, rows, k + 2);   // ld > K
            FloatMatrix c = FloatMatrix.allocate(arena, rows, n + 3), expected = FloatMatrix.allocate(arena, rows, n + 3);
            fill(w, rnd);
            fill(a, rnd);
            fill(c, rnd);
            expected.copyFrom(c);
            PackedWeights p = new PackedWeights(k, n);
            p.pack(w.segment(), 0, w.ld(), transposed);
            float[] scratch = p.newScratch();
            for (float beta : new float[] {1f, 0f}) {
                p.multiply(rows, a.segment(), 0, a.ld(), beta, c.segment(), 0, c.ld(), scratch);
                Gemm.sgemmSerial(Transpose.N, transposed ? Transpose.T : Transpose.N, rows, n, k, 1f,
                        a.segment(), 0, a.ld(), w.segment(), 0, w.ld(), beta, expected.segment(), 0, expected.ld());
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < n + 3; j++) {
                        float e = expected.get(i, j);
                        assertEquals(e, c.get(i, j), 1e-6f * k * Math.max(1f, Math.abs(e)), "beta " + beta + " (" + i + "," + j + ")");
                    }
                }
            }
            assertThrows(IllegalArgumentException.class,
                    () -> p.multiply(rows, a.segment(), 0, a.ld(), 0.5f, c.segment(), 0, c.ld(), scratch));
        }
    }

    private static void fill(FloatMatrix m, Random rnd) {
        for (int i = 0; i < m.rows(); i++) for (int j = 0; j < m.cols(); j++) m.set(i, j, (float) rnd.nextGaussian());
    }
}
