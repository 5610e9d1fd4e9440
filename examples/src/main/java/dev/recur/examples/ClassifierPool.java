package dev.recur.examples;

import dev.recur.examples.TextClassifier.Prediction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A thread-safe text classifier for a multi-threaded service: {@code size} independent
 * {@link TextClassifier}s loaded from the same checkpoint, each lent to one caller at a time. Up to
 * {@code size} threads classify in parallel; more wait for a free classifier. Every copy holds the
 * same weights, so which copy serves a call does not change its result.
 *
 * <p>Memory: each copy has its own weights and workspaces ({@code size} × the model). Close the pool
 * when the service stops, after the last call has returned.
 */
public final class ClassifierPool implements AutoCloseable {
    private final List<TextClassifier> all;
    private final BlockingQueue<TextClassifier> free;

    private ClassifierPool(List<TextClassifier> all) {
        this.all = List.copyOf(all);
        this.free = new ArrayBlockingQueue<>(all.size(), false, all);
    }

    /** Loads {@code size} copies of the classifier in {@code file}, each with batches of up to {@code maxBatch} texts. */
    public static ClassifierPool load(Path file, int size, int maxBatch) {
        if (size < 1) throw new IllegalArgumentException("a pool needs at least one classifier, got " + size);
        List<TextClassifier> loaded = new ArrayList<>(size);
        try {
            for (int i = 0; i < size; i++) loaded.add(TextClassifier.load(file, maxBatch));
        } catch (RuntimeException e) {
            loaded.forEach(TextClassifier::close);
            throw e;
        }
        return new ClassifierPool(loaded);
    }

    /** How many callers can classify at the same time. */
    public int size() { return all.size(); }

    /** The label names, in class-id order. */
    public List<String> labels() { return all.getFirst().labels(); }

    /** Classifies {@code text} on a free classifier, waiting for one if all are busy. */
    public Prediction classify(String text) throws InterruptedException {
        return classifyAll(List.of(text)).getFirst();
    }

    /** Classifies {@code texts} (in their order) on a free classifier, waiting for one if all are busy. */
    public List<Prediction> classifyAll(List<String> texts) throws InterruptedException {
        TextClassifier c = free.take();
        try {
            return c.classifyAll(texts);
        } finally {
            free.add(c);
        }
    }

    /** Frees every classifier's memory; call it once no thread uses the pool any more. */
    @Override
    public void close() { all.forEach(TextClassifier::close); }
}
