package dev.recur.engine;

/**
 * The engine-wide pool of worker threads. {@link #run} splits a job into {@code pieces} pieces,
 * runs piece 0 on the caller and the others on workers, and returns when all are done.
 *
 * <p>TODO(issue 2): persistent, allocation-free workers. This placeholder runs the pieces in order
 * on the caller, which has the same contract.
 */
public final class WorkerPool {
    private final int threads;

    public WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be ≥ 1, got " + threads);
        this.threads = threads;
    }

    /** Number of threads, the caller included. */
    public int threads() { return threads; }

    /** Runs {@code task} for piece 0..pieces-1 and waits for all of them. */
    public void run(int pieces, ParallelTask task) {
        for (int p = 0; p < pieces; p++) task.run(p, pieces);
    }
}
