package dev.recur.app.run;

import dev.recur.app.run.Choices.LrScheduleKind;

/**
 * The learning rate of every update, a pure function of the number of updates done (so
 * {@code --resume} continues the same curve bit for bit): an optional linear warm-up over the
 * first {@code warmup} updates, from {@code lr/warmup} up to {@code lr}, then the schedule over
 * the remaining updates — {@code constant} keeps {@code lr}; {@code cosine} falls as
 * {@code lr·½(1 + cos(π·f))} and {@code linear} as {@code lr·(1 − f)}, where {@code f} is the
 * fraction of the post-warm-up updates done; {@code step} keeps {@code lr} for the first
 * {@code stepAfter} epochs and multiplies it by {@code stepFactor} in every later epoch:
 * epoch {@code k} (from 1) runs at {@code lr·stepFactor^max(0, k − stepAfter)} (with 4 and 0.8,
 * SegRNN's {@code lradj='type3'}).
 *
 * @param kind       the shape after the warm-up
 * @param lr         the peak rate ({@code --lr})
 * @param warmup     updates of linear warm-up (0: none)
 * @param stepAfter  {@code step}: the epochs at the full rate ({@code --lr-step-after})
 * @param stepFactor {@code step}: the factor per later epoch ({@code --lr-step-factor})
 */
public record LrSchedule(LrScheduleKind kind, double lr, long warmup, int stepAfter, double stepFactor) {
    /** {@code --lr-step-after}'s default (SegRNN's {@code type3}). */
    public static final int STEP_AFTER = 4;
    /** {@code --lr-step-factor}'s default (SegRNN's {@code type3}). */
    public static final double STEP_FACTOR = 0.8;

    public LrSchedule {
        if (kind == null) kind = LrScheduleKind.constant;
        if (warmup < 0) throw new IllegalArgumentException("warmup " + warmup);
        if (stepAfter < 0) throw new IllegalArgumentException("stepAfter " + stepAfter);
        if (!(stepFactor > 0 && stepFactor <= 1)) throw new IllegalArgumentException("stepFactor " + stepFactor);
    }

    /** A schedule with the step defaults (they matter only for {@code step}). */
    public LrSchedule(LrScheduleKind kind, double lr, long warmup) { this(kind, lr, warmup, STEP_AFTER, STEP_FACTOR); }

    /** A constant rate {@code lr}. */
    public static LrSchedule constant(double lr) { return new LrSchedule(LrScheduleKind.constant, lr, 0); }

    /**
     * The rate of the update that follows {@code done} earlier updates in a run of {@code total}
     * updates with {@code perEpoch} updates an epoch (raising the total on resume stretches the
     * rest of the curve from there; {@code perEpoch} matters only for {@code step}).
     */
    public double rate(long done, long total, long perEpoch) {
        if (warmup > 0 && done < warmup) return lr * (done + 1) / warmup;
        long d = done - warmup, t = total - warmup;
        double f = t <= 0 ? 0 : Math.min(1.0, Math.max(0.0, (double) d / t));
        return switch (kind) {
            case constant -> lr;
            case cosine -> lr * 0.5 * (1 + Math.cos(Math.PI * f));
            case linear -> lr * (1 - f);
            case step -> stepped(done / Math.max(1, perEpoch) + 1);
        };
    }

    /** {@code lr·stepFactor^max(0, epoch − stepAfter)}, by repeated products (the same float on every JVM tier, unlike {@code Math.pow}). */
    private double stepped(long epoch) {
        double r = lr;
        for (long k = stepAfter; k < epoch; k++) r *= stepFactor;
        return r;
    }
}
