package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * Fused optimizer updates over one parameter tensor, one pass over memory, PyTorch 1.13 semantics.
 * The parameter {@code p}, its gradient {@code g} and the optimizer state ({@code b}, or {@code m}
 * and {@code v}) have the same shape; state starts at zero. The gradient is only read.
 *
 * <p>Runs {@link SimdOptimizerKernels} when the Vector API is present, else
 * {@link ScalarOptimizerKernels}; both give the same bits. Hyperparameters are doubles (Python
 * floats in PyTorch) turned into float coefficients once per call, the way PyTorch does.
 */
public final class OptimizerKernels {
    private OptimizerKernels() {}

    private static final OptimizerSupport K = Kernels.optimizer();

    /**
     * SGD with momentum (torch.optim.SGD, dampening 0): d = g + wd·p; if μ ≠ 0 { b = μ·b + d;
     * d = nesterov ? d + μ·b : b }; p −= lr·d. {@code b} may be null when μ = 0.
     */
    public static void sgd(FloatMatrix p, FloatMatrix g, FloatMatrix b,
                           double lr, double momentum, double weightDecay, boolean nesterov) {
        checkSgd(lr, momentum, weightDecay, nesterov);
        Spans.requireSameShape("sgd", p, "parameter", g, "gradient");
        FloatMatrix state = momentum != 0 ? b : p; // p stands in for an unused buffer, never written
        if (momentum != 0) {
            if (b == null) throw new IllegalArgumentException("sgd: momentum " + momentum + " needs a momentum buffer, got null");
            Spans.requireSameShape("sgd", p, "parameter", b, "momentum buffer");
        }
        if (Spans.flat(p) && Spans.flat(g) && Spans.flat(state)) {
            sgd0(p.segment(), 0, g.segment(), 0, state.segment(), 0, Spans.length("sgd", p), lr, momentum, weightDecay, nesterov);
            return;
        }
        for (int r = 0; r < p.rows(); r++) {
            sgd0(p.segment(), p.index(r, 0), g.segment(), g.index(r, 0), state.segment(), state.index(r, 0), p.cols(),
                    lr, momentum, weightDecay, nesterov);
        }
    }

    /** Span version of {@link #sgd(FloatMatrix, FloatMatrix, FloatMatrix, double, double, double, boolean)}. */
    public static void sgd(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment b, long bOff, int n,
                           double lr, double momentum, double weightDecay, boolean nesterov) {
        checkSgd(lr, momentum, weightDecay, nesterov);
        Spans.check("sgd", "parameter", p, pOff, n);
        Spans.check("sgd", "gradient", g, gOff, n);
        if (momentum != 0) Spans.check("sgd", "momentum buffer", b, bOff, n);
        sgd0(p, pOff, g, gOff, momentum != 0 ? b : p, momentum != 0 ? bOff : pOff, n, lr, momentum, weightDecay, nesterov);
    }

    private static void sgd0(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment b, long bOff, int n,
                             double lr, double momentum, double weightDecay, boolean nesterov) {
        K.sgd(p, pOff, g, gOff, b, bOff, n, lr, momentum, weightDecay, nesterov);
    }

