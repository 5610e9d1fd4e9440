package dev.recur.engine;

/** One piece of a job split over the engine's workers: piece {@code piece} of {@code pieces}. */
@FunctionalInterface
public interface ParallelTask {
    /** Runs piece {@code piece} (0-based) of {@code pieces}. */
    void run(int piece, int pieces);
}
