package dev.recur.layers.io;

import java.util.Arrays;

/**
 * One tensor's header entry: name, element type, shape, and its byte range
 * {@code [begin, end)} relative to the start of the data section.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    /** Number of elements, the product of the shape (1 for a scalar, shape []). */
    public long elements() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** The shape as {@code [a, b]} text, for messages. */
    public String shapeText() { return Arrays.toString(shape); }

    /** The shape, a copy (the record keeps its own). */
    @Override
    public long[] shape() { return shape.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && t.dtype == dtype
                && Arrays.equals(t.shape, shape) && t.begin == begin && t.end == end;
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() { return name + " " + dtype + shapeText() + " @[" + begin + "," + end + ")"; }
}
