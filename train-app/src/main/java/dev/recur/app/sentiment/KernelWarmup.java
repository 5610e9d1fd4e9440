package dev.recur.app.sentiment;

import dev.recur.app.run.Optimizers;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import java.util.SplittableRandom;

/**
 * Trains a throwaway copy of the run's model on random tokens in a background thread while the
 * data is read and encoded, so that the JIT has compiled the kernels when the first real batch
 * comes: the Vector API runs very slowly until C2 compiles it.
 *
 * <p>It warms what the first epoch runs: the run's model configuration (cell, layers, both
 * directions, pooling, the head and its loss), the run's batch size and thread count (so the GEMMs
 * take the same paths, the split over threads included, as the real batches), ragged lengths, the
 * run's optimizer with its clipping over an embedding of many chunks, and the validation's
 * inference path. Its steps grow from 1 to {@link #STEPS} time steps ({@link #stepsOf}): the
 * first, interpreted ones end soon and the kernels reach C2 within a few steps. It changes no
 * number of the run: the copy has its own parameters, optimizer and random streams (fixed seeds,
 * nothing read from the run's), and the kernels give the same bits in every JIT tier
 * (docs/determinism.md); only <em>when</em> the kernels are compiled changes.
 *
 * <p>{@link #finish}, just before the first batch, waits until the full-length warm-up step has
 * stopped getting faster ({@link #FLAT} steps in a row no faster than the fastest so far), at most
 * {@link #MAX_WAIT_NANOS}, then stops it; {@link #close} stops it at once (a run that fails early
 * does not wait). Neither waits for the step in progress. It runs only on two or more processors
 * (on one it would slow the reading down as much as it saves).
 */
final class KernelWarmup implements AutoCloseable {
    /** Time steps of a full-length warm-up batch: short, so that one step ends soon after it is stopped. */
    private static final int STEPS = 32;
    /**
     * Embedding elements of the warm-up model at most: its vocabulary is the run's, cut down to
     * this many elements, still many of the optimizer's and the clipping's chunks, so that their
     * split over the threads takes the paths of the run's embedding.
     */
    private static final int EMBEDDING_ELEMENTS = 1 << 18;
    /** Warm-up steps at each length of the ramp 1, 2, 4, … {@link #STEPS}. */
    private static final int RAMP = 2;
    /** Steps in a row no faster than the fastest one that mean the kernels are compiled. */
    static final int FLAT = 4;
    /** A step counts as faster only when it beats the fastest so far by this factor. */
    private static final double FASTER = 0.9;
    /** The longest {@link #finish} waits for the warm-up to settle once the run is ready. */
    static final long MAX_WAIT_NANOS = 6_000_000_000L;

    private final Thread thread;
    private volatile boolean stop, settled;
    private volatile long steps;

    private KernelWarmup(TrainConfig cfg) {
        thread = Thread.ofPlatform().name("kernel-warmup").daemon().unstarted(() -> run(cfg));
    }

    /** Starts warming the kernels of {@code cfg}'s model; {@link #finish} or {@link #close} stops it. */
    static KernelWarmup start(TrainConfig cfg) {
        KernelWarmup w = new KernelWarmup(cfg);
        if (Runtime.getRuntime().availableProcessors() >= 2) w.thread.start();
        return w;
    }

    /** The full-length warm-up batch: the run's batch size, {@link #STEPS} steps (at most --max-len), ragged lengths. */
    static Batch batch(TrainConfig cfg) {
        Batch batch = new Batch(maxSteps(cfg), cfg.batch());
        fill(batch, maxSteps(cfg), cfg.batch(), vocabulary(cfg), new SplittableRandom(1));
        return batch;
    }

    private static int maxSteps(TrainConfig cfg) { return Math.min(STEPS, cfg.maxLen()); }

    /** The warm-up model's vocabulary: the run's, at most {@link #EMBEDDING_ELEMENTS} embedding elements, at least 3 words. */
    static int vocabulary(TrainConfig cfg) {
        return Math.max(3, Math.min(cfg.vocabSize(), EMBEDDING_ELEMENTS / Math.max(1, cfg.embed())));
    }

    /**
     * The length of warm-up step {@code i} (from 1): 1, 1, 2, 2, 4, 4, … up to {@code max}. An
     * interpreted Vector API step costs in proportion to its length, so the first steps are short
     * enough to end soon and push the kernels through the JIT's tiers; the full length follows
     * within a few steps, so that C2 compiles them with the profile of full-sized batches.
     */
    static int stepsOf(long i, int max) {
        return (int) Math.min(max, 1L << Math.min(30, (i - 1) / RAMP));
    }

    /** Random tokens and labels, ragged lengths longest first, as the real batches are. */
    private static void fill(Batch batch, int steps, int size, int vocabulary, SplittableRandom rng) {
        batch.reset(steps, size);
        for (int i = 0; i < steps * size; i++) batch.tokens()[i] = 2 + rng.nextInt(vocabulary - 2);
        for (int i = 0; i < size; i++) {
            batch.labels()[i] = rng.nextInt(2);
            batch.lengths()[i] = Math.max(1, steps - (int) ((long) i * steps / size));
        }
    }

    private void run(TrainConfig cfg) {
        int max = maxSteps(cfg), size = cfg.batch(), vocabulary = vocabulary(cfg);
        Batch batch = new Batch(max, size);
        SplittableRandom rng = new SplittableRandom(1);
        try (SequenceClassifier model = new SequenceClassifier(cfg.modelConfig(vocabulary), 1, max, size);
             Optimizer optimizer = Optimizers.create(cfg.optimizer(), model.parameters(), cfg.lr(), cfg.momentum(),
                     cfg.weightDecay())) {
            TrainingStep step = new TrainingStep(model, optimizer, model.parameters(), cfg.clipNorm(), cfg.clipValue());
            long fastest = Long.MAX_VALUE;
            int flat = 0;
            for (long i = 1; !stop; i++) {
                int steps = stepsOf(i, max);
                fill(batch, steps, size, vocabulary, rng);
                long t0 = System.nanoTime();
                step.run(batch, i);
                model.train(false);
                model.logits(batch); // validation's inference path
                long took = System.nanoTime() - t0;
                if (steps == max) { // only full-length steps tell whether the kernels are compiled
                    if (took < FASTER * fastest) {
                        flat = 0;
                    } else if (++flat >= FLAT) {
                        settled = true;
                    }
                    fastest = Math.min(fastest, took);
                }
                this.steps = i;
            }
        } catch (RuntimeException ignored) {
            // a warm-up that fails (say it diverged on random tokens) only means colder kernels
        } finally {
            settled = true;
        }
    }

    /** Warm-up steps done so far. */
    long steps() { return steps; }

    /**
     * Called just before the first batch: waits until the warm-up has settled (or
     * {@link #MAX_WAIT_NANOS} passed), then stops it ({@link #close}).
     */
    void finish() {
        long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        while (!settled && thread.isAlive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    /**
     * Stops the warm-up without waiting: the thread (a daemon) ends after the step it is in, which
     * on a loaded machine can be a long interpreted one, and the run need not wait for it (a warm-up
     * step running beside the first real batches changes none of their numbers). Idempotent.
     */
    @Override
    public void close() {
        stop = true;
    }

    /** Whether the warm-up thread has ended (for tests). */
    boolean ended() { return !thread.isAlive(); }
}
