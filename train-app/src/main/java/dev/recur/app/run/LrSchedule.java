package dev.recur.app.run;

import dev.recur.app.run.Choices.LrScheduleKind;

/**
 * The learning rate of every update, a pure function of the number of updates done (so
 * {@code --resume} continues the same curve bit for bit): an optional linear warm-up over the
 * first {@code warmup} updates, from {@code lr/warmup} up to {@code lr}, then the schedule over
 * the remaining updates — {@code constant} keeps {@code lr}; {@code cosine} falls as
 * {@code lr·½(1 + cos(π·f))} and {@code linear} as {@code lr·(1 − f)}, where {@code f} is the
 * fraction of the post-warm-up updates done.
 *
 * @param kind   the shape after the warm-up
 * @param lr     the peak rate ({@code --lr})
 * @param warmup updates of linear warm-up (0: none)
 */
public record LrSchedule(LrScheduleKind kind, double lr, long warmup) {
    public LrSchedule {
        if (kind == null) kind = LrScheduleKind.constant;
        if (warmup < 0) throw new IllegalArgumentException("warmup " + warmup);
    }

    /** A constant rate {@code lr}. */
    public static LrSchedule constant(double lr) { return new LrSchedule(LrScheduleKind.constant, lr, 0); }

    /**
     * The rate of the update that follows {@code done} earlier updates in a run of {@code total}
     * updates (raising the total on resume stretches the rest of the curve from there).
     */
    public double rate(long done, long total) {
        if (warmup > 0 && done < warmup) return lr * (done + 1) / warmup;
        long d = done - warmup, t = total - warmup;
        double f = t <= 0 ? 0 : Math.min(1.0, Math.max(0.0, (double) d / t));
        return switch (kind) {
            case constant -> lr;
            case cosine -> lr * 0.5 * (1 + Math.cos(Math.PI * f));
            case linear -> lr * (1 - f);
        };
    }
}
