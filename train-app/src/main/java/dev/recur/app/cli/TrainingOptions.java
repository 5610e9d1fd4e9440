package dev.recur.app.cli;

import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.OptimizerKind;
import picocli.CommandLine.Option;

/** How a model is optimised: shared by {@code train} and {@code bench}. */
public final class TrainingOptions {
    @Option(names = "--batch", paramLabel = "N", description = "Sequences per batch. Default: ${DEFAULT-VALUE}.")
    public int batch = Defaults.BATCH;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    public double lr = Defaults.LR;

    @Option(names = "--lr-schedule", paramLabel = "constant|cosine|linear", description = "train: the learning rate per step, "
            + "from --lr down to 0 over all the run's steps (cosine: half a cosine wave; linear: a straight line) or constant. "
            + "Default: ${DEFAULT-VALUE}.")
    public LrScheduleKind lrSchedule = Defaults.LR_SCHEDULE;

    @Option(names = "--optimizer", paramLabel = "sgd|adam|adamw", description = "sgd (with --momentum), adam or adamw (with --weight-decay). Default: ${DEFAULT-VALUE}.")
    public OptimizerKind optimizer = Defaults.OPTIMIZER;

    @Option(names = "--momentum", paramLabel = "X", description = "Momentum of sgd. Default: ${DEFAULT-VALUE}.")
    public double momentum = 0.9;

    @Option(names = "--weight-decay", paramLabel = "X", description = "Decoupled weight decay of adamw (L2 term for sgd and adam). "
            + "Default: " + Defaults.ADAMW_WEIGHT_DECAY + " for adamw, 0 for sgd and adam.")
    public Double weightDecay;

    /** The given --weight-decay, or the optimizer's default ({@link Defaults#weightDecay}). */
    public double weightDecay() { return weightDecay != null ? weightDecay : Defaults.weightDecay(optimizer); }

    @Option(names = "--clip-norm", paramLabel = "X", description = "Clip gradients to this global L2 norm (0 = off). Default: ${DEFAULT-VALUE}.")
    public double clipNorm = Defaults.CLIP_NORM;

    @Option(names = "--clip-value", paramLabel = "X", description = "Clip each gradient element to [-X, X] (0 = off). Default: ${DEFAULT-VALUE}.")
    public double clipValue = 0.0;

    @Option(names = "--tbptt", paramLabel = "N", description = "Truncated backprop through time: gradients flow back at most N steps (0 = full BPTT). Default: ${DEFAULT-VALUE}.")
    public int tbptt = 0;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of initialisation, data order and dropout. Default: ${DEFAULT-VALUE}.")
    public long seed = Defaults.SEED;

    @Option(names = "--threads", paramLabel = "N", description = "Engine threads. Default: the number of processors (${DEFAULT-VALUE}).")
    public int threads = Runtime.getRuntime().availableProcessors();

    /** Throws a usage error naming the first option out of range. */
    public void check() {
        Checks.range("--batch", batch, 1, 1 << 16);
        Checks.positive("--lr", lr);
        Checks.range("--momentum", momentum, 0.0, 0.999999);
        Checks.range("--weight-decay", weightDecay(), 0.0, 10.0);
        Checks.range("--clip-norm", clipNorm, 0.0, 1e12);
        Checks.range("--clip-value", clipValue, 0.0, 1e12);
        Checks.range("--tbptt", tbptt, 0, Integer.MAX_VALUE);
        Checks.range("--threads", threads, 1, 1024);
    }
}
