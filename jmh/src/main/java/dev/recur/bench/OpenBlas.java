package dev.recur.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * OpenBLAS's {@code cblas_sgemm} and {@code openblas_set_num_threads}, called through the FFM API
 * (no JNI, no wrapper library): the reference the engine's GEMM is measured against.
 *
 * <p>Loads {@code libopenblas.so.0} (Debian: {@code apt-get install libopenblas0-pthread}), or the
 * file named by {@code -Drecur.openblas=/path/libopenblas.so}. {@link #available()} says whether it
 * was found; {@link #why()} says why not.
 */
public final class OpenBlas {
    private OpenBlas() {}

    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    private static final MethodHandle SGEMM;
    private static final MethodHandle SET_THREADS;
    private static final String WHY;

    static {
        MethodHandle sgemm = null, threads = null;
        String why = null;
        try {
            SymbolLookup lib = load();
            Linker linker = Linker.nativeLinker();
            // void cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
            sgemm = linker.downcallHandle(lib.find("cblas_sgemm").orElseThrow(),
                    FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                            JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT),
                    Linker.Option.critical(false));
            threads = linker.downcallHandle(lib.find("openblas_set_num_threads").orElseThrow(),
                    FunctionDescriptor.ofVoid(JAVA_INT));
        } catch (Throwable t) {
            why = t.getMessage() == null ? t.toString() : t.getMessage();
            sgemm = null;
            threads = null;
        }
        SGEMM = sgemm;
        SET_THREADS = threads;
        WHY = why;
    }

    private static SymbolLookup load() {
        String explicit = System.getProperty("recur.openblas");
        if (explicit != null) return SymbolLookup.libraryLookup(Path.of(explicit), Arena.global());
        for (String p : List.of("/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
                "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
                "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0")) {
            if (Files.exists(Path.of(p))) return SymbolLookup.libraryLookup(Path.of(p), Arena.global());
        }
        return SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global());
    }

    /** True when libopenblas was found and bound. */
    public static boolean available() { return SGEMM != null; }

    /** Why OpenBLAS is not available (null when it is). */
    public static String why() {
        return WHY == null ? null : WHY + " (install it: apt-get install libopenblas0-pthread)";
    }

    /** Sets OpenBLAS's own thread count. */
    public static void setThreads(int n) {
        require();
        try {
            SET_THREADS.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    /** Row-major {@code C = alpha·op(A)·op(B) + beta·C}; segments must be native (off-heap). */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, int lda, MemorySegment b, int ldb,
                             float beta, MemorySegment c, int ldc) {
        try {
            SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                    alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    private static void require() {
        if (SGEMM == null) throw new IllegalStateException("OpenBLAS is not available: " + why());
    }
}
