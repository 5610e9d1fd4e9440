package dev.recur.layers.forecast;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.MemorySegment;

/** Row block copies between matrices of equal width (no allocation), and the last step of a time-major sequence. */
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

    /** Copies the last of the {@code steps} time-major steps of {@code h} (its rows {@code (steps − 1)·B …}) to {@code dst}. */
    static void lastStep(FloatMatrix h, int steps, int batch, FloatMatrix dst) { copy(h, (steps - 1) * batch, dst, 0, batch); }

    /**
     * The gradient of a sequence of {@code steps} time-major outputs of which only the last step is
     * used (backward of {@link #lastStep}): zero at the first {@code steps − 1} steps, {@code g} at the last.
     */
    static void lastStepBackward(FloatMatrix g, int steps, int batch, FloatMatrix gH) {
        zero(gH, (steps - 1) * batch);
        copy(g, 0, gH, (steps - 1) * batch, batch);
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
