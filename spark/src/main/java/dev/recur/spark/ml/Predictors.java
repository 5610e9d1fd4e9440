package dev.recur.spark.ml;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/** The executor JVM's loaded models, one per running task and model, reused across tasks. Thread-safe. */
final class Predictors {
    private static final Map<String, ConcurrentLinkedQueue<Predictor>> IDLE = new ConcurrentHashMap<>();

    private Predictors() {}

    /** A predictor of model {@code key} (its checkpoint {@code checkpoint}) for batches up to {@code batch}. */
    static Predictor borrow(String key, byte[] checkpoint, int batch) {
        Predictor p = IDLE.computeIfAbsent(key + "/" + batch, k -> new ConcurrentLinkedQueue<>()).poll();
        return p != null ? p : new Predictor(checkpoint, batch);
    }

    static void release(String key, int batch, Predictor p) {
        IDLE.get(key + "/" + batch).add(p);
    }
}
