package dev.recur.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The executor JVM's pool of {@link Worker}s, one per concurrently running task and spec: a model's
 * off-heap workspaces are allocated once, not per task. Thread-safe.
 */
final class Workers {
    private static final Map<WorkerSpec, ConcurrentLinkedQueue<Worker>> IDLE = new ConcurrentHashMap<>();

    private Workers() {}

    static Worker borrow(WorkerSpec spec) {
        Worker w = IDLE.computeIfAbsent(spec, s -> new ConcurrentLinkedQueue<>()).poll();
        return w != null ? w : new Worker(spec);
    }

    static void release(WorkerSpec spec, Worker w) {
        IDLE.get(spec).add(w);
    }
}
