package dev.recur.layers.rnn;

import dev.recur.engine.Gemm;
import dev.recur.engine.Transpose;
import java.lang.foreign.MemorySegment;

/**
 * The one place the recurrent layer calls SGEMM, on raw segments with float offsets and leading
 * dimensions: {@code C = alpha·op(A)·op(B) + beta·C}, op(A) m×k, op(B) k×n, C m×n. Allocation-free.
 * {@link #parallel} may use the engine's threads (the big all-steps GEMMs). The per-step recurrent
 * products use a {@link dev.recur.engine.PackedB} of W_hh instead (see RecurrentLayer).
 */
final class RawGemm {
    private RawGemm() {}

    static void parallel(Transpose ta, Transpose tb, int m, int n, int k, float alpha,
                         MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                         float beta, MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0) return;
        Gemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
}
