package dev.recur.engine;

/**
 * Engine-wide facts and settings: whether the Vector API is present, the species, the thread pool.
 *
 * <p>Threads default to the number of available processors; {@code -Drecur.threads=N} or
 * {@link #setThreads(int)} change it.
 */
public final class Engine {
    private Engine() {}

    private static final boolean VECTOR_API =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private static volatile WorkerPool pool = new WorkerPool(defaultThreads());

    private static int defaultThreads() {
        String prop = System.getProperty("recur.threads");
        if (prop != null) {
            try {
                int n = Integer.parseInt(prop.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the clear error below
            }
            throw new IllegalArgumentException("-Drecur.threads must be a positive integer, got '" + prop + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** True when the JVM was started with {@code --add-modules jdk.incubator.vector}. */
    public static boolean vectorApiAvailable() { return VECTOR_API; }

    /** The flag that enables the Vector API, for error messages. */
    public static final String VECTOR_FLAG = "--add-modules jdk.incubator.vector";

    /** Name of the vector species in use, or "scalar" without the Vector API. */
    public static String species() { return VECTOR_API ? Simd.F.toString() : "scalar (no jdk.incubator.vector)"; }

    /** Floats per vector, 1 without the Vector API. */
    public static int lanes() { return VECTOR_API ? Simd.LANES : 1; }

    /** Threads the engine splits work over, the calling thread included. */
    public static int threads() { return pool.threads(); }

    /** The engine-wide worker pool (replaced by {@link #setThreads}). */
    public static WorkerPool pool() { return pool; }

    /** Replaces the pool with one of {@code n} threads (the caller included). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + n);
        if (n != pool.threads()) {
            WorkerPool old = pool;
            pool = new WorkerPool(n);
            old.shutdown();
        }
    }
}
