package dev.recur.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void runsEveryPieceOnceAndUsesWorkers() {
        WorkerPool pool = new WorkerPool(3);
        try {
            for (int round = 0; round < 2000; round++) {
                int pieces = 1 + round % 7;
                AtomicIntegerArray seen = new AtomicIntegerArray(pieces);
                pool.run(pieces, (p, n) -> {
                    assertEquals(pieces, n);
                    seen.incrementAndGet(p);
                });
                for (int p = 0; p < pieces; p++) assertEquals(1, seen.get(p), "piece " + p + " of " + pieces);
            }
            ConcurrentHashMap<Thread, Boolean> threads = new ConcurrentHashMap<>();
            Thread caller = Thread.currentThread();
            pool.run(3, (p, n) -> {
                threads.put(Thread.currentThread(), true);
                if (p == 0) assertSame(caller, Thread.currentThread());
                else assertTrue(Thread.currentThread().isDaemon());
            });
            assertEquals(3, threads.size());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void nestedRunDoesNotDeadlock() {
        WorkerPool pool = new WorkerPool(2);
        try {
            AtomicInteger inner = new AtomicInteger();
            pool.run(2, (p, n) -> pool.run(4, (q, m) -> inner.incrementAndGet()));
            assertEquals(8, inner.get());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void failureIsRethrownAfterAllPiecesFinish() {
        WorkerPool pool = new WorkerPool(2);
        try {
            AtomicInteger done = new AtomicInteger();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(4, (p, n) -> {
                if (p == 1) throw new IllegalStateException("piece 1 failed");
                done.incrementAndGet();
            }));
            assertEquals("piece 1 failed", e.getMessage());
            assertEquals(3, done.get());
            // the pool still works afterwards
            AtomicInteger after = new AtomicInteger();
            pool.run(2, (p, n) -> after.incrementAndGet());
            assertEquals(2, after.get());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void wakesUpAfterParking() throws InterruptedException {
        WorkerPool pool = new WorkerPool(2);
        try {
            Thread.sleep(20); // longer than the spin phase: the worker parks
            AtomicInteger count = new AtomicInteger();
            pool.run(2, (p, n) -> count.incrementAndGet());
            assertEquals(2, count.get());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void shutDownPoolRunsInline() {
        WorkerPool pool = new WorkerPool(2);
        pool.shutdown();
        Thread caller = Thread.currentThread();
        AtomicInteger onCaller = new AtomicInteger();
        pool.run(3, (p, n) -> { if (Thread.currentThread() == caller) onCaller.incrementAndGet(); });
        assertEquals(3, onCaller.get());
    }

    /** run() itself allocates nothing on the caller's heap (a task object is reused). */
    @Test
    void runAllocatesNothing() {
        WorkerPool pool = new WorkerPool(2);
        try {
            AtomicInteger count = new AtomicInteger();
            ParallelTask task = (p, n) -> count.incrementAndGet();
            com.sun.management.ThreadMXBean mx =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long self = Thread.currentThread().threadId();
            for (int i = 0; i < 1000; i++) pool.run(2, task);
            long before = mx.getThreadAllocatedBytes(self);
            for (int i = 0; i < 1000; i++) pool.run(2, task);
            long after = mx.getThreadAllocatedBytes(self);
            assertEquals(4000, count.get());
            assertTrue(after - before < 1000, "run() allocated " + (after - before) + " bytes in 1000 calls");
        } finally {
            pool.shutdown();
        }
    }

    /** Shutting down from inside a job (caller's piece or a worker's) neither hangs nor loses pieces. */
    @Test
    void shutdownFromInsideAJobFinishesTheJob() {
        for (int who = 0; who < 2; who++) {
            WorkerPool pool = new WorkerPool(2);
            int stopper = who;
            AtomicInteger done = new AtomicInteger();
            pool.run(4, (p, n) -> {
                if (p == stopper) pool.shutdown();
                done.incrementAndGet();
            });
            assertEquals(4, done.get());
            Thread caller = Thread.currentThread();
            AtomicInteger inline = new AtomicInteger();
            pool.run(2, (p, n) -> { if (Thread.currentThread() == caller) inline.incrementAndGet(); });
            assertEquals(2, inline.get());
        }
    }

    /** A shutdown from another thread waits for the job in flight instead of stranding it. */
    @Test
    void shutdownWhileAnotherThreadRunsAJob() throws InterruptedException {
        for (int round = 0; round < 50; round++) {
            WorkerPool pool = new WorkerPool(2);
            AtomicInteger done = new AtomicInteger();
            Thread runner = new Thread(() -> {
                for (int i = 0; i < 200; i++) pool.run(2, (p, n) -> done.incrementAndGet());
            });
            runner.start();
            pool.shutdown();
            runner.join(10_000);
            assertTrue(!runner.isAlive(), "run() hung after a concurrent shutdown");
            assertEquals(400, done.get());
        }
    }

    @Test
    void rejectsZeroThreads() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
    }
}
