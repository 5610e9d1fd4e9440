package dev.recur.layers.forecast;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.MemorySegment;

/** Row block copies between matrices of equal width (no allocation). */
final class Rows {
    private Rows() {}

    /** Copies {@code n} rows from {@code src} (from row {@code from}) to {@code dst} (from row {@code to}). */
    static void copy(FloatMatrix src, int from, FloatMatrix dst, int to, int n) {
        int cols = src.cols();
        if (dst.cols() != cols) throw new IllegalArgumentException("row copy between widths " + cols + " and " + dst.cols());
        long bytes = (long) cols * Float.BYTES;
        for (int r = 0; r < n; r++) {
            MemorySegment.copy(src.segment(), src.index(from + r, 0) * Float.BYTES,
                    dst.segment(), dst.index(to + r, 0) * Float.BYTES, bytes);
        }
    }

    /** Sets every element of the first {@code n} rows of {@code m} to zero. */
    static void zero(FloatMatrix m, int n) {
        if (m.isContiguous()) {
            m.segment().asSlice(0, (long) n * m.ld() * Float.BYTES).fill((byte) 0);
        } else {
            for (int r = 0; r < n; r++) m.segment().asSlice(m.index(r, 0) * Float.BYTES, (long) m.cols() * Float.BYTES).fill((byte) 0);
        }
    }
}
