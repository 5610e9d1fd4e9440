package dev.recur.layers.optim;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.OptimizerKernels;
import dev.recur.layers.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam as {@code torch.optim.Adam} (amsgrad off), or AdamW as {@code torch.optim.AdamW} when
 * weight decay is decoupled. At step t: Adam uses {@code g' = g + wd·p}; AdamW first does
 * {@code p = p·(1 − lr·wd)}; then {@code m = β1·m + (1−β1)·g'}, {@code v = β2·v + (1−β2)·g'²},
 * {@code p −= (lr/(1−β1ᵗ))·m/(√v/√(1−β2ᵗ) + ε)}. State: {@code optimizer.exp_avg.<param>},
 * {@code optimizer.exp_avg_sq.<param>} and the step count.
 */
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final FloatMatrix[] m;
    private final FloatMatrix[] v;

    /** Adam with PyTorch's defaults β = (0.9, 0.999), ε = 1e-8, no weight decay. */
    public Adam(List<Parameter> params, double lr) { this(params, lr, 0.9, 0.999, 1e-8, 0); }

    /** Adam with the given hyper-parameters; {@code weightDecay} is added to the gradient (L2), as torch.optim.Adam does. */
    public Adam(List<Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, false);
    }

    Adam(List<Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        super(params, lr);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("Adam beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Adam beta2 must be in [0, 1), got " + beta2);
        if (!(eps >= 0)) throw new IllegalArgumentException("Adam eps must be ≥ 0, got " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("Adam weight decay must be ≥ 0, got " + weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        m = new FloatMatrix[params.size()];
        v = new FloatMatrix[params.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = zerosLike(params.get(i));
            v[i] = zerosLike(params.get(i));
        }
    }

    @Override
    public String type() { return "adam"; }

    /** β1, the decay of the running mean of gradients. */
    public double beta1() { return beta1; }

    /** β2, the decay of the running mean of squared gradients. */
    public double beta2() { return beta2; }

    /** ε, added to the denominator for numerical stability. */
    public double eps() { return eps; }

    /** The weight decay (L2 for Adam, decoupled for AdamW); 0 for none. */
    public double weightDecay() { return weightDecay; }

    @Override
    protected void update(int i, Parameter p, long step) {
        if (decoupled) {
            OptimizerKernels.adamW(p.value(), p.grad(), m[i], v[i], learningRate(), beta1, beta2, eps, weightDecay, step);
        } else {
            OptimizerKernels.adam(p.value(), p.grad(), m[i], v[i], learningRate(), beta1, beta2, eps, weightDecay, step);
        }
    }

    @Override
    protected void update(int i, Parameter p, long step, long from, int n) {
        if (decoupled) {
            OptimizerKernels.adamW(p.value().segment(), from, p.grad().segment(), from, m[i].segment(), from,
                    v[i].segment(), from, n, learningRate(), beta1, beta2, eps, weightDecay, step);
        } else {
            OptimizerKernels.adam(p.value().segment(), from, p.grad().segment(), from, m[i].segment(), from,
                    v[i].segment(), from, n, learningRate(), beta1, beta2, eps, weightDecay, step);
        }
    }

    @Override
    public Map<String, FloatMatrix> state() {
        Map<String, FloatMatrix> s = new LinkedHashMap<>();
        for (int i = 0; i < m.length; i++) {
            String n = parameters().get(i).name();
            s.put("optimizer.exp_avg." + n, m[i]);
            s.put("optimizer.exp_avg_sq." + n, v[i]);
        }
        return s;
    }

    @Override
    protected Map<String, String> hyperParameters() {
        return Map.of("beta1", Double.toString(beta1), "beta2", Double.toString(beta2), "eps", Double.toString(eps),
                "weight_decay", Double.toString(weightDecay));
    }
}
