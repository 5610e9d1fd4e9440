package dev.recur.engine;

import dev.recur.engine.gemm.Blocking;
import dev.recur.engine.gemm.ParallelGemm;
import java.lang.foreign.MemorySegment;

/**
 * Single-precision matrix multiply, {@code C = alpha·op(A)·op(B) + beta·C}, with
 * {@code op(X)} = X or Xᵀ. {@code op(A)} is M×K, {@code op(B)} is K×N and C is M×N; any of M, N, K
 * may be 0. When {@code beta == 0} C is never read (it may hold NaN). All storage is row-major.
 *
 * <p>The work is done by a packed, cache-blocked Vector API kernel (see {@code docs/gemm.md});
 * without the {@code jdk.incubator.vector} module it falls back to {@link ScalarGemm} after one
 * warning line on stderr.
 *
 * <p>Threads: {@link #sgemm(Transpose, Transpose, float, FloatMatrix, FloatMatrix, float, FloatMatrix)}
 * and the raw {@link #sgemm(Transpose, Transpose, int, int, int, float, MemorySegment, long, int,
 * MemorySegment, long, int, float, MemorySegment, long, int) sgemm} split large problems over
 * {@link Engine#pool()}: deep products (depth k at least 16 times the width n of C and 8·KC: the
 * weight gradients) in fixed chunks of depth summed in chunk order ({@link DepthSplit}, on one thread too),
 * products of many rows in blocks of {@link ParallelGemm#MC_TASK} rows taken from a shared counter
 * per depth block (no thread waits at a fixed split), others by columns of C (or by rows when C is
 * narrow); either way every element of C is summed in an order that depends on the shape alone, so
 * the result is bit for bit the same for any thread count. They run on the calling
 * thread alone when the problem is small, when the pool has one thread, when any operand is
 * confined to the calling thread ({@code Arena.ofConfined()}), or when called from inside a pool
 * task. {@link #sgemmSerial} always runs on the calling thread: use it when you split the work
 * yourself (e.g. one slice of rows per worker).
 *
 * <p>When the same B multiplies many A's (a recurrent layer's {@code W_hhᵀ} at every time step),
 * pack it once with {@link #packB} and use the {@link PackedB} forms: only A is packed per call.
 *
 * <p>No call allocates on the heap once a thread has done its first GEMM (each thread keeps its
 * packing buffers, about 0.6 MiB).
 */
public final class Gemm {
    private Gemm() {}

    private static final GemmSupport K = Kernels.gemm();
    /** Below this many flops (2·M·N·K) a GEMM stays on the calling thread. */
    static final long PARALLEL_MIN_FLOPS = 1L << 21;

    static {
        if (!Kernels.simd()) {
            System.err.println("recur: warning: the Vector API is not available, GEMM uses plain Java loops"
                    + " (much slower); start java with " + Engine.VECTOR_FLAG);
        }
    }

