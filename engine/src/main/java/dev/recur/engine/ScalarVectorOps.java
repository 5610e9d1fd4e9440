package dev.recur.engine;

import static dev.recur.engine.FloatMatrix.FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * The scalar twin of {@link VectorOps}: plain loops over spans (a span is {@code n} floats from
 * float index {@code off} of a segment). Element-wise results are bit-for-bit those of the SIMD
 * kernels (same float operations in the same order, {@link Math#fma} where they fuse).
 */
public final class ScalarVectorOps implements VectorOpsSupport {
    /** The one instance ({@link Kernels} hands it out; tests hold the twins to each other through it). */
    public static final ScalarVectorOps INSTANCE = new ScalarVectorOps();

    private ScalarVectorOps() {}

    /** x[i] = v. */
    @Override
    public void fill(float v, MemorySegment x, long off, int n) {
        for (int i = 0; i < n; i++) x.setAtIndex(FLOAT, off + i, v);
    }

    /** x[i] = a·x[i]. */
    @Override
    public void scale(float a, MemorySegment x, long off, int n) {
        for (int i = 0; i < n; i++) x.setAtIndex(FLOAT, off + i, a * x.getAtIndex(FLOAT, off + i));
    }

    /** y[i] = a·x[i] + y[i] (one rounding: fused multiply-add). */
    @Override
    public void axpy(float a, MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int i = 0; i < n; i++) {
            y.setAtIndex(FLOAT, yOff + i, Math.fma(a, x.getAtIndex(FLOAT, xOff + i), y.getAtIndex(FLOAT, yOff + i)));
        }
    }

    /** x[i] = min(max(x[i], lo), hi); NaN stays NaN. */
    @Override
    public void clamp(float lo, float hi, MemorySegment x, long off, int n) {
        for (int i = 0; i < n; i++) {
            x.setAtIndex(FLOAT, off + i, Math.min(Math.max(x.getAtIndex(FLOAT, off + i), lo), hi));
        }
    }

    /** out[i] = a[i]·b[i]. */
    @Override
    public void mul(MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff, int n) {
        for (int i = 0; i < n; i++) {
            out.setAtIndex(FLOAT, outOff + i, a.getAtIndex(FLOAT, aOff + i) * b.getAtIndex(FLOAT, bOff + i));
        }
    }

    /** Σ x[i]², each square rounded to float (so |x| ≳ 1.8e19 gives +∞), summed in double. */
    @Override
    public double sumOfSquares(MemorySegment x, long off, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x.getAtIndex(FLOAT, off + i);
            sum += v * v;
        }
        return sum;
    }

    /** x[i] = 0 where |x[i]| &lt; {@link Float#MIN_NORMAL} (subnormals and −0 become +0); others unchanged. */
    @Override
    public void flushSubnormals(MemorySegment x, long off, int n) {
        for (int i = 0; i < n; i++) {
            if (Math.abs(x.getAtIndex(FLOAT, off + i)) < Float.MIN_NORMAL) x.setAtIndex(FLOAT, off + i, 0f);
        }
    }

    /** max |x[i]|; 0 for an empty span; NaN if any element is NaN. */
    @Override
    public float maxAbs(MemorySegment x, long off, int n) {
        float max = 0f;
        for (int i = 0; i < n; i++) max = Math.max(max, Math.abs(x.getAtIndex(FLOAT, off + i)));
        return max;
    }
}
