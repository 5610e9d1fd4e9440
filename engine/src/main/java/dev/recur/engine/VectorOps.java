package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * BLAS-1 style operations and reductions over float spans ({@code n} floats from float index
 * {@code off} of a segment) and over matrices (views with a leading dimension included).
 *
 * <p>Runs {@link SimdVectorOps} when the Vector API is present, else {@link ScalarVectorOps}.
 * Element-wise results are identical on both paths; {@link #sumOfSquares} differs only by summation
 * order (both sum in double, see there).
 */
public final class VectorOps {
    private VectorOps() {}

    private static final boolean SIMD = Engine.vectorApiAvailable();

    /** x[i] = v for i in [0, n). */
    public static void fill(float v, MemorySegment x, long off, int n) {
        Spans.check("fill", "x", x, off, n);
        if (SIMD) SimdVectorOps.fill(v, x, off, n);
        else ScalarVectorOps.fill(v, x, off, n);
    }

    /** x[i] = a·x[i] for i in [0, n). */
    public static void scale(float a, MemorySegment x, long off, int n) {
        Spans.check("scale", "x", x, off, n);
        if (SIMD) SimdVectorOps.scale(a, x, off, n);
        else ScalarVectorOps.scale(a, x, off, n);
    }

    /** y[i] = a·x[i] + y[i] (fused multiply-add) for i in [0, n). */
    public static void axpy(float a, MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        Spans.check("axpy", "x", x, xOff, n);
        Spans.check("axpy", "y", y, yOff, n);
        if (SIMD) SimdVectorOps.axpy(a, x, xOff, y, yOff, n);
        else ScalarVectorOps.axpy(a, x, xOff, y, yOff, n);
    }

    /** x[i] = min(max(x[i], lo), hi) for i in [0, n) (clip by value); NaN stays NaN. Needs lo ≤ hi. */
    public static void clamp(float lo, float hi, MemorySegment x, long off, int n) {
        checkBounds(lo, hi);
        Spans.check("clamp", "x", x, off, n);
        if (SIMD) SimdVectorOps.clamp(lo, hi, x, off, n);
        else ScalarVectorOps.clamp(lo, hi, x, off, n);
    }

    /** out[i] = a[i]·b[i] for i in [0, n); out may be a or b. */
    public static void mul(MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff, int n) {
        Spans.check("mul", "a", a, aOff, n);
        Spans.check("mul", "b", b, bOff, n);
        Spans.check("mul", "out", out, outOff, n);
        if (SIMD) SimdVectorOps.mul(a, aOff, b, bOff, out, outOff, n);
        else ScalarVectorOps.mul(a, aOff, b, bOff, out, outOff, n);
    }

    /** Floats per call of the int-length kernels when a long span is processed in chunks. */
    private static final int CHUNK = 1 << 20;

    /**
     * a[i] = a[i]·b[i] for i in [0, n), in place (a gradient times a dropout mask); n may exceed
     * 2³¹ − 1. Bit for bit {@link #mul} with out = a.
     */
    public static void mulInPlace(MemorySegment a, long aOff, MemorySegment b, long bOff, long n) {
        Spans.check("mulInPlace", "a", a, aOff, n);
        Spans.check("mulInPlace", "b", b, bOff, n);
        for (long done = 0; done < n; done += CHUNK) {
            int len = (int) Math.min(CHUNK, n - done);
            if (SIMD) SimdVectorOps.mul(a, aOff + done, b, bOff + done, a, aOff + done, len);
            else ScalarVectorOps.mul(a, aOff + done, b, bOff + done, a, aOff + done, len);
        }
    }

    /**
     * Σ x[i]² over i in [0, n): each square is rounded to float (|x| ≳ 1.8e19 gives +∞, as in a
     * float32 norm), partial sums of at most a few dozen squares are float, everything else double.
     * Relative error ≲ 1e-6. NaN in gives NaN.
     */
    public static double sumOfSquares(MemorySegment x, long off, int n) {
        Spans.check("sumOfSquares", "x", x, off, n);
        return SIMD ? SimdVectorOps.sumOfSquares(x, off, n) : ScalarVectorOps.sumOfSquares(x, off, n);
    }

    /**
     * x[i] = +0 where |x[i]| < {@link Float#MIN_NORMAL} (subnormals, −0), for i in [0, n); normals,
     * ±∞ and NaN are unchanged. The JVM cannot set flush-to-zero; see docs/kernels.md for when this pays.
     */
    public static void flushSubnormals(MemorySegment x, long off, int n) {
        Spans.check("flushSubnormals", "x", x, off, n);
        if (SIMD) SimdVectorOps.flushSubnormals(x, off, n);
        else ScalarVectorOps.flushSubnormals(x, off, n);
    }

    /** max |x[i]| over i in [0, n); 0 when n = 0; NaN if any element is NaN. */
    public static float maxAbs(MemorySegment x, long off, int n) {
        Spans.check("maxAbs", "x", x, off, n);
        return SIMD ? SimdVectorOps.maxAbs(x, off, n) : ScalarVectorOps.maxAbs(x, off, n);
    }

    // ---- matrix overloads: one span when contiguous, else one span per row ----

    /** Every element of x becomes v. */
    public static void fill(float v, FloatMatrix x) {
        if (Spans.flat(x)) { fill(v, x.segment(), 0, Spans.length("fill", x)); return; }
        for (int r = 0; r < x.rows(); r++) fill(v, x.segment(), x.index(r, 0), x.cols());
    }

    /** x = a·x. */
    public static void scale(float a, FloatMatrix x) {
        if (Spans.flat(x)) { scale(a, x.segment(), 0, Spans.length("scale", x)); return; }
        for (int r = 0; r < x.rows(); r++) scale(a, x.segment(), x.index(r, 0), x.cols());
    }

    /** y = a·x + y; x and y have the same shape. */
    public static void axpy(float a, FloatMatrix x, FloatMatrix y) {
        Spans.requireSameShape("axpy", x, "x", y, "y");
        if (Spans.flat(x) && Spans.flat(y)) {
            axpy(a, x.segment(), 0, y.segment(), 0, Spans.length("axpy", x));
            return;
        }
        for (int r = 0; r < x.rows(); r++) axpy(a, x.segment(), x.index(r, 0), y.segment(), y.index(r, 0), x.cols());
    }

    /** x = min(max(x, lo), hi) element-wise. */
    public static void clamp(float lo, float hi, FloatMatrix x) {
        checkBounds(lo, hi);
        if (Spans.flat(x)) { clamp(lo, hi, x.segment(), 0, Spans.length("clamp", x)); return; }
        for (int r = 0; r < x.rows(); r++) clamp(lo, hi, x.segment(), x.index(r, 0), x.cols());
    }

    /** out = a ⊙ b (element-wise product); all three have the same shape. */
    public static void mul(FloatMatrix a, FloatMatrix b, FloatMatrix out) {
        Spans.requireSameShape("mul", a, "a", b, "b");
        Spans.requireSameShape("mul", a, "a", out, "out");
        if (Spans.flat(a) && Spans.flat(b) && Spans.flat(out)) {
            mul(a.segment(), 0, b.segment(), 0, out.segment(), 0, Spans.length("mul", a));
            return;
        }
        for (int r = 0; r < a.rows(); r++) {
            mul(a.segment(), a.index(r, 0), b.segment(), b.index(r, 0), out.segment(), out.index(r, 0), a.cols());
        }
    }

    /** Every element with |x| < {@link Float#MIN_NORMAL} becomes +0. */
    public static void flushSubnormals(FloatMatrix x) {
        if (Spans.flat(x)) { flushSubnormals(x.segment(), 0, Spans.length("flushSubnormals", x)); return; }
        for (int r = 0; r < x.rows(); r++) flushSubnormals(x.segment(), x.index(r, 0), x.cols());
    }

    /** Σ x² over all elements (see the span version for precision). */
    public static double sumOfSquares(FloatMatrix x) {
        if (Spans.flat(x)) return sumOfSquares(x.segment(), 0, Spans.length("sumOfSquares", x));
        double sum = 0;
        for (int r = 0; r < x.rows(); r++) sum += sumOfSquares(x.segment(), x.index(r, 0), x.cols());
        return sum;
    }

    /** max |x| over all elements; 0 for an empty matrix; NaN if any element is NaN. */
    public static float maxAbs(FloatMatrix x) {
        if (Spans.flat(x)) return maxAbs(x.segment(), 0, Spans.length("maxAbs", x));
        float max = 0f;
        for (int r = 0; r < x.rows(); r++) max = Math.max(max, maxAbs(x.segment(), x.index(r, 0), x.cols()));
        return max;
    }

    private static void checkBounds(float lo, float hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("clamp: need lo ≤ hi (and neither NaN), got lo=" + lo + ", hi=" + hi);
        }
    }
}
