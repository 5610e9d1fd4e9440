package dev.recur.engine;

import static dev.recur.engine.FloatMatrix.FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * The scalar twin of {@link SimdDropout}: element by element, {@link DropoutMask#uniform} compared
 * with p in double — the definition of the mask, which the SIMD kernel matches bit for bit.
 */
public final class ScalarDropout implements DropoutSupport {
    /** The one instance ({@link Kernels} hands it out; tests hold the twins to each other through it). */
    public static final ScalarDropout INSTANCE = new ScalarDropout();

    private ScalarDropout() {}

    @Override
    public void draw(long callKey, long first, float p, float keep, MemorySegment mask, long maskOff, long n) {
        for (long i = 0; i < n; i++) {
            mask.setAtIndex(FLOAT, maskOff + i, DropoutMask.uniform(callKey, first + i) < p ? 0f : keep);
        }
    }

    @Override
    public void apply(long callKey, long first, float p, float keep, MemorySegment x, long xOff,
                      MemorySegment mask, long maskOff, MemorySegment y, long yOff, long n) {
        for (long i = 0; i < n; i++) {
            float v = DropoutMask.uniform(callKey, first + i) < p ? 0f : keep;
            mask.setAtIndex(FLOAT, maskOff + i, v);
            y.setAtIndex(FLOAT, yOff + i, x.getAtIndex(FLOAT, xOff + i) * v);
        }
    }
}
