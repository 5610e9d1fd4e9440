package dev.recur.engine;

import static dev.recur.engine.FloatMatrix.FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * The scalar twin of {@link RowOps}. A matrix here is a segment, the float index {@code off} of
 * element (0, 0), a shape {@code rows × cols} and a leading dimension {@code ld}: element (r, c)
 * lives at {@code off + r·ld + c}.
 */
public final class ScalarRowOps implements RowOpsSupport {
    /** The one instance ({@link Kernels} hands it out; tests hold the twins to each other through it). */
    public static final ScalarRowOps INSTANCE = new ScalarRowOps();

    private ScalarRowOps() {}

    /** m[r][c] += v[c] for every row r (bias broadcast). */
    @Override
    public void addRowVector(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment v, long vOff) {
        for (int r = 0; r < rows; r++) {
            long row = mOff + (long) r * ld;
            for (int c = 0; c < cols; c++) {
                m.setAtIndex(FLOAT, row + c, m.getAtIndex(FLOAT, row + c) + v.getAtIndex(FLOAT, vOff + c));
            }
        }
    }

    /** acc[c] += m[0][c] + m[1][c] + … + m[rows−1][c], added in row order (bias gradient). */
    @Override
    public void addColumnSums(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment acc, long accOff) {
        for (int c = 0; c < cols; c++) {
            float sum = acc.getAtIndex(FLOAT, accOff + c);
            for (int r = 0; r < rows; r++) sum += m.getAtIndex(FLOAT, mOff + (long) r * ld + c);
            acc.setAtIndex(FLOAT, accOff + c, sum);
        }
    }

    /**
     * max[c] = the largest of m[r][c] over r &lt; rows, argmax[c] = the first r that holds it; a NaN
     * beats every number and the first NaN stays (rows ≥ 1). Row by row, columns inner.
     */
    @Override
    public void maxOverRows(MemorySegment m, long mOff, int rows, int cols, int ld, MemorySegment max, long maxOff,
                            int[] argmax, int argOff) {
        for (int c = 0; c < cols; c++) {
            max.setAtIndex(FLOAT, maxOff + c, m.getAtIndex(FLOAT, mOff + c));
            argmax[argOff + c] = 0;
        }
        for (int r = 1; r < rows; r++) {
            long row = mOff + (long) r * ld;
            for (int c = 0; c < cols; c++) {
                float v = m.getAtIndex(FLOAT, row + c), best = max.getAtIndex(FLOAT, maxOff + c);
                if (v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                    max.setAtIndex(FLOAT, maxOff + c, v);
                    argmax[argOff + c] = r;
                }
            }
        }
    }

    /** y[r][c] = e^(x[r][c] − max_r) / Σ_c' e^(x[r][c'] − max_r), row by row. */
    @Override
    public void softmaxRows(MemorySegment x, long xOff, int ldx, int rows, int cols,
                                   MemorySegment y, long yOff, int ldy) {
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * ldx, yr = yOff + (long) r * ldy;
            float max = rowMax(x, xr, cols);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.exp((double) x.getAtIndex(FLOAT, xr + c) - max);
            for (int c = 0; c < cols; c++) {
                y.setAtIndex(FLOAT, yr + c, (float) (Math.exp((double) x.getAtIndex(FLOAT, xr + c) - max) / sum));
            }
        }
    }

    /** y[r][c] = x[r][c] − max_r − log Σ_c' e^(x[r][c'] − max_r), row by row. */
    @Override
    public void logSoftmaxRows(MemorySegment x, long xOff, int ldx, int rows, int cols,
                                      MemorySegment y, long yOff, int ldy) {
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * ldx, yr = yOff + (long) r * ldy;
            float max = rowMax(x, xr, cols);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.exp((double) x.getAtIndex(FLOAT, xr + c) - max);
            double logSum = Math.log(sum);
            for (int c = 0; c < cols; c++) {
                y.setAtIndex(FLOAT, yr + c, (float) ((double) x.getAtIndex(FLOAT, xr + c) - max - logSum));
            }
        }
    }

    private static float rowMax(MemorySegment x, long xr, int cols) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < cols; c++) max = Math.max(max, x.getAtIndex(FLOAT, xr + c));
        return max;
    }

    /** dst[c][r] += src[r][c]: dst (cols × rows, leading dimension ldDst) += srcᵀ (src rows × cols). */
    @Override
    public void addTransposed(MemorySegment src, long srcOff, int rows, int cols, int ldSrc,
                                     MemorySegment dst, long dstOff, int ldDst) {
        for (int c = 0; c < cols; c++) {
            for (int r = 0; r < rows; r++) {
                long d = dstOff + (long) c * ldDst + r;
                dst.setAtIndex(FLOAT, d, dst.getAtIndex(FLOAT, d) + src.getAtIndex(FLOAT, srcOff + (long) r * ldSrc + c));
            }
        }
    }
}
