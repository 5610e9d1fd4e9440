package dev.recur.app.sentiment;

import dev.recur.app.run.Optimizers;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import java.util.SplittableRandom;

/**
 * Trains a throwaway copy of the run's model on random tokens in a background thread while the
 * data is read, so that the JIT has compiled the kernels when the first real batch comes: the
 * Vector API runs very slowly until C2 compiles it. It changes no number of the run — the copy has
 * its own parameters, optimizer and random streams, and the kernels give the same bits in every JIT
 * tier (docs/determinism.md) — only when the kernels are compiled. It runs only on two or more
 * processors (on one it would slow the reading down as much as it saves).
 */
final class KernelWarmup implements AutoCloseable {
    /** Steps and sequences of a warm-up batch: small, so that one step ends soon after {@link #close}. */
    private static final int STEPS = 24, SEQUENCES = 16, VOCABULARY = 64;

    private final Thread thread;
    private volatile boolean stop;

    private KernelWarmup(TrainConfig cfg) {
        thread = Thread.ofPlatform().name("kernel-warmup").daemon().unstarted(() -> run(cfg));
    }

    /** Starts warming the kernels of {@code cfg}'s model; {@link #close} stops and waits for it. */
    static KernelWarmup start(TrainConfig cfg) {
        KernelWarmup w = new KernelWarmup(cfg);
        if (Runtime.getRuntime().availableProcessors() >= 2) w.thread.start();
        return w;
    }

    private void run(TrainConfig cfg) {
        int steps = Math.min(STEPS, cfg.maxLen()), size = Math.min(SEQUENCES, cfg.batch());
        Batch batch = new Batch(steps, size);
        batch.reset(steps, size);
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < steps * size; i++) batch.tokens()[i] = 2 + rng.nextInt(VOCABULARY - 2);
        for (int i = 0; i < size; i++) {
            batch.labels()[i] = rng.nextInt(2);
            batch.lengths()[i] = Math.max(1, steps - i); // ragged, longest first, as the real batches are
        }
        try (SequenceClassifier model = new SequenceClassifier(cfg.modelConfig(VOCABULARY), 1, steps, size);
             Optimizer optimizer = Optimizers.create(cfg.optimizer(), model.parameters(), cfg.lr(), cfg.momentum(),
                     cfg.weightDecay())) {
            TrainingStep step = new TrainingStep(model, optimizer, model.parameters(), cfg.clipNorm(), cfg.clipValue());
            for (long i = 1; !stop; i++) {
                step.run(batch, i);
                model.train(false);
                model.logits(batch); // validation's inference path
            }
        } catch (RuntimeException ignored) {
            // a warm-up that fails (say it diverged on random tokens) only means colder kernels
        }
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
