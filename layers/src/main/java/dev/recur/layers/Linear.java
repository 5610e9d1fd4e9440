package dev.recur.layers;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.Transpose;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fully connected layer, {@code y = x·Wᵀ + b}, as {@code torch.nn.Linear}: weight
 * {@code out × in} (named {@code <prefix>.weight}), bias {@code out} ({@code <prefix>.bias}, held as 1 × out).
 * Initialised like PyTorch: W and b uniform in ±1/√in.
 *
 * <p>Rows are samples: {@code x} is N×in, {@code y} N×out. Not thread-safe: one caller at a time.
 */
public final class Linear implements Module {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;
    private final List<Parameter> parameters;

    /** Parameters are allocated from {@code arena} (use a shared arena if the engine runs multi-threaded). */
    public Linear(Arena arena, String prefix, int in, int out, SplittableRandom rng) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear " + prefix + ": sizes must be ≥ 1, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        weight = new Parameter(prefix + ".weight", FloatMatrix.allocate(arena, out, in), FloatMatrix.allocate(arena, out, in));
        bias = new Parameter(prefix + ".bias", FloatMatrix.allocate(arena, 1, out), FloatMatrix.allocate(arena, 1, out));
        float bound = (float) (1.0 / Math.sqrt(in));
        Init.uniform(weight.value(), bound, rng);
        Init.uniform(bias.value(), bound, rng);
        parameters = List.of(weight, bias);
    }

    public int inFeatures() { return in; }

    public int outFeatures() { return out; }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    @Override
    public List<Parameter> parameters() { return parameters; }

    /** {@code y = x·Wᵀ + b}; x is N×in, y is N×out (overwritten). */
    public void forward(FloatMatrix x, FloatMatrix y) {
        x.requireShape("Linear input", x.rows(), in);
        y.requireShape("Linear output", x.rows(), out);
        Gemm.sgemm(Transpose.N, Transpose.T, 1f, x, weight.value(), 0f, y);
        dev.recur.engine.RowOps.addRowVector(y, bias.value());
    }

    /**
     * Accumulates {@code dW += dyᵀ·x} and {@code db += Σ_rows dy}; writes {@code dx = dy·W} when
     * {@code dx} is not null (overwritten).
     */
    public void backward(FloatMatrix x, FloatMatrix dy, FloatMatrix dx) {
        dy.requireShape("Linear output gradient", x.rows(), out);
        Gemm.sgemm(Transpose.T, Transpose.N, 1f, dy, x, 1f, weight.grad());
        dev.recur.engine.RowOps.addColumnSums(dy, bias.grad());
        if (dx != null) {
            dx.requireShape("Linear input gradient", x.rows(), in);
            Gemm.sgemm(Transpose.N, Transpose.N, 1f, dy, weight.value(), 0f, dx);
        }
    }
}
