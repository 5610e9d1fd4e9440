package dev.recur.app.run;

import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.layers.Parameter;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.AdamW;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.optim.Sgd;
import java.util.List;

/** The one optimizer factory of every task. */
public final class Optimizers {
    private Optimizers() { }

    /**
     * The optimizer named on the command line with its library defaults (sgd: momentum 0.9, no
     * weight decay; adam and adamw: betas 0.9 and 0.999, eps 1e-8, their default weight decay).
     */
    public static Optimizer create(OptimizerKind kind, List<Parameter> params, double lr) {
        return switch (kind) {
            case sgd -> new Sgd(params, (float) lr, 0.9f, 0f, false);
            case adam -> new Adam(params, (float) lr);
            case adamw -> new AdamW(params, (float) lr);
        };
    }

    /** The optimizer named on the command line with the given momentum (sgd) and weight decay. */
    public static Optimizer create(OptimizerKind kind, List<Parameter> params, double lr, double momentum, double weightDecay) {
        float l = (float) lr, wd = (float) weightDecay;
        return switch (kind) {
            case sgd -> new Sgd(params, l, (float) momentum, wd, false);
            case adam -> new Adam(params, l, 0.9f, 0.999f, 1e-8f, wd);
            case adamw -> new AdamW(params, l, 0.9f, 0.999f, 1e-8f, wd);
        };
    }

    /**
     * As {@link #create(OptimizerKind, List, double, double, double)}; {@code momentum} or
     * {@code weightDecay} null means the library default (sgd 0.9; adamw 0.01, adam and sgd 0), and
     * both null is {@link #create(OptimizerKind, List, double)} exactly.
     */
    public static Optimizer create(OptimizerKind kind, List<Parameter> params, double lr, Double momentum, Double weightDecay) {
        if (momentum == null && weightDecay == null) return create(kind, params, lr);
        return create(kind, params, lr, momentum != null ? momentum : 0.9,
                weightDecay != null ? weightDecay : kind == OptimizerKind.adamw ? 0.01 : 0);
    }
}
