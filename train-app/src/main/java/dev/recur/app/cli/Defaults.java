package dev.recur.app.cli;

import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.Choices.PoolKind;
import dev.recur.app.run.Choices.TruncateKind;

/** The default model and training settings in one place (see docs/app.md for how they were chosen). */
public final class Defaults {
    private Defaults() {}

    public static final int LAYERS = 1;
    public static final int HIDDEN = 64;
    public static final int EMBED = 64;
    public static final int VOCAB_SIZE = 10_000;
    public static final int MAX_LEN = 400;
    public static final TruncateKind TRUNCATE = TruncateKind.end;
    public static final PoolKind POOL = PoolKind.max;
    public static final double DROPOUT = 0.2;
    public static final int BATCH = 64;
    public static final int EPOCHS = 4;
    public static final double LR = 4e-3;
    public static final LrScheduleKind LR_SCHEDULE = LrScheduleKind.cosine;
    public static final OptimizerKind OPTIMIZER = OptimizerKind.adamw;
    /** Decoupled weight decay of adamw when --weight-decay is not given. */
    public static final double ADAMW_WEIGHT_DECAY = 0.3;
    public static final double CLIP_NORM = 5.0;
    public static final double VALIDATION_SPLIT = 0.1;
    public static final long SEED = 42;

    /** The --weight-decay used when none is given: {@link #ADAMW_WEIGHT_DECAY} for adamw, 0 (no L2 term) for sgd and adam. */
    public static double weightDecay(OptimizerKind optimizer) {
        return optimizer == OptimizerKind.adamw ? ADAMW_WEIGHT_DECAY : 0.0;
    }
}
