package dev.recur.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A row-major float matrix in off-heap memory: a {@link MemorySegment} that starts at element
 * (0, 0), a shape {@code rows × cols}, and a leading dimension {@code ld ≥ cols} (the distance, in
 * floats, between the starts of two consecutive rows).
 *
 * <p>Element (r, c) lives at float index {@code r·ld + c} of the segment. Views share memory with
 * their parent and copy nothing. Memory is owned by the {@link Arena} it was allocated from; use a
 * shared arena ({@link Arena#ofShared()}) for anything the engine's worker threads may touch: a
 * confined segment is only usable from its owner thread (the engine then runs single-threaded).
 *
 * <p>Allocations from {@link #allocate} are 64-byte aligned (one cache line, one AVX-512 vector).
 */
public final class FloatMatrix {

    /** Byte alignment of every allocation: a cache line. */
    public static final long ALIGNMENT = 64;

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final MemorySegment segment;
    private final int rows;
    private final int cols;
    private final int ld;

    private FloatMatrix(MemorySegment segment, int rows, int cols, int ld) {
        this.segment = segment;
        this.rows = rows;
        this.cols = cols;
        this.ld = ld;
    }

    /** A new zero-filled {@code rows × cols} matrix with {@code ld = cols}, owned by {@code arena}. */
    public static FloatMatrix allocate(Arena arena, int rows, int cols) {
        return allocate(arena, rows, cols, Math.max(cols, 1));
    }

    /** A new zero-filled {@code rows × cols} matrix with the given leading dimension. */
    public static FloatMatrix allocate(Arena arena, int rows, int cols, int ld) {
        Objects.requireNonNull(arena, "arena");
        checkShape(rows, cols, ld);
        long elements = storageElements(rows, cols, ld);
        MemorySegment seg = arena.allocate(Math.max(1, elements) * Float.BYTES, ALIGNMENT);
        return new FloatMatrix(seg.asSlice(0, elements * Float.BYTES), rows, cols, ld);
    }

    /** A new matrix owned by {@code arena}, filled from a row-major array of {@code rows·cols} values. */
    public static FloatMatrix of(Arena arena, int rows, int cols, float... values) {
        if (values.length != (long) rows * cols) {
            throw new IllegalArgumentException("FloatMatrix.of: " + values.length + " values given for a "
                    + rows + "×" + cols + " matrix (needs " + (long) rows * cols + ")");
        }
        FloatMatrix m = allocate(arena, rows, cols);
        MemorySegment.copy(values, 0, m.segment, FLOAT, 0, values.length);
        return m;
    }

    /**
     * Wraps existing memory (no copy). The segment must hold at least
     * {@code (rows-1)·ld + cols} floats.
     */
    public static FloatMatrix wrap(MemorySegment segment, int rows, int cols, int ld) {
        Objects.requireNonNull(segment, "segment");
        checkShape(rows, cols, ld);
        long need = storageElements(rows, cols, ld) * Float.BYTES;
        if (segment.byteSize() < need) {
            throw new IllegalArgumentException("FloatMatrix.wrap: segment of " + segment.byteSize()
                    + " bytes is too small for a " + rows + "×" + cols + " matrix with ld " + ld
                    + " (needs " + need + " bytes)");
        }
        return new FloatMatrix(segment.asSlice(0, need), rows, cols, ld);
    }

    private static void checkShape(int rows, int cols, int ld) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("matrix shape must be non-negative, got " + rows + "×" + cols);
        }
        if (ld < cols || ld < 1 && rows > 0) {
            throw new IllegalArgumentException("leading dimension " + ld + " is smaller than the "
                    + cols + " columns of a " + rows + "×" + cols + " matrix");
        }
    }

    private static long storageElements(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    /** Number of rows. */
    public int rows() { return rows; }

    /** Number of columns. */
    public int cols() { return cols; }

    /** Leading dimension: floats between the starts of consecutive rows. */
    public int ld() { return ld; }

    /** Number of elements, {@code rows·cols}. */
    public long size() { return (long) rows * cols; }

    /** The memory, starting at element (0, 0). */
    public MemorySegment segment() { return segment; }

    /** True when the rows follow each other with no gap ({@code ld == cols} or a single row). */
    public boolean isContiguous() { return ld == cols || rows <= 1; }

    /** Float index of element (r, c) within {@link #segment()}. */
    public long index(int r, int c) { return (long) r * ld + c; }

    /** Element (r, c); an index outside the matrix is an {@link IndexOutOfBoundsException}. */
    public float get(int r, int c) {
        checkIndex(r, c);
        return segment.getAtIndex(FLOAT, (long) r * ld + c);
    }

    /** Sets element (r, c) to {@code v}; an index outside the matrix is an {@link IndexOutOfBoundsException}. */
    public void set(int r, int c, float v) {
        checkIndex(r, c);
        segment.setAtIndex(FLOAT, (long) r * ld + c, v);
    }

    private void checkIndex(int r, int c) {
        if (r < 0 || r >= rows || c < 0 || c >= cols) {
            throw new IndexOutOfBoundsException("element (" + r + ", " + c + ") is outside a "
                    + rows + "×" + cols + " matrix");
        }
    }

    /** The {@code nr × nc} sub-matrix whose top-left corner is (r0, c0); shares memory. */
    public FloatMatrix view(int r0, int c0, int nr, int nc) {
        if (r0 < 0 || c0 < 0 || nr < 0 || nc < 0 || (long) r0 + nr > rows || (long) c0 + nc > cols) {
            throw new IndexOutOfBoundsException("view [" + r0 + ".." + ((long) r0 + nr) + ") × ["
                    + c0 + ".." + ((long) c0 + nc) + ") is outside a " + rows + "×" + cols + " matrix");
        }
        if (nr == 0 || nc == 0) {
            return new FloatMatrix(segment.asSlice(0, 0), nr, nc, ld);
        }
        long start = ((long) r0 * ld + c0) * Float.BYTES;
        long len = storageElements(nr, nc, ld) * Float.BYTES;
        return new FloatMatrix(segment.asSlice(start, len), nr, nc, ld);
    }

    /** Rows {@code [r0, r0+nr)}, all columns; shares memory. */
    public FloatMatrix rowRange(int r0, int nr) {
        return view(r0, 0, nr, cols);
    }

    /**
     * The same contiguous memory seen with another shape ({@code rows·cols} must not change).
     * Only for contiguous matrices.
     */
    public FloatMatrix reshape(int newRows, int newCols) {
        if (!isContiguous()) {
            throw new IllegalStateException("reshape needs a contiguous matrix; this " + rows + "×" + cols
                    + " view has ld " + ld);
        }
        if ((long) newRows * newCols != size()) {
            throw new IllegalArgumentException("cannot reshape " + rows + "×" + cols + " (" + size()
                    + " elements) to " + newRows + "×" + newCols);
        }
        return new FloatMatrix(segment, newRows, newCols, Math.max(newCols, 1));
    }

    /** Sets every element to {@code v}. */
    public void fill(float v) {
        if (isContiguous()) {
            if (v == 0f) {
                segment.fill((byte) 0);
            } else {
                for (long i = 0, n = size(); i < n; i++) segment.setAtIndex(FLOAT, i, v);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            long base = (long) r * ld;
            for (int c = 0; c < cols; c++) segment.setAtIndex(FLOAT, base + c, v);
        }
    }

    /** Copies {@code src} (same shape) into this matrix. */
    public void copyFrom(FloatMatrix src) {
        requireSameShape("copyFrom", src);
        if (size() == 0) return;
        if (isContiguous() && src.isContiguous()) {
            MemorySegment.copy(src.segment, 0, segment, 0, size() * Float.BYTES);
            return;
        }
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(src.segment, (long) r * src.ld * Float.BYTES,
                    segment, (long) r * ld * Float.BYTES, (long) cols * Float.BYTES);
        }
    }

    /** Copies a row-major array of {@code rows·cols} values into this matrix. */
    public void copyFrom(float[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException("copyFrom: " + values.length + " values for a " + rows + "×"
                    + cols + " matrix");
        }
        if (values.length == 0) return;
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(values, r * cols, segment, FLOAT, (long) r * ld * Float.BYTES, cols);
        }
    }

    /** The elements as a new row-major array of {@code rows·cols} values. */
    public float[] toArray() {
        float[] out = new float[Math.toIntExact(size())];
        if (out.length == 0) return out;
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(segment, FLOAT, (long) r * ld * Float.BYTES, out, r * cols, cols);
        }
        return out;
    }

    /** Throws a clear error unless {@code other} has this matrix's shape. */
    public void requireSameShape(String what, FloatMatrix other) {
        if (other.rows != rows || other.cols != cols) {
            throw new IllegalArgumentException(what + ": shape " + other.rows + "×" + other.cols
                    + " does not match " + rows + "×" + cols);
        }
    }

    /** Throws a clear error unless this matrix is {@code rows × cols}. */
    public FloatMatrix requireShape(String what, int rows, int cols) {
        if (this.rows != rows || this.cols != cols) {
            throw new IllegalArgumentException(what + " must be " + rows + "×" + cols + ", got "
                    + this.rows + "×" + this.cols);
        }
        return this;
    }

    @Override
    public String toString() {
        return "FloatMatrix[" + rows + "×" + cols + (ld != cols ? ", ld=" + ld : "") + "]";
    }
}
