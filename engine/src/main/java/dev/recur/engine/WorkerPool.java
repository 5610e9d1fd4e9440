package dev.recur.engine;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine-wide pool of worker threads. {@link #run} splits a job into {@code pieces} pieces,
 * runs piece 0 on the caller and the others on persistent daemon workers, and returns when all are
 * done.
 *
 * <p>Built for many small jobs per second (a recurrent layer calls it about twice per time step):
 * {@code run} allocates nothing, workers spin briefly on a volatile counter after each job and only
 * then park, and the caller spins briefly before parking while it waits.
 *
 * <p>Reentrancy: a call made while the pool is busy (from a task running on a worker or on the
 * caller, or from a second thread at the same time) runs all its pieces inline on the calling
 * thread, so nested calls never deadlock. With more pieces than threads, participant {@code t}
 * runs pieces {@code t, t + threads, …}.
 *
 * <p>The first exception thrown by any piece is rethrown by {@code run} after every piece finished.
 */
public final class WorkerPool {
    /** How long an idle worker (or a waiting caller) spins before parking, in nanoseconds. */
    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger remaining = new AtomicInteger();

    // The job being run; written by the caller before the epoch is bumped (volatile write publishes).
    private ParallelTask task;
    private int pieces;
    private int participants;
    private volatile Throwable failure;

    private volatile long epoch;
    private volatile boolean shutdown;
    private volatile Thread waitingCaller;
    private volatile Thread owner;

    /** A pool of {@code threads} threads, the caller included: starts {@code threads - 1} daemon workers. */
    public WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be ≥ 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].thread.start();
        }
    }

    /** Number of threads, the caller included. */
    public int threads() { return threads; }

    /** True when {@code t} is one of this pool's worker threads (the caller is not). */
    public boolean isWorker(Thread t) {
        for (Worker w : workers) if (w.thread == t) return true;
        return false;
    }

    /** One worker thread of this pool, or null for a one-thread pool (for memory-access checks). */
    public Thread anyWorker() { return workers.length == 0 ? null : workers[0].thread; }

    /**
     * How many pieces a pass over {@code work} elements should be split into: {@link #threads()}
     * when {@code work ≥ minWork}, the caller is not one of this pool's workers and every given
     * segment (null = none) is accessible to the workers (not confined to the caller); else 1, and
     * the caller runs the pass alone with no dispatch.
     */
    public int piecesFor(long work, long minWork, MemorySegment a, MemorySegment b, MemorySegment c) {
        if (workers.length == 0 || work < minWork || shutdown) return 1;
        Thread w = workers[0].thread, self = Thread.currentThread();
        if (isWorker(self) || !reachable(a, w) || !reachable(b, w) || !reachable(c, w)) return 1;
        return threads;
    }

    private static boolean reachable(MemorySegment s, Thread t) { return s == null || s.isAccessibleBy(t); }

    /**
     * Where piece {@code piece} of {@code pieces} starts when {@code [0, n)} is cut into contiguous
     * ranges at multiples of {@code align}: piece k covers {@code [bound(n, k, …), bound(n, k + 1, …))};
     * {@code bound(n, pieces, …) = n}. The ranges of an element-wise pass never share an aligned block.
     */
    public static long bound(long n, int piece, int pieces, int align) {
        long units = (n + align - 1) / align;
        return Math.min(n, units * piece / pieces * align);
    }

    /** Runs {@code task} for pieces 0..pieces-1 and waits for all of them. */
    public void run(int pieces, ParallelTask task) {
        if (pieces <= 0) return;
        if (pieces == 1 || workers.length == 0 || shutdown || !busy.compareAndSet(false, true)) {
            for (int p = 0; p < pieces; p++) task.run(p, pieces);
            return;
        }
        owner = Thread.currentThread();
        try {
            int parts = Math.min(pieces, threads);
            this.task = task;
            this.pieces = pieces;
            this.participants = parts;
            this.failure = null;
            // Every worker acknowledges every job (idle ones without running anything), so no worker
            // can lag behind into the next job.
            remaining.set(workers.length);
            epoch = epoch + 1; // publishes the job to the workers
            for (Worker wk : workers) {
                if (wk.sleeping) LockSupport.unpark(wk.thread);
            }
            runShare(0);
            awaitWorkers();
            this.task = null;
            Throwable f = failure;
            if (f != null) {
                failure = null;
                if (f instanceof RuntimeException re) throw re;
                if (f instanceof Error e) throw e;
                throw new IllegalStateException("a parallel piece failed", f);
            }
        } finally {
            owner = null;
            // after a shutdown requested from inside this job the pool stays busy: later calls run inline
            if (!shutdown) busy.set(false);
            else wakeAll();
        }
    }

    /** Runs this participant's pieces; a failing piece is recorded and the others still run. */
    private void runShare(int participant) {
        ParallelTask t = task;
        int n = pieces, step = participants;
        for (int p = participant; p < n; p += step) {
            try {
                t.run(p, n);
            } catch (Throwable e) {
                synchronized (this) {
                    if (failure == null) failure = e;
                }
            }
        }
    }

    private void awaitWorkers() {
        if (remaining.get() == 0) return;
        long deadline = System.nanoTime() + SPIN_NANOS;
        int spins = 0;
        while (remaining.get() != 0) {
            if ((++spins & 63) == 0 && System.nanoTime() > deadline) {
                waitingCaller = Thread.currentThread();
                while (remaining.get() != 0) LockSupport.park(this);
                waitingCaller = null;
                return;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Stops the workers once the job in flight (if any) has finished; later {@code run} calls run
     * inline on their caller. Safe to call from any thread, also from inside a task.
     */
    public void shutdown() {
        Thread self = Thread.currentThread();
        if (owner == self || isWorker(self)) { // from inside a job: run() finishes the shutdown
            shutdown = true;
            return;
        }
        // take the pool for good: waits for a job in flight, and no job is published after this
        while (!busy.compareAndSet(false, true)) {
            if (shutdown) return;
            Thread.onSpinWait();
            Thread.yield();
        }
        shutdown = true;
        wakeAll();
    }

    private void wakeAll() {
        for (Worker w : workers) LockSupport.unpark(w.thread);
    }

    private final class Worker implements Runnable {
        final int index;
        final Thread thread;
        volatile boolean sleeping;

        Worker(int index) {
            this.index = index;
            this.thread = new Thread(this, "recur-worker-" + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0; // the epoch a new pool starts at (not a read: a job may already be out)
            while (true) {
                long e = awaitNewEpoch(seen);
                if (e == seen) return; // shut down while idle
                seen = e;
                if (index < participants) runShare(index);
                if (remaining.decrementAndGet() == 0) {
                    Thread c = waitingCaller;
                    if (c != null) LockSupport.unpark(c);
                }
            }
        }

        private long awaitNewEpoch(long seen) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            int spins = 0;
            long e;
            while ((e = epoch) == seen) {
                if (shutdown) return seen;
                if ((++spins & 63) == 0 && System.nanoTime() > deadline) {
                    sleeping = true;
                    while ((e = epoch) == seen && !shutdown) LockSupport.park(this);
                    sleeping = false;
                    return e;
                }
                Thread.onSpinWait();
            }
            return e;
        }
    }
}
