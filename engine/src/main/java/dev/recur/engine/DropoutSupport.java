package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * One kernel family: drawing and applying the counter-based dropout masks behind
 * {@link DropoutMask}, with a Vector API implementation ({@link SimdDropout}) and a plain-loop
 * scalar twin ({@link ScalarDropout}) that give the same bits; {@link Kernels} picks one once.
 * Arguments are checked by the facade, not here.
 */
interface DropoutSupport {
    /** mask[i] = (u(first + i) &lt; p ? 0 : keep), i &lt; n. */
    void draw(long callKey, long first, float p, float keep, MemorySegment mask, long maskOff, long n);

    /** As {@link #draw}, and y[i] = x[i]·mask[i] in the same pass (y may be x). */
    void apply(long callKey, long first, float p, float keep, MemorySegment x, long xOff,
               MemorySegment mask, long maskOff, MemorySegment y, long yOff, long n);
}
