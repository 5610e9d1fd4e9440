package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * One kernel family: the optimizer updates behind {@link OptimizerKernels}, with a Vector API implementation ({@link SimdOptimizerKernels}) and a plain-loop scalar twin
 * ({@link ScalarOptimizerKernels}); {@link Kernels} picks one once. Arguments are checked by the facade, not here.
 */
interface OptimizerSupport {
    void sgd(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment b, long bOff, int n, double lr, double momentum, double weightDecay, boolean nesterov);

    void adam(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff, MemorySegment v, long vOff, int n, double lr, double beta1, double beta2, double eps, double weightDecay, long step);

    void adamW(MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff, MemorySegment v, long vOff, int n, double lr, double beta1, double beta2, double eps, double weightDecay, long step);
}
