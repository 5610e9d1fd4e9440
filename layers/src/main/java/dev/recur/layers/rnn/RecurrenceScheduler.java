package dev.recur.layers.rnn;

import dev.recur.engine.Engine;
import dev.recur.engine.ParallelTask;
import dev.recur.engine.WorkerPool;
import dev.recur.engine.gemm.Blocking;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * How one layer's recurrence (the sequential part: every step of every direction) is spread over
 * {@link Engine#pool()}. Two splits, both giving every row the bits of a one-thread run (a row's
 * numbers never depend on which rows share its piece, and no sum runs across rows):
 *
 * <ul>
 *   <li>{@link Split#ROWS}, batch-parallel: the directions × blocks of sequences are independent
 *       tasks; each worker runs its rows through <em>every</em> step with no barrier in between
 *       (forward: start, steps, final states, output rows; backward: likewise). Blocks are
 *       contiguous rows, cut where the summed lengths (the work) are equal, at multiples of the
 *       GEMM's 8-row tile where possible; a bidirectional layer first gives each direction its own
 *       worker.</li>
 *   <li>{@link Split#STEPS}, per step: each step's active rows are split over the workers, who
 *       meet at a barrier after every step (one pool dispatch per step and direction).</li>
 * </ul>
 *
 * <p>Which one runs is measured, never guessed once: a (pass, batch size) starts on the split that
 * needs no barrier, {@link Split#ROWS}, whenever every row block gets at least a whole GEMM tile
 * ({@link #startsWith}); after {@link #SETTLE} calls — once the JIT has compiled the kernels, whose
 * compiler threads otherwise compete with the workers and make early timings worthless — a window
 * of calls alternates the two splits and keeps each one's best time per row-step; after
 * {@link #SAMPLES} samples each, the faster is used from then on, and a window every
 * {@link #RECHECK} calls may revise it. The samples are wall time, so they run only in those
 * windows: a short run (a benchmark, a few batches) uses the starting split throughout. The thread
 * count is part of the key: changing it starts over. On one thread, or when the caller's gradient
 * is confined to its thread, the whole recurrence runs on the calling thread with no dispatch at all
 * and no timing. The choice changes the time only, never the numbers ({@code ScheduleDeterminismTest}).
 */
final class RecurrenceScheduler {
    /** How the steps of one layer are split over threads. */
    enum Split { ROWS, STEPS }

    /** Calls before the first sampling window; samples per split in a window; calls between windows. */
    static final int SETTLE = 64, SAMPLES = 3, RECHECK = 1024;
    /** Fewest rows worth giving a worker in one time step (the per-step split). */
    private static final int MIN_ROWS_PER_PIECE = 8;

    private final ActiveRows rows;
    private final int maxBatch;
    /** Per pass (0 forward, 1 backward) and batch size: calls so far, best ns per row-step of each split. */
    private final int[][] calls;
    private final double[][] bestRows, bestSteps;
    private int calibratedThreads;
    /** Directions of the layer (set on each call; the same for every call of one layer). */
    private int directions = 1;
    /** Tests force a split; null = measured. */
    private Split forced;

    private final RowsTask rowsTask = new RowsTask();
    private final StepTask stepTask = new StepTask();
    private final int[] bounds;

    RecurrenceScheduler(ActiveRows rows, int maxBatch) {
        this.rows = rows;
        this.maxBatch = maxBatch;
        calls = new int[2][maxBatch + 1];
        bestRows = new double[2][maxBatch + 1];
        bestSteps = new double[2][maxBatch + 1];
        bounds = new int[maxBatch + 2];
        reset(1);
    }

    /** Forces one split (tests), or null for the measured choice. */
    void force(Split split) { forced = split; }

    /** The split this pass uses with this batch outside the sampling windows (for tests). */
    Split planned(boolean backward, int batch) {
        if (forced != null) return forced;
        int p = backward ? 1 : 0;
        double rowsNs = bestRows[p][batch], stepsNs = bestSteps[p][batch];
        if (rowsNs == Double.POSITIVE_INFINITY || stepsNs == Double.POSITIVE_INFINITY) return startsWith(batch);
        return stepsNs < rowsNs ? Split.STEPS : Split.ROWS;
    }

    /**
     * The split before any sample: {@link Split#ROWS} (no barrier, the same rows and GEMM tiles per
     * step as the per-step split) when each of its row blocks gets at least one whole 8-row GEMM
     * tile or each direction a thread of its own; else {@link Split#STEPS}, which keeps small
     * batches in one piece.
     */
    Split startsWith(int batch) {
        int dirs = directions;
        int blocks = Math.max(1, (calibratedThreads + dirs - 1) / dirs);
        return blocks == 1 || batch >= blocks * Blocking.MR ? Split.ROWS : Split.STEPS;
    }

    /** Whether call {@code c} of a (pass, batch) lies in a sampling window. */
    static boolean sampling(int c) {
        int w = c - SETTLE;
        return w >= 0 && w % RECHECK < 2 * SAMPLES;
    }

    private void reset(int threads) {
        calibratedThreads = threads;
        for (int p = 0; p < 2; p++) {
            Arrays.fill(calls[p], 0);
            Arrays.fill(bestRows[p], Double.POSITIVE_INFINITY);
            Arrays.fill(bestSteps[p], Double.POSITIVE_INFINITY);
        }
    }

    /**
     * Runs one layer's forward recurrence over its directions (already prepared), writing each
     * direction's outputs into {@code out} unless {@code mergeLater} (SUM bidirectional: the stack
     * adds the directions afterwards). {@code mayUseWorkers} is false when memory the steps read
     * (a caller's initial state or gradient) is confined to the calling thread.
     */
    void forward(RecurrentDirection[] dirs, MemorySegment out, int outW, int hidden, boolean mergeLater,
                 boolean mayUseWorkers) {
        run(dirs, false, out, outW, hidden, mergeLater, mayUseWorkers);
    }

    /** Runs one layer's backward recurrence over its directions (already prepared). */
    void backward(RecurrentDirection[] dirs, boolean mayUseWorkers) {
        run(dirs, true, null, 0, 0, true, mayUseWorkers);
    }

    private void run(RecurrentDirection[] dirs, boolean backward, MemorySegment out, int outW, int hidden,
                     boolean mergeLater, boolean mayUseWorkers) {
        WorkerPool pool = Engine.pool();
        int threads = pool.threads();
        int batch = rows.batch();
        if (threads == 1 || !mayUseWorkers) {
            for (RecurrentDirection d : dirs) {
                if (backward) {
                    d.backwardRows(0, batch);
                } else {
                    d.forwardRows(0, batch);
                    if (!mergeLater) d.writeOutput(out, outW, d.dirIndex * hidden, false, 0, batch);
                }
            }
            return;
        }
        if (threads != calibratedThreads) reset(threads);
        int p = backward ? 1 : 0;
        int c = calls[p][batch];
        calls[p][batch] = c == Integer.MAX_VALUE ? SETTLE + 2 * SAMPLES : c + 1;
        directions = dirs.length;
        boolean sampling = forced == null && sampling(c);
        Split split = sampling ? ((c & 1) == 0 ? Split.ROWS : Split.STEPS) : planned(backward, batch);
        long start = sampling ? System.nanoTime() : 0L;
        if (split == Split.ROWS) runRows(pool, threads, dirs, backward, out, outW, hidden, mergeLater);
        else runSteps(pool, threads, dirs, backward, out, outW, hidden, mergeLater);
        if (sampling) {
            double perRowStep = (System.nanoTime() - start) / (double) Math.max(1, rows.rowSteps());
            double[] best = split == Split.ROWS ? bestRows[p] : bestSteps[p];
            if (perRowStep < best[batch]) best[batch] = perRowStep;
        }
    }

    private void runRows(WorkerPool pool, int threads, RecurrentDirection[] dirs, boolean backward,
                         MemorySegment out, int outW, int hidden, boolean mergeLater) {
        int blocks = Math.max(1, (threads + dirs.length - 1) / dirs.length);
        planBlocks(blocks);
        rowsTask.set(dirs, blocks, backward, out, outW, hidden, mergeLater);
        try {
            pool.run(dirs.length * blocks, rowsTask);
        } finally {
            rowsTask.clear();
        }
    }

    /** bounds[0..blocks]: contiguous row blocks of about equal summed length, cut at tile multiples where possible. */
    private void planBlocks(int blocks) {
        int batch = rows.batch();
        long total = rows.rowSteps();
        bounds[0] = 0;
        int r = 0;
        long before = 0;
        for (int k = 1; k < blocks; k++) {
            long target = total * k / blocks;
            while (r < batch && before + rows.length(r) <= target) before += rows.length(r++);
            int cut = r;
            int tile = Math.round(cut / (float) Blocking.MR) * Blocking.MR;
            if (tile > bounds[k - 1] && tile < batch) cut = tile;
            bounds[k] = Math.max(bounds[k - 1], Math.min(batch, cut));
        }
        bounds[blocks] = batch;
    }

    private void runSteps(WorkerPool pool, int threads, RecurrentDirection[] dirs, boolean backward,
                          MemorySegment out, int outW, int hidden, boolean mergeLater) {
        int batch = rows.batch(), nT = rows.steps();
        for (RecurrentDirection d : dirs) {
            if (backward) d.startBackward(0, batch);
            else d.startForward(0, batch);
            stepTask.dir = d;
            stepTask.backward = backward;
            try {
                for (int k = 0; k < nT; k++) {
                    int t = d.reverse == backward ? k : nT - 1 - k;
                    if (backward) d.clearPadding(t, 0, batch);
                    int n = rows.active(t);
                    if (n == 0) continue;
                    stepTask.t = t;
                    stepTask.n = n;
                    int pieces = Math.min(threads, Math.max(1, n / MIN_ROWS_PER_PIECE));
                    if (pieces == 1) stepTask.run(0, 1);
                    else pool.run(pieces, stepTask);
                }
            } finally {
                stepTask.dir = null;
            }
            if (backward) {
                d.finishBackward(0, batch);
            } else {
                d.finishForward(0, batch);
                if (!mergeLater) d.writeOutput(out, outW, d.dirIndex * hidden, false, 0, batch);
            }
        }
    }

    /** Batch-parallel: piece = (direction, row block), run through every step. Reused, no allocation. */
    private final class RowsTask implements ParallelTask {
        private RecurrentDirection[] dirs;
        private int blocks, outW, hidden;
        private boolean backward, mergeLater;
        private MemorySegment out;

        void set(RecurrentDirection[] dirs, int blocks, boolean backward, MemorySegment out, int outW, int hidden,
                 boolean mergeLater) {
            this.dirs = dirs;
            this.blocks = blocks;
            this.backward = backward;
            this.out = out;
            this.outW = outW;
            this.hidden = hidden;
            this.mergeLater = mergeLater;
        }

        void clear() {
            dirs = null;
            out = null;
        }

        @Override
        public void run(int piece, int pieces) {
            RecurrentDirection d = dirs[piece / blocks];
            int b = piece % blocks;
            int r0 = bounds[b], r1 = bounds[b + 1];
            if (r1 <= r0) return;
            if (backward) {
                d.backwardRows(r0, r1);
            } else {
                d.forwardRows(r0, r1);
                if (!mergeLater) d.writeOutput(out, outW, d.dirIndex * hidden, false, r0, r1);
            }
        }
    }

    /** Per step: one slice of the active rows per piece. Reused, no allocation. */
    private static final class StepTask implements ParallelTask {
        RecurrentDirection dir;
        int t, n;
        boolean backward;

        @Override
        public void run(int piece, int pieces) {
            int r0 = (int) ((long) piece * n / pieces);
            int r1 = (int) ((long) (piece + 1) * n / pieces);
            if (r1 <= r0) return;
            if (backward) dir.backwardStep(t, r0, r1);
            else dir.forwardStep(t, r0, r1);
        }
    }
}
