package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import java.util.Objects;

/**
 * A trainable tensor: its PyTorch name (for example {@code lstm.weight_ih_l0_reverse}), its value
 * and its gradient, both off-heap and of the same shape. Biases and other vectors are 1×n.
 * Gradients accumulate ({@code +=}) during backward; {@link #zeroGrad()} clears them.
 */
public final class Parameter {
    private final String name;
    private final FloatMatrix value;
    private final FloatMatrix grad;

    public Parameter(String name, FloatMatrix value, FloatMatrix grad) {
        this.name = Objects.requireNonNull(name, "name");
        this.value = Objects.requireNonNull(value, "value");
        this.grad = Objects.requireNonNull(grad, "grad");
        value.requireSameShape("gradient of parameter " + name, grad);
    }

    public String name() { return name; }

    public FloatMatrix value() { return value; }

    public FloatMatrix grad() { return grad; }

    public int rows() { return value.rows(); }

    public int cols() { return value.cols(); }

    public long size() { return value.size(); }

    /**
     * PyTorch's shape of this parameter, as {@code state_dict()} holds it: {@code [n]} for a bias
     * (a 1 × n parameter whose name ends in {@code bias…}, e.g. {@code fc.bias},
     * {@code rnn.bias_ih_l0}), {@code [rows, cols]} for everything else (a weight with one row
     * stays 2-D, as {@code nn.Linear(in, 1).weight} does). Checkpoints write this shape.
     */
    public long[] shape() {
        String last = name.substring(name.lastIndexOf('.') + 1);
        if (value.rows() == 1 && last.startsWith("bias")) return new long[] {value.cols()};
        return new long[] {value.rows(), value.cols()};
    }

    public void zeroGrad() { grad.fill(0f); }

    @Override
    public String toString() { return name + " " + value.rows() + "×" + value.cols(); }
}
