package dev.recur.engine;

/** One piece of a job split over the engine's workers: piece {@code piece} of {@code pieces}. */
@FunctionalInterface
public interface ParallelTask {
    void run(int piece, int pieces);
}
