package dev.recur.engine;

import static dev.recur.engine.FloatMatrix.FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * The scalar twin of {@link OptimizerKernels}: PyTorch's update rules one element at a time, in the
 * same float operations and order as the SIMD kernels (so results agree bit for bit). Hyperparameters
 * are doubles, as Python floats in PyTorch, and become float coefficients once per call
 * ({@code (float) (1 − β)}, not {@code 1f − (float) β}), as PyTorch's kernels do.
 */
public final class ScalarOptimizerKernels implements OptimizerSupport {
    /** The one instance ({@link Kernels} hands it out; tests hold the twins to each other through it). */
    public static final ScalarOptimizerKernels INSTANCE = new ScalarOptimizerKernels();

    private ScalarOptimizerKernels() {}

    /**
     * SGD (torch.optim.SGD, dampening 0): d = g + wd·p; if μ ≠ 0 { b = μ·b + d; d = nesterov ? d + μ·b : b };
     * p = p − lr·d. With a zero-initialised b the first step gives b = d, as PyTorch.
     */
    @Override
    public void sgd(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment b, long bOff, int n,
                           double lr, double momentum, double weightDecay, boolean nesterov) {
        float wd = (float) weightDecay, mu = (float) momentum, minusLr = (float) -lr;
        for (int i = 0; i < n; i++) {
            float pi = p.getAtIndex(FLOAT, pOff + i);
            float d = Math.fma(wd, pi, g.getAtIndex(FLOAT, gOff + i));
            if (mu != 0f) {
                float bi = Math.fma(mu, b.getAtIndex(FLOAT, bOff + i), d);
                b.setAtIndex(FLOAT, bOff + i, bi);
                d = nesterov ? Math.fma(mu, bi, d) : bi;
            }
            p.setAtIndex(FLOAT, pOff + i, Math.fma(minusLr, d, pi));
        }
    }

    /**
     * Adam (torch.optim.Adam), step t ≥ 1: g' = g + wd·p; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
     * p = p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
     */
    @Override
    public void adam(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff,
                            MemorySegment v, long vOff, int n,
                            double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        update(p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, (float) weightDecay, 1f, step);
    }

    /** AdamW (torch.optim.AdamW): p = p·(1 − lr·wd), then the Adam step above with no L2 term. */
    @Override
    public void adamW(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff,
                             MemorySegment v, long vOff, int n,
                             double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        update(p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, 0f,
                OptimizerKernels.adamWDecay(lr, weightDecay), step);
    }

    private static void update(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff,
                               MemorySegment v, long vOff, int n, double lr, double beta1, double beta2, double eps,
                               float l2, float decay, long step) {
        float stepSize = OptimizerKernels.adamStepSize(lr, beta1, step);
        float bc2Sqrt = OptimizerKernels.adamBias2Sqrt(beta2, step);
        float b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 - beta1), c2 = (float) (1 - beta2), e = (float) eps;
        for (int i = 0; i < n; i++) {
            float pi = p.getAtIndex(FLOAT, pOff + i) * decay;
            float gi = Math.fma(l2, pi, g.getAtIndex(FLOAT, gOff + i));
            float mi = Math.fma(b1, m.getAtIndex(FLOAT, mOff + i), c1 * gi);
            float vi = Math.fma(b2, v.getAtIndex(FLOAT, vOff + i), c2 * gi * gi);
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + e;
            m.setAtIndex(FLOAT, mOff + i, mi);
            v.setAtIndex(FLOAT, vOff + i, vi);
            p.setAtIndex(FLOAT, pOff + i, Math.fma(-stepSize, mi / denom, pi));
        }
    }
}
