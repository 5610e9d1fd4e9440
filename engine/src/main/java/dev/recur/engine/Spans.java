package dev.recur.engine;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks shared by the kernel facades. A span is a run of {@code n} floats starting at
 * float index {@code off} of a segment. Checks run once per call, never per element.
 */
final class Spans {
    private Spans() {}

    /** Throws a clear error unless {@code [off, off+n)} lies inside {@code seg}. */
    static void check(String op, String name, MemorySegment seg, long off, long n) {
        if (seg == null) throw new NullPointerException(op + ": " + name + " segment is null");
        if (n < 0) throw new IllegalArgumentException(op + ": length must be ≥ 0, got " + n);
        long floats = seg.byteSize() / Float.BYTES;
        if (off < 0 || off > floats - n) {
            throw new IndexOutOfBoundsException(op + ": " + name + " span [" + off + ", " + (off + n)
                    + ") lies outside its segment of " + floats + " floats; pass an offset and length inside it");
        }
    }

    /** True when the matrix can be processed as one span from float index 0: contiguous or empty. */
    static boolean flat(FloatMatrix m) {
        return m.isContiguous() || m.size() == 0;
    }

    /** Element count of a contiguous matrix as an int, with a clear error beyond 2³¹−1. */
    static int length(String op, FloatMatrix m) {
        long n = m.size();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + m + " has " + n + " elements; kernels take at most "
                    + Integer.MAX_VALUE + " per call, split the matrix into row ranges");
        }
        return (int) n;
    }

    static void requireSameShape(String op, FloatMatrix a, String aName, FloatMatrix b, String bName) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(op + ": " + bName + " is " + b.rows() + "×" + b.cols()
                    + " but " + aName + " is " + a.rows() + "×" + a.cols() + "; they must have the same shape");
        }
    }

    /** A 1×n (or n×1 contiguous) vector matrix's length, with a clear error otherwise. */
    static void requireRowVector(String op, String name, FloatMatrix v, int n) {
        if (v.rows() != 1 || v.cols() != n) {
            throw new IllegalArgumentException(op + ": " + name + " must be 1×" + n + ", got " + v.rows() + "×" + v.cols());
        }
    }
}
