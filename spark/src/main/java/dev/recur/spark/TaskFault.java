package dev.recur.spark;

import java.io.Serializable;

/**
 * A deliberate failure of one task attempt, for testing Spark's retry: the first attempt of the
 * task of partition {@code partition} in the round that starts at optimizer step {@code step}
 * throws; the retry runs normally. {@link #NONE} never fails. Not offered on the command line.
 */
public record TaskFault(long step, int partition) implements Serializable {
    public static final TaskFault NONE = new TaskFault(-1, -1);

    /** Thrown by the failing attempt. */
    public static final class Injected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Injected(String message) { super(message); }
    }

    void maybeFail(long roundStep, int taskPartition, int attempt) {
        if (roundStep == step && taskPartition == partition && attempt == 0) {
            throw new Injected("injected failure of partition " + partition + " at step " + step + " (attempt 0)");
        }
    }
}
