package dev.recur.layers.optim;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.OptimizerKernels;
import dev.recur.layers.Parameter;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent as {@code torch.optim.SGD} (dampening 0): {@code d = g + wd·p};
 * with momentum μ: {@code b = μ·b + d} (b starts at zero, so the first step gives b = d) and
 * {@code d = nesterov ? d + μ·b : b}; then {@code p −= lr·d}. State: {@code optimizer.momentum_buffer.<param>}.
 */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final FloatMatrix[] buffers;

    /** SGD as {@code torch.optim.SGD} with the given momentum (0 for none), L2 weight decay and Nesterov switch. */
    public Sgd(List<Parameter> params, double lr, double momentum, double weightDecay, boolean nesterov) {
        super(params, lr);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("SGD weight decay must be ≥ 0, got " + weightDecay);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("Nesterov SGD needs momentum > 0 (as torch.optim.SGD)");
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        buffers = new FloatMatrix[params.size()];
        if (momentum != 0) for (int i = 0; i < buffers.length; i++) buffers[i] = zerosLike(params.get(i));
    }

    /** Plain SGD: no momentum, no weight decay. */
    public Sgd(List<Parameter> params, double lr) { this(params, lr, 0, 0, false); }

    @Override
    public String type() { return "sgd"; }

    /** The momentum factor (0: none). */
    public double momentum() { return momentum; }

    /** The L2 weight decay added to the gradient (0: none). */
    public double weightDecay() { return weightDecay; }

    /** Whether the momentum is Nesterov's. */
    public boolean nesterov() { return nesterov; }

    @Override
    protected void update(int i, Parameter p, long step) {
        OptimizerKernels.sgd(p.value(), p.grad(), buffers[i], learningRate(), momentum, weightDecay, nesterov);
    }

    @Override
    protected void update(int i, Parameter p, long step, long from, int n) {
        MemorySegment b = momentum != 0 ? buffers[i].segment() : null;
        OptimizerKernels.sgd(p.value().segment(), from, p.grad().segment(), from, b, from, n, learningRate(), momentum,
                weightDecay, nesterov);
    }

    @Override
    public Map<String, FloatMatrix> state() {
        Map<String, FloatMatrix> m = new LinkedHashMap<>();
        if (momentum != 0) {
            for (int i = 0; i < buffers.length; i++) m.put("optimizer.momentum_buffer." + parameters().get(i).name(), buffers[i]);
        }
        return m;
    }

    @Override
    protected Map<String, String> hyperParameters() {
        return Map.of("momentum", Double.toString(momentum), "weight_decay", Double.toString(weightDecay),
                "nesterov", Boolean.toString(nesterov));
    }
}
