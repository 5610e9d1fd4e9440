package dev.recur.layers.rnn;

/**
 * The shape of the batch being run: T steps of B sequences with lengths sorted non-increasing, so
 * the sequences active at step t are the prefix {@code b < active(t)}. Shared by the stack, its
 * directions and the scheduler; set once per forward.
 */
final class ActiveRows {
    private final int[] lengths;
    private final int[] active;
    private int steps = -1, batch;
    private long rowSteps;

    ActiveRows(int maxSteps, int maxBatch) {
        lengths = new int[maxBatch];
        active = new int[maxSteps];
    }

    /** Takes the first {@code batch} (already checked) lengths, or T for all when null. */
    void set(int steps, int batch, int[] lens) {
        this.steps = steps;
        this.batch = batch;
        long sum = 0;
        for (int b = 0; b < batch; b++) {
            lengths[b] = lens == null ? steps : lens[b];
            sum += lengths[b];
        }
        rowSteps = sum;
        for (int t = 0; t < steps; t++) {
            int n = 0;
            while (n < batch && lengths[n] > t) n++;
            active[t] = n;
        }
    }

    /** T of the last forward, −1 before the first. */
    int steps() { return steps; }

    int batch() { return batch; }

    int length(int b) { return lengths[b]; }

    /** Sequences active at step t: rows {@code [0, active(t))}. */
    int active(int t) { return active[t]; }

    /** Sequences active at step t+1 (0 past the end): rows {@code [startedAt(t), active(t))} have their last step at t. */
    int activeAfter(int t) { return t + 1 < steps ? active[t + 1] : 0; }

    /** Σ_b lengths[b]: the row-steps of work in one direction. */
    long rowSteps() { return rowSteps; }

    /** Σ of the lengths of rows [0, r). */
    long rowStepsBefore(int r) {
        long s = 0;
        for (int b = 0; b < r; b++) s += lengths[b];
        return s;
    }
}
