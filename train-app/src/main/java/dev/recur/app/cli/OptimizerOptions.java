package dev.recur.app.cli;

import dev.recur.app.run.Choices.OptimizerKind;
import picocli.CommandLine.Option;

/**
 * How one optimizer step is taken: batch size, learning rate, optimizer and its settings, gradient
 * clipping. The mixin of {@code bench}, and the base of {@link TrainingOptions} (every training
 * command). A command gives its own defaults through the constructor.
 */
public class OptimizerOptions {
    @Option(names = "--batch", paramLabel = "N", description = "Sequences per batch (lm: text streams; tag: sentences). "
            + "Default: ${DEFAULT-VALUE}.")
    public int batch;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate (the peak of --lr-schedule). Default: ${DEFAULT-VALUE}.")
    public double lr;

    @Option(names = "--optimizer", paramLabel = "sgd|adam|adamw", description = "sgd (with --momentum), adam or adamw "
            + "(with --weight-decay). Default: ${DEFAULT-VALUE}.")
    public OptimizerKind optimizer;

    @Option(names = "--momentum", paramLabel = "X", description = "Momentum of sgd. Default: 0.9.")
    public Double momentum;

    @Option(names = "--weight-decay", paramLabel = "X", description = "Weight decay: decoupled for adamw, an L2 term for sgd and "
            + "adam. Default: train and bench " + Defaults.ADAMW_WEIGHT_DECAY + " for adamw; lm and tag 0.01 for adamw; 0 for sgd and adam.")
    public Double weightDecay;

    @Option(names = "--clip-norm", paramLabel = "X", description = "Clip gradients to this global L2 norm (0 = off). Default: ${DEFAULT-VALUE}.")
    public double clipNorm;

    @Option(names = "--clip-value", paramLabel = "X", description = "Clip each gradient element to [-X, X] (0 = off). Default: ${DEFAULT-VALUE}.")
    public double clipValue;

    /** The defaults of {@code train} and {@code bench}. */
    public OptimizerOptions() {
        this(Defaults.BATCH, Defaults.LR, Defaults.OPTIMIZER, Defaults.CLIP_NORM);
    }

    /** A command's own defaults. */
    public OptimizerOptions(int batch, double lr, OptimizerKind optimizer, double clipNorm) {
        this.batch = batch;
        this.lr = lr;
        this.optimizer = optimizer;
        this.clipNorm = clipNorm;
    }

    /** The given --momentum, or sgd's default 0.9. */
    public double momentum() { return momentum != null ? momentum : 0.9; }

    /** The given --weight-decay, or {@code train}'s default for the optimizer ({@link Defaults#weightDecay}). */
    public double weightDecay() { return weightDecay != null ? weightDecay : Defaults.weightDecay(optimizer); }

    /** Throws a usage error naming the first option out of range. */
    public void check() {
        Checks.range("--batch", batch, 1, 1 << 16);
        Checks.positive("--lr", lr);
        if (momentum != null) Checks.range("--momentum", momentum, 0.0, 0.999999);
        if (weightDecay != null) Checks.range("--weight-decay", weightDecay, 0.0, 10.0);
        Checks.range("--clip-norm", clipNorm, 0.0, 1e12);
        Checks.range("--clip-value", clipValue, 0.0, 1e12);
    }
}
