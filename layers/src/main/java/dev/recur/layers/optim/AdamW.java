package dev.recur.layers.optim;

import dev.recur.layers.Parameter;
import java.util.List;

/** AdamW as {@code torch.optim.AdamW}: Adam with decoupled weight decay (default 0.01). See {@link Adam}. */
public final class AdamW extends Adam {

    /** AdamW with PyTorch's defaults β = (0.9, 0.999), ε = 1e-8, weight decay 0.01. */
    public AdamW(List<Parameter> params, double lr) { this(params, lr, 0.9, 0.999, 1e-8, 0.01); }

    /** AdamW with the given hyper-parameters; {@code weightDecay} shrinks the weights directly, decoupled from the gradient. */
    public AdamW(List<Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(params, lr, beta1, beta2, eps, weightDecay, true);
    }

    @Override
    public String type() { return "adamw"; }
}