    /**
     * Adam (torch.optim.Adam, amsgrad off), step t ≥ 1 counted per parameter: g' = g + wd·p (L2);
     * m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²; p −= (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
     */
    public static void adam(FloatMatrix p, FloatMatrix g, FloatMatrix m, FloatMatrix v,
                            double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        adamMatrix("adam", false, p, g, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }

    /** AdamW (torch.optim.AdamW): p = p·(1 − lr·wd) first (decoupled decay), then the Adam step with no L2 term. */
    public static void adamW(FloatMatrix p, FloatMatrix g, FloatMatrix m, FloatMatrix v,
                             double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        adamMatrix("adamW", true, p, g, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }

    /** Span version of {@link #adam(FloatMatrix, FloatMatrix, FloatMatrix, FloatMatrix, double, double, double, double, double, long)}. */
    public static void adam(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff,
                            MemorySegment v, long vOff, int n,
                            double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        checkAdamSpans("adam", p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, weightDecay, step);
        adam0(false, p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, weightDecay, step);
    }

    /** Span version of {@link #adamW(FloatMatrix, FloatMatrix, FloatMatrix, FloatMatrix, double, double, double, double, double, long)}. */
    public static void adamW(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff,
                             MemorySegment v, long vOff, int n,
                             double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        checkAdamSpans("adamW", p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, weightDecay, step);
        adam0(true, p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, weightDecay, step);
    }

    private static void adamMatrix(String op, boolean decoupled, FloatMatrix p, FloatMatrix g, FloatMatrix m, FloatMatrix v,
                                   double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        checkAdam(op, lr, beta1, beta2, eps, weightDecay, step);
        Spans.requireSameShape(op, p, "parameter", g, "gradient");
        Spans.requireSameShape(op, p, "parameter", m, "first moment m");
        Spans.requireSameShape(op, p, "parameter", v, "second moment v");
        if (Spans.flat(p) && Spans.flat(g) && Spans.flat(m) && Spans.flat(v)) {
            adam0(decoupled, p.segment(), 0, g.segment(), 0, m.segment(), 0, v.segment(), 0, Spans.length(op, p),
                    lr, beta1, beta2, eps, weightDecay, step);
            return;
        }
        for (int r = 0; r < p.rows(); r++) {
            adam0(decoupled, p.segment(), p.index(r, 0), g.segment(), g.index(r, 0), m.segment(), m.index(r, 0),
                    v.segment(), v.index(r, 0), p.cols(), lr, beta1, beta2, eps, weightDecay, step);
        }
    }

    private static void adam0(boolean decoupled, MemorySegment p, long pOff, MemorySegment g, long gOff,
                              MemorySegment m, long mOff, MemorySegment v, long vOff, int n,
                              double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        if (decoupled) K.adamW(p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, weightDecay, step);
        else K.adam(p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, weightDecay, step);
    }

    // ---- coefficients shared by both twins (computed once per call, in double) ----

    /** lr / (1 − β1ᵗ). */
    static float adamStepSize(double lr, double beta1, long step) {
        return (float) (lr / (1.0 - Math.pow(beta1, step)));
    }

    /** √(1 − β2ᵗ). */
    static float adamBias2Sqrt(double beta2, long step) {
        return (float) Math.sqrt(1.0 - Math.pow(beta2, step));
    }

    /** 1 − lr·wd, the decoupled weight-decay factor of AdamW. */
    static float adamWDecay(double lr, double weightDecay) {
        return (float) (1.0 - lr * weightDecay);
    }

    // ---- argument checks: PyTorch's, with the name of the bad value ----

    private static void checkSgd(double lr, double momentum, double weightDecay, boolean nesterov) {
        requireNonNegative("sgd", "learning rate", lr);
        requireNonNegative("sgd", "momentum", momentum);
        requireNonNegative("sgd", "weight decay", weightDecay);
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("sgd: Nesterov momentum needs momentum > 0 (as torch.optim.SGD); got 0");
        }
    }

    private static void checkAdam(String op, double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        requireNonNegative(op, "learning rate", lr);
        requireNonNegative(op, "eps", eps);
        requireNonNegative(op, "weight decay", weightDecay);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException(op + ": beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException(op + ": beta2 must be in [0, 1), got " + beta2);
        if (step < 1) throw new IllegalArgumentException(op + ": step count must be ≥ 1 (the first update is step 1), got " + step);
    }

    private static void checkAdamSpans(String op, MemorySegment p, long pOff, MemorySegment g, long gOff,
                                       MemorySegment m, long mOff, MemorySegment v, long vOff, int n,
                                       double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        checkAdam(op, lr, beta1, beta2, eps, weightDecay, step);
        Spans.check(op, "parameter", p, pOff, n);
        Spans.check(op, "gradient", g, gOff, n);
        Spans.check(op, "first moment m", m, mOff, n);
        Spans.check(op, "second moment v", v, vOff, n);
    }

    private static void requireNonNegative(String op, String what, double x) {
        if (!(x >= 0) || Double.isInfinite(x)) {
            throw new IllegalArgumentException(op + ": " + what + " must be finite and ≥ 0, got " + x);
        }
    }
}
