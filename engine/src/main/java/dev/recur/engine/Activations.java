package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * Element-wise activations over float spans and matrices: {@code y = f(x)} for σ (logistic
 * sigmoid), tanh and exp. In place is allowed ({@code x} and {@code y} the same span or matrix).
 *
 * <p>Runs {@link SimdActivations} when the Vector API is present, else {@link ScalarActivations}.
 * Accuracy of the SIMD path ({@link SimdMath}; numbers in {@code docs/kernels.md}), tested against
 * double-precision {@link Math} on [−20, 20]: σ within 1.5e-7 absolute, tanh within 4e-7 absolute
 * and relative, exp within 1 ulp. Edge values: σ(±∞) = 1/0,
 * σ(±88) rounds to 1/≈6e-39, tanh(±∞) = ±1, exp(−∞) = 0, exp(x ≥ 88.73) = +∞; NaN in gives NaN out.
 */
public final class Activations {
    private Activations() {}

    private static final boolean SIMD = Engine.vectorApiAvailable();

    /** y[i] = σ(x[i]) = 1 / (1 + e^(−x[i])) for i in [0, n). */
    public static void sigmoid(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        check("sigmoid", x, xOff, y, yOff, n);
        if (SIMD) SimdActivations.sigmoid(x, xOff, y, yOff, n);
        else ScalarActivations.sigmoid(x, xOff, y, yOff, n);
    }

    /** y[i] = tanh(x[i]) for i in [0, n). */
    public static void tanh(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        check("tanh", x, xOff, y, yOff, n);
        if (SIMD) SimdActivations.tanh(x, xOff, y, yOff, n);
        else ScalarActivations.tanh(x, xOff, y, yOff, n);
    }

    /** y[i] = e^(x[i]) for i in [0, n). */
    public static void exp(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        check("exp", x, xOff, y, yOff, n);
        if (SIMD) SimdActivations.exp(x, xOff, y, yOff, n);
        else ScalarActivations.exp(x, xOff, y, yOff, n);
    }

    /** y = σ(x) element-wise; x and y have the same shape (views allowed). */
    public static void sigmoid(FloatMatrix x, FloatMatrix y) { apply(Kind.SIGMOID, x, y); }

    /** y = tanh(x) element-wise; x and y have the same shape (views allowed). */
    public static void tanh(FloatMatrix x, FloatMatrix y) { apply(Kind.TANH, x, y); }

    /** y = e^x element-wise; x and y have the same shape (views allowed). */
    public static void exp(FloatMatrix x, FloatMatrix y) { apply(Kind.EXP, x, y); }

    private enum Kind {
        SIGMOID("sigmoid"), TANH("tanh"), EXP("exp");

        final String op;

        Kind(String op) { this.op = op; }
    }

    private static void apply(Kind kind, FloatMatrix x, FloatMatrix y) {
        Spans.requireSameShape(kind.op, x, "x", y, "y");
        if (Spans.flat(x) && Spans.flat(y)) {
            run(kind, x.segment(), 0, y.segment(), 0, Spans.length(kind.op, x));
            return;
        }
        for (int r = 0; r < x.rows(); r++) run(kind, x.segment(), x.index(r, 0), y.segment(), y.index(r, 0), x.cols());
    }

    private static void run(Kind kind, MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        switch (kind) {
            case SIGMOID -> sigmoid(x, xOff, y, yOff, n);
            case TANH -> tanh(x, xOff, y, yOff, n);
            case EXP -> exp(x, xOff, y, yOff, n);
        }
    }

    private static void check(String op, MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        Spans.check(op, "x", x, xOff, n);
        Spans.check(op, "y", y, yOff, n);
    }
}
