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
 * run's optimizer with its clipping, and the validation's inference path. It changes no number of
 * the run: the copy has its own parameters, optimizer and random streams (fixed seeds, nothing read
 * from the run's), and the kernels give the same bits in every JIT tier (docs/determinism.md); only
 * <em>when</em> the kernels are compiled changes.
 *
 * <p>{@link #finish}, just before the first batch, waits until the warm-up step has stopped getting
 * faster ({@link #FLAT} steps in a row no faster than the fastest so far), at most
 * {@link #MAX_WAIT_NANOS}, then stops it; {@link #close} stops it at once (a run that fails early
 * does not wait). Neither waits for the step in progress. It runs only on two or more processors (on one it would slow the reading down as
 * much as it saves).
 */
final class KernelWarmup implements AutoCloseable {
    /** Time steps of a warm-up batch: short, so that one step ends soon after it is stopped. */
    private static final int STEPS = 32, VOCABULARY = 64;
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

    /** The warm-up batch: the run's batch size, {@link #STEPS} steps, ragged lengths longest first. */
    static Batch batch(TrainConfig cfg) {
        int steps = Math.min(STEPS, cfg.maxLen()), size = cfg.batch();
        Batch batch = new Batch(steps, size);
        batch.reset(steps, size);
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < steps * size; i++) batch.tokens()[i] = 2 + rng.nextInt(VOCABULARY - 2);
        for (int i = 0; i < size; i++) {
            batch.labels()[i] = rng.nextInt(2);
            batch.lengths()[i] = Math.max(1, steps - (int) ((long) i * steps / size)); // ragged, as the real batches are
        }
        return batch;
    }

    private void run(TrainConfig cfg) {
        Batch batch = batch(cfg);
        try (SequenceClassifier model = new SequenceClassifier(cfg.modelConfig(VOCABULARY), 1, batch.steps(), cfg.batch());
             Optimizer optimizer = Optimizers.create(cfg.optimizer(), model.parameters(), cfg.lr(), cfg.momentum(),
                     cfg.weightDecay())) {
            TrainingStep step = new TrainingStep(model, optimizer, model.parameters(), cfg.clipNorm(), cfg.clipValue());
            long fastest = Long.MAX_VALUE;
            int flat = 0;
            for (long i = 1; !stop; i++) {
                long t0 = System.nanoTime();
                step.run(batch, i);
                model.train(false);
                model.logits(batch); // validation's inference path
                long took = System.nanoTime() - t0;
                if (took < FASTER * fastest) {
                    flat = 0;
                } else if (++flat >= FLAT) {
                    settled = true;
                }
                fastest = Math.min(fastest, took);
                steps = i;
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