    private static final ThreadLocal<Split> SPLIT = ThreadLocal.withInitial(Split::new);

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C} on matrices (views allowed). Large problems are split
     * over {@link Engine#pool()}.
     *
     * @throws IllegalArgumentException naming every shape, unless op(A) is M×K, op(B) K×N, C M×N
     */
    public static void sgemm(Transpose ta, Transpose tb, float alpha, FloatMatrix a, FloatMatrix b,
                             float beta, FloatMatrix c) {
        checkShapes(ta, tb, a, b, c);
        run(ta, tb, c.rows(), c.cols(), ta.cols(a), alpha, a.segment(), 0, a.ld(),
                b.segment(), 0, b.ld(), beta, c.segment(), 0, c.ld(), true);
    }

    /** As {@link #sgemm(Transpose, Transpose, float, FloatMatrix, FloatMatrix, float, FloatMatrix)}, always on the calling thread. */
    public static void sgemmSerial(Transpose ta, Transpose tb, float alpha, FloatMatrix a, FloatMatrix b,
                                   float beta, FloatMatrix c) {
        checkShapes(ta, tb, a, b, c);
        run(ta, tb, c.rows(), c.cols(), ta.cols(a), alpha, a.segment(), 0, a.ld(),
                b.segment(), 0, b.ld(), beta, c.segment(), 0, c.ld(), false);
    }

    /**
     * The raw, BLAS-style form: {@code C = alpha·op(A)·op(B) + beta·C} where op(A) is m×k, op(B)
     * k×n, C m×n, all row-major in off-heap memory. Element (r, c) of the stored A is at float index
     * {@code aOffset + r·lda + c} of {@code a} (A is stored m×k when {@code ta == N}, k×m when
     * {@code T}); likewise B (k×n or n×k) and C (m×n). Offsets and leading dimensions count floats.
     * Meant for per-time-step calls on the first m rows of preallocated buffers: it checks the
     * arguments, allocates nothing, and splits large problems over {@link Engine#pool()}.
     *
     * @throws IllegalArgumentException on a negative size, a leading dimension smaller than the
     *     stored width, or a segment too small for the addressed elements
     */
    public static void sgemm(Transpose ta, Transpose tb, int m, int n, int k, float alpha,
                             MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                             float beta, MemorySegment c, long cOffset, int ldc) {
        checkRaw(ta, tb, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        run(ta, tb, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, true);
    }

    /**
     * The raw form on the calling thread only (never uses the pool): for callers that split the
     * work across threads themselves. Same arguments and checks as the raw {@link #sgemm(Transpose,
     * Transpose, int, int, int, float, MemorySegment, long, int, MemorySegment, long, int, float,
     * MemorySegment, long, int) sgemm}.
     */
    public static void sgemmSerial(Transpose ta, Transpose tb, int m, int n, int k, float alpha,
                                   MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                                   float beta, MemorySegment c, long cOffset, int ldc) {
        checkRaw(ta, tb, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        run(ta, tb, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, false);
    }

    /**
     * Two products with one B, stacked: {@code C = alpha·[op(A1); op(A2)]·op(B) + beta·C}, where
     * op(A1) is m1×k, op(A2) m2×k (each stored as A is in the raw form, with its own offset and
     * leading dimension), op(B) k×n and C (m1+m2)×n: its first m1 rows are op(A1)·op(B), the next
     * m2 rows op(A2)·op(B). Every row has the bits of the same row of a plain {@code sgemm} of its
     * own A; the stacking lets op(B) be packed once for both, which pays when B is the big
     * operand (a recurrent layer's weight gradients {@code Xᵀ·dG} and {@code H_prevᵀ·dG}, where dG
     * is T·B × gates·H). Splits large problems by columns over {@link Engine#pool()}; otherwise as
     * the raw form (checks, no allocation).
     *
     * @throws IllegalArgumentException as the raw form, naming the operand (A1, A2, B or C)
     */
    public static void sgemmStacked(Transpose ta, Transpose tb, int m1, int m2, int n, int k, float alpha,
                                    MemorySegment a1, long a1Offset, int lda1, MemorySegment a2, long a2Offset, int lda2,
                                    MemorySegment b, long bOffset, int ldb, float beta,
                                    MemorySegment c, long cOffset, int ldc) {
        if (m1 < 0 || m2 < 0) {
            throw new IllegalArgumentException("sgemmStacked: sizes must be ≥ 0, got m1=" + m1 + " m2=" + m2);
        }
        int m = m1 + m2;
        checkRaw(ta, tb, m, n, k, a1, a1Offset, lda1, b, bOffset, ldb, c, cOffset, ldc, m1, "A1");
        checkOperand("A2", a2, a2Offset, lda2, ta == Transpose.N ? m2 : k, ta == Transpose.N ? k : m2, m, n, k);
        if (m1 == 0 || m2 == 0) { // nothing to share
            if (m1 > 0) run(ta, tb, m1, n, k, alpha, a1, a1Offset, lda1, b, bOffset, ldb, beta, c, cOffset, ldc, true);
            if (m2 > 0) run(ta, tb, m2, n, k, alpha, a2, a2Offset, lda2, b, bOffset, ldb, beta, c, cOffset, ldc, true);
            return;
        }
        boolean transA = ta == Transpose.T, transB = tb == Transpose.T;
        WorkerPool pool = Engine.pool();
        int threads = pool.piecesFor(2L * m * n * k, PARALLEL_MIN_FLOPS, a1, b, c);
        int chunks = DepthSplit.chunks(k, n);
        if (chunks > 1) { // the chunks of a plain product of depth k and width n: each row keeps its bits
            if (threads > 1 && !a2.isAccessibleBy(pool.anyWorker())) threads = 1;
            DepthSplit.forThisThread().run(K, pool, threads, chunks, transA, transB, m1, m2, n, k,
                    alpha, a1, a1Offset, lda1, a2, a2Offset, lda2, b, bOffset, ldb, beta, c, cOffset, ldc);
            return;
        }
        if (threads > 1 && a2.isAccessibleBy(pool.anyWorker())) {
            Split s = SPLIT.get();
            if (!ParallelGemm.suits(Math.max(m1, m2), threads) && s.plan(threads, m, n) && s.byColumns) {
                s.set(ta, tb, m, n, k, alpha, a1, a1Offset, lda1, b, bOffset, ldb, beta, c, cOffset, ldc);
                s.stack(m1, a2, a2Offset, lda2);
                try {
                    pool.run(s.pieces, s);
                } finally {
                    s.clear();
                }
                return;
            }
            // tall products split best each on its own (by rows): the same bits
            run(ta, tb, m1, n, k, alpha, a1, a1Offset, lda1, b, bOffset, ldb, beta, c, cOffset, ldc, true);
            run(ta, tb, m2, n, k, alpha, a2, a2Offset, lda2, b, bOffset, ldb, beta, c, cOffset + (long) m1 * ldc, ldc, true);
            return;
        }
        K.sgemmStacked(transA, transB, m1, m2, n, k, alpha, a1, a1Offset, lda1, a2, a2Offset, lda2,
                b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    /**
     * Packs op(B) (k×n) once for many GEMMs (see {@link PackedB}); the stored B is k×n when
     * {@code tb == N}, n×k when {@code T}, element (r, c) at float index {@code bOffset + r·ldb + c}.
     */
    public static PackedB packB(Transpose tb, int k, int n, MemorySegment b, long bOffset, int ldb) {
        if (tb == null) throw new IllegalArgumentException("packB: transpose flag must not be null");
        if (k < 0 || n < 0) throw new IllegalArgumentException("packB: sizes must be ≥ 0, got k=" + k + " n=" + n);
        PackedB packed = new PackedB(tb, k, n);
        packed.repack(b, bOffset, ldb);
        return packed;
    }

    /** Packs op(B) of a matrix once for many GEMMs (see {@link PackedB}). */
    public static PackedB packB(Transpose tb, FloatMatrix b) {
        return packB(tb, tb.rows(b), tb.cols(b), b.segment(), 0, b.ld());
    }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C} with op(B) prepacked: op(A) is m×k (stored m×k for
     * {@code N}, k×m for {@code T}, as in the raw form), C is m×n, where k×n is the shape of
     * {@code b}. Splits large problems by rows over {@link Engine#pool()}; allocates nothing.
     */
    public static void sgemm(Transpose ta, int m, float alpha, MemorySegment a, long aOffset, int lda,
                             PackedB b, float beta, MemorySegment c, long cOffset, int ldc) {
        checkPacked(ta, m, a, aOffset, lda, b, c, cOffset, ldc);
        int n = b.cols(), k = b.rows();
        WorkerPool pool = Engine.pool();
        int threads = pool.piecesFor(2L * m * n * k, PARALLEL_MIN_FLOPS, a, c, null);
        if (threads > 1 && m > Blocking.MR) {
            Split s = SPLIT.get();
            s.planRows(threads, m);
            s.set(ta, Transpose.N, m, n, k, alpha, a, aOffset, lda, null, 0, 0, beta, c, cOffset, ldc);
            s.packed = b;
            try {
                pool.run(s.pieces, s);
            } finally {
                s.clear();
            }
            return;
        }
        serialPacked(ta == Transpose.T, m, alpha, a, aOffset, lda, b, beta, c, cOffset, ldc);
    }

    /** As the {@link PackedB} form of {@code sgemm}, always on the calling thread. */
    public static void sgemmSerial(Transpose ta, int m, float alpha, MemorySegment a, long aOffset, int lda,
                                   PackedB b, float beta, MemorySegment c, long cOffset, int ldc) {
        checkPacked(ta, m, a, aOffset, lda, b, c, cOffset, ldc);
        serialPacked(ta == Transpose.T, m, alpha, a, aOffset, lda, b, beta, c, cOffset, ldc);
    }

    /**
     * {@code C = alpha·[A1 | A2]·op(B) + beta·C} on the calling thread with op(B) prepacked: A1 (m×k1)
     * and A2 (m×(k − k1)), both stored not transposed (element (r, c) at {@code aOffset + r·lda + c}),
     * side by side along k, where k×n is the shape of {@code b}. One product of depth k, so one pass
     * over C: a recurrent step's {@code [x_t | h_{t−1}]·[W_ih | W_hh]ᵀ}, where two products would
     * store the gates and then read them back. Checks its arguments; allocates nothing.
     */
    public static void sgemmSerialJoined(int m, float alpha, MemorySegment a1, long a1Offset, int lda1, int k1,
                                         MemorySegment a2, long a2Offset, int lda2, PackedB b,
                                         float beta, MemorySegment c, long cOffset, int ldc) {
        if (b == null) throw new IllegalArgumentException("sgemm: packed B is null");
        if (m < 0) throw new IllegalArgumentException("sgemm: m must be ≥ 0, got " + m);
        int n = b.cols(), k = b.rows();
        if (k1 < 0 || k1 > k) {
            throw new IllegalArgumentException("sgemm: A1's width k1=" + k1 + " must be in [0, " + k + "], the depth of packed B");
        }
        checkOperand("A1", a1, a1Offset, lda1, m, k1, m, n, k);
        checkOperand("A2", a2, a2Offset, lda2, m, k - k1, m, n, k);
        checkOperand("C", c, cOffset, ldc, m, n, m, n, k);
        K.sgemmJoined(m, alpha, a1, a1Offset, lda1, k1, a2, a2Offset, lda2, b, beta, c, cOffset, ldc);
    }

    private static void serialPacked(boolean ta, int m, float alpha, MemorySegment a, long a0, int lda,
                                     PackedB b, float beta, MemorySegment c, long c0, int ldc) {
        K.sgemm(ta, m, alpha, a, a0, lda, b, beta, c, c0, ldc);
    }

    private static void checkPacked(Transpose ta, int m, MemorySegment a, long aOffset, int lda, PackedB b,
                                    MemorySegment c, long cOffset, int ldc) {
        if (b == null) throw new IllegalArgumentException("sgemm: packed B is null");
        if (ta == null) throw new IllegalArgumentException("sgemm: transpose flag must not be null");
        if (m < 0) throw new IllegalArgumentException("sgemm: m must be ≥ 0, got " + m);
        int n = b.cols(), k = b.rows();
        checkOperand("A", a, aOffset, lda, ta == Transpose.N ? m : k, ta == Transpose.N ? k : m, m, n, k);
        checkOperand("C", c, cOffset, ldc, m, n, m, n, k);
    }

    private static void run(Transpose ta, Transpose tb, int m, int n, int k, float alpha,
                            MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                            float beta, MemorySegment c, long c0, int ldc, boolean mayParallel) {
        int chunks = DepthSplit.chunks(k, n);
        if (chunks > 1 && m > 0) {
            WorkerPool pool = Engine.pool();
            int threads = mayParallel ? pool.piecesFor(2L * m * n * k, PARALLEL_MIN_FLOPS, a, b, c) : 1;
            DepthSplit.forThisThread().run(K, pool, threads, chunks, ta == Transpose.T, tb == Transpose.T, m, 0, n, k,
                    alpha, a, a0, lda, null, 0, 0, b, b0, ldb, beta, c, c0, ldc);
            return;
        }
        if (mayParallel) {
            WorkerPool pool = Engine.pool();
            int threads = pool.piecesFor(2L * m * n * k, PARALLEL_MIN_FLOPS, a, b, c);
            if (threads > 1) {
                if (K.sgemmParallel(pool, ta == Transpose.T, tb == Transpose.T, m, n, k, alpha,
                        a, a0, lda, b, b0, ldb, beta, c, c0, ldc)) {
                    return;
                }
                Split s = SPLIT.get();
                if (s.plan(threads, m, n)) {
                    s.set(ta, tb, m, n, k, alpha, a, a0, lda, b, b0, ldb, beta, c, c0, ldc);
                    try {
                        pool.run(s.pieces, s);
                    } finally {
                        s.clear();
                    }
                    return;
                }
            }
        }
        serial(ta == Transpose.T, tb == Transpose.T, m, n, k, alpha, a, a0, lda, b, b0, ldb, beta, c, c0, ldc);
    }

    private static void serial(boolean ta, boolean tb, int m, int n, int k, float alpha,
                               MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                               float beta, MemorySegment c, long c0, int ldc) {
        K.sgemm(ta, tb, m, n, k, alpha, a, a0, lda, b, b0, ldb, beta, c, c0, ldc);
    }

    /** Columns of the register tile: the granularity of a split by columns. */
    private static int tileCols() { return Blocking.NR; }

    /** One reusable split of a GEMM into column (or row) slabs; one per calling thread. */
    private static final class Split implements ParallelTask {
        boolean ta, tb, byColumns;
        int m, n, k, lda, ldb, ldc, pieces, unit;
        float alpha, beta;
        MemorySegment a, b, c;
        long a0, b0, c0;
        PackedB packed;
        /** A stacked second A (see {@link Gemm#sgemmStacked}): its rows follow the first m1 of C; null when not stacked. */
        MemorySegment a2;
        long a20;
        int m1, lda2;

        /** Row slabs only (for a prepacked B). */
        void planRows(int threads, int m) {
            byColumns = false;
            unit = Blocking.MR;
            pieces = Math.min(threads, (m + unit - 1) / unit);
        }

        /** Chooses the slabs; false when the problem cannot be split. */
        boolean plan(int threads, int m, int n) {
            int nr = tileCols(), mr = Blocking.MR;
            int colTiles = (n + nr - 1) / nr, rowTiles = (m + mr - 1) / mr;
            if (colTiles >= threads || colTiles >= rowTiles) {
                byColumns = true;
                unit = nr;
                pieces = Math.min(threads, colTiles);
            } else {
                byColumns = false;
                unit = mr;
                pieces = Math.min(threads, rowTiles);
            }
            return pieces > 1;
        }

        void set(Transpose ta, Transpose tb, int m, int n, int k, float alpha,
                 MemorySegment a, long a0, int lda, MemorySegment b, long b0, int ldb,
                 float beta, MemorySegment c, long c0, int ldc) {
            this.ta = ta == Transpose.T; this.tb = tb == Transpose.T;
            this.m = m; this.n = n; this.k = k; this.alpha = alpha; this.beta = beta;
            this.a = a; this.a0 = a0; this.lda = lda;
            this.b = b; this.b0 = b0; this.ldb = ldb;
            this.c = c; this.c0 = c0; this.ldc = ldc;
        }

        void stack(int m1, MemorySegment a2, long a20, int lda2) {
            this.m1 = m1; this.a2 = a2; this.a20 = a20; this.lda2 = lda2;
        }

        void clear() {
            a = b = c = a2 = null;
            packed = null;
        }

        @Override
        public void run(int piece, int pieces) {
            int extent = byColumns ? n : m;
            int tiles = (extent + unit - 1) / unit;
            int from = Math.min(extent, (int) ((long) tiles * piece / pieces) * unit);
            int to = Math.min(extent, (int) ((long) tiles * (piece + 1) / pieces) * unit);
            if (to <= from) return;
            if (packed != null) {
                long as = ta ? a0 + from : a0 + (long) from * lda;
                serialPacked(ta, to - from, alpha, a, as, lda, packed, beta, c, c0 + (long) from * ldc, ldc);
            } else if (byColumns) {
                long bs = tb ? b0 + (long) from * ldb : b0 + from;
                if (a2 != null) {
                    K.sgemmStacked(ta, tb, m1, m - m1, to - from, k, alpha, a, a0, lda, a2, a20, lda2,
                            b, bs, ldb, beta, c, c0 + from, ldc);
                } else {
                    serial(ta, tb, m, to - from, k, alpha, a, a0, lda, b, bs, ldb, beta, c, c0 + from, ldc);
                }
            } else {
                long as = ta ? a0 + from : a0 + (long) from * lda;
                serial(ta, tb, to - from, n, k, alpha, a, as, lda, b, b0, ldb, beta, c, c0 + (long) from * ldc, ldc);
            }
        }
    }

    /** Throws a clear error, naming every shape, unless op(A)·op(B) fits C. */
    static void checkShapes(Transpose ta, Transpose tb, FloatMatrix a, FloatMatrix b, FloatMatrix c) {
        int m = ta.rows(a), k = ta.cols(a), kb = tb.rows(b), n = tb.cols(b);
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("sgemm shape mismatch: op" + ta + "(A) is " + m + "×" + k
                    + " (A " + a.rows() + "×" + a.cols() + "), op" + tb + "(B) is " + kb + "×" + n
                    + " (B " + b.rows() + "×" + b.cols() + "), C is " + c.rows() + "×" + c.cols()
                    + "; need op(A) M×K, op(B) K×N, C M×N");
        }
    }

    private static void checkRaw(Transpose ta, Transpose tb, int m, int n, int k,
                                 MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                                 MemorySegment c, long cOffset, int ldc) {
        checkRaw(ta, tb, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, m, "A");
    }

    /** As above, where A (named {@code aName}) supplies {@code aRows} of the m rows of C. */
    private static void checkRaw(Transpose ta, Transpose tb, int m, int n, int k,
                                 MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                                 MemorySegment c, long cOffset, int ldc, int aRows, String aName) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: sizes must be ≥ 0, got m=" + m + " n=" + n + " k=" + k);
        }
        if (ta == null || tb == null) throw new IllegalArgumentException("sgemm: transpose flags must not be null");
        checkOperand(aName, a, aOffset, lda, ta == Transpose.N ? aRows : k, ta == Transpose.N ? k : aRows, m, n, k);
        checkOperand("B", b, bOffset, ldb, tb == Transpose.N ? k : n, tb == Transpose.N ? n : k, m, n, k);
        checkOperand("C", c, cOffset, ldc, m, n, m, n, k);
    }

    private static String where(int m, int n, int k) {
        if (m < 0) return " (packB k=" + k + " n=" + n + ")";
        return " (sgemm m=" + m + " n=" + n + " k=" + k + ")";
    }

    static void checkOperand(String name, MemorySegment s, long offset, int ld, int rows, int cols,
                                     int m, int n, int k) {
        if (ld < Math.max(1, cols)) {
            String where = where(m, n, k);
            throw new IllegalArgumentException("sgemm: ld" + name.toLowerCase() + "=" + ld + " is smaller than the "
                    + cols + " columns of the stored " + rows + "×" + cols + " " + name + where);
        }
        if (rows == 0 || cols == 0) return;
        if (s == null) throw new IllegalArgumentException("sgemm: " + name + " is null" + where(m, n, k));
        if (offset < 0) {
            throw new IllegalArgumentException("sgemm: " + name + " offset " + offset + " is negative" + where(m, n, k));
        }
        long last = offset + (long) (rows - 1) * ld + cols; // one past the last float used
        if (last * Float.BYTES > s.byteSize()) {
            String where = where(m, n, k);
            throw new IllegalArgumentException("sgemm: " + name + " (" + rows + "×" + cols + ", ld " + ld
                    + ", offset " + offset + ") needs " + last + " floats but its segment holds "
                    + s.byteSize() / Float.BYTES + where);
        }
    }
}
