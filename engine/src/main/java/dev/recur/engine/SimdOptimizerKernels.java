package dev.recur.engine;

import static dev.recur.engine.Simd.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * The SIMD twin of {@link ScalarOptimizerKernels}: the same float operations per lane (fused
 * multiply-adds where the twin uses {@link Math#fma}), full vectors then the twin for the tail.
 */
public final class SimdOptimizerKernels {
    private SimdOptimizerKernels() {}

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int L = F.length();

    /** d = g + wd·p; if μ ≠ 0 { b = μ·b + d; d = nesterov ? d + μ·b : b }; p −= lr·d. */
    public static void sgd(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment b, long bOff, int n,
                           double lr, double momentum, double weightDecay, boolean nesterov) {
        FloatVector wd = FloatVector.broadcast(F, (float) weightDecay), mu = FloatVector.broadcast(F, (float) momentum);
        FloatVector minusLr = FloatVector.broadcast(F, (float) -lr);
        boolean useMomentum = (float) momentum != 0f;
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector pv = FloatVector.fromMemorySegment(F, p, (pOff + i) * 4L, NATIVE);
            FloatVector d = pv.fma(wd, FloatVector.fromMemorySegment(F, g, (gOff + i) * 4L, NATIVE));
            if (useMomentum) {
                FloatVector bv = FloatVector.fromMemorySegment(F, b, (bOff + i) * 4L, NATIVE).fma(mu, d);
                bv.intoMemorySegment(b, (bOff + i) * 4L, NATIVE);
                d = nesterov ? bv.fma(mu, d) : bv;
            }
            d.fma(minusLr, pv).intoMemorySegment(p, (pOff + i) * 4L, NATIVE);
        }
        if (i < n) {
            ScalarOptimizerKernels.sgd(p, pOff + i, g, gOff + i, b, bOff + i, n - i, lr, momentum, weightDecay, nesterov);
        }
    }

    /** Adam: g' = g + wd·p; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²; p −= (lr/(1−β1ᵗ))·m/(√v/√(1−β2ᵗ) + ε). */
    public static void adam(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff,
                            MemorySegment v, long vOff, int n,
                            double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        int done = update(p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, (float) weightDecay, 1f, step);
        if (done < n) {
            ScalarOptimizerKernels.adam(p, pOff + done, g, gOff + done, m, mOff + done, v, vOff + done, n - done,
                    lr, beta1, beta2, eps, weightDecay, step);
        }
    }

    /** AdamW: p = p·(1 − lr·wd), then the Adam step with no L2 term. */
    public static void adamW(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff,
                             MemorySegment v, long vOff, int n,
                             double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        int done = update(p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, 0f,
                OptimizerKernels.adamWDecay(lr, weightDecay), step);
        if (done < n) {
            ScalarOptimizerKernels.adamW(p, pOff + done, g, gOff + done, m, mOff + done, v, vOff + done, n - done,
                    lr, beta1, beta2, eps, weightDecay, step);
        }
    }

    /** The full vectors of both Adam variants; returns how many elements it updated. */
    private static int update(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff,
                              MemorySegment v, long vOff, int n, double lr, double beta1, double beta2, double eps,
                              float l2, float decay, long step) {
        FloatVector b1 = FloatVector.broadcast(F, (float) beta1), b2 = FloatVector.broadcast(F, (float) beta2);
        FloatVector l2v = FloatVector.broadcast(F, l2);
        FloatVector minusStep = FloatVector.broadcast(F, -OptimizerKernels.adamStepSize(lr, beta1, step));
        float bc2Sqrt = OptimizerKernels.adamBias2Sqrt(beta2, step);
        float c1 = (float) (1 - beta1), c2 = (float) (1 - beta2), e = (float) eps;
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector pv = FloatVector.fromMemorySegment(F, p, (pOff + i) * 4L, NATIVE).mul(decay);
            FloatVector gv = pv.fma(l2v, FloatVector.fromMemorySegment(F, g, (gOff + i) * 4L, NATIVE));
            FloatVector mv = FloatVector.fromMemorySegment(F, m, (mOff + i) * 4L, NATIVE).fma(b1, gv.mul(c1));
            FloatVector vv = FloatVector.fromMemorySegment(F, v, (vOff + i) * 4L, NATIVE).fma(b2, gv.mul(c2).mul(gv));
            FloatVector denom = vv.sqrt().div(bc2Sqrt).add(e);
            mv.intoMemorySegment(m, (mOff + i) * 4L, NATIVE);
            vv.intoMemorySegment(v, (vOff + i) * 4L, NATIVE);
            mv.div(denom).fma(minusStep, pv).intoMemorySegment(p, (pOff + i) * 4L, NATIVE);
        }
        return i;
    }


}
