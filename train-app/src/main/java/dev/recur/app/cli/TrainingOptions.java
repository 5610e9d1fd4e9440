package dev.recur.app.cli;

import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.LrSchedule;
import picocli.CommandLine.Option;

/**
 * How a model is trained, the same options for {@code train}, {@code lm} and {@code tag} (and any
 * task on the one training loop): the step's options ({@link OptimizerOptions}) plus the number of
 * epochs, the learning-rate schedule with its warm-up, and early stopping. A command gives its own
 * defaults through the constructor, e.g.
 * {@code @Mixin TrainingOptions training = new TrainingOptions(10, 32, 3e-3, LrScheduleKind.constant, OptimizerKind.adam, 5.0);}
 */
public final class TrainingOptions extends OptimizerOptions {
    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data. Default: ${DEFAULT-VALUE}.")
    public int epochs;

    @Option(names = "--lr-schedule", paramLabel = "constant|cosine|linear|step", description = "The learning rate per step, "
            + "from --lr down to 0 over all the run's steps (cosine: half a cosine wave; linear: a straight line), constant, "
            + "or step: --lr for the first --lr-step-after epochs, then times --lr-step-factor in every later epoch. "
            + "Default: ${DEFAULT-VALUE}.")
    public LrScheduleKind lrSchedule;

    @Option(names = "--lr-step-after", paramLabel = "N", description = "--lr-schedule step: the epochs at the full --lr "
            + "before the first cut. Default: ${DEFAULT-VALUE}.")
    public int lrStepAfter = LrSchedule.STEP_AFTER;

    @Option(names = "--lr-step-factor", paramLabel = "F", description = "--lr-schedule step: the factor (0 < F <= 1) the "
            + "rate is multiplied by in every epoch after --lr-step-after. Default: ${DEFAULT-VALUE}.")
    public double lrStepFactor = LrSchedule.STEP_FACTOR;

    @Option(names = "--lr-warmup", paramLabel = "N", description = "Raise the learning rate linearly from --lr/N to --lr over the "
            + "first N steps, then follow --lr-schedule over the rest (0 = no warm-up). Default: ${DEFAULT-VALUE}.")
    public int lrWarmup = 0;

    @Option(names = "--patience", paramLabel = "N", description = "Early stopping: end the run after N evaluations without a "
            + "better validation score (the best checkpoint is kept and tested); 0 = run all --epochs. Default: ${DEFAULT-VALUE}.")
    public int patience = 0;

    /** The defaults of {@code train}. */
    public TrainingOptions() {
        this(Defaults.EPOCHS, Defaults.BATCH, Defaults.LR, Defaults.LR_SCHEDULE, Defaults.OPTIMIZER, Defaults.CLIP_NORM);
    }

    /** A command's own defaults. */
    public TrainingOptions(int epochs, int batch, double lr, LrScheduleKind schedule, OptimizerKind optimizer, double clipNorm) {
        super(batch, lr, optimizer, clipNorm);
        this.epochs = epochs;
        this.lrSchedule = schedule;
    }

    /**
     * The schedule of these options; {@code lr} is the rate the optimizer was made with (lm and
     * tag make theirs with the rate as a float).
     */
    public LrSchedule schedule(double lr) { return new LrSchedule(lrSchedule, lr, lrWarmup, lrStepAfter, lrStepFactor); }

    @Override
    public void check() {
        super.check();
        Checks.range("--epochs", epochs, 1, 1_000_000);
        Checks.range("--lr-warmup", lrWarmup, 0, Integer.MAX_VALUE);
        Checks.range("--lr-step-after", lrStepAfter, 0, 1_000_000);
        if (!(lrStepFactor > 0 && lrStepFactor <= 1)) {
            throw Checks.usage("--lr-step-factor must be above 0 and at most 1, got " + lrStepFactor);
        }
        Checks.range("--patience", patience, 0, 1_000_000);
    }
}
