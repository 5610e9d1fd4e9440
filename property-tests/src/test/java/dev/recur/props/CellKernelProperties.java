package dev.recur.props;

import dev.recur.engine.cell.CellKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Every fused cell kernel (SIMD, chosen by {@link CellKernels#get()}) equals its scalar twin on
 * generated row counts, hidden sizes (1, odd, not a multiple of the lane count, several vectors),
 * value scales and leading dimensions of the output gradient. Buffers are filled from a seed, so a
 * counterexample shrinks to small sizes and a small scale.
 */
class CellKernelProperties {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final CellKernels simd = CellKernels.get();
    private final CellKernels scalar = CellKernels.scalar();

    /** n random buffers of the given sizes (floats), twice: [0] for the twin, [1] for SIMD. */
    private static MemorySegment[][] buffers(Arena arena, long seed, float scale, long... sizes) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MemorySegment[][] b = new MemorySegment[2][sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            b[0][i] = arena.allocate(Math.max(1, sizes[i]) * 4, 64);
            b[1][i] = arena.allocate(Math.max(1, sizes[i]) * 4, 64);
            for (long j = 0; j < sizes[i]; j++) b[0][i].setAtIndex(F, j, (float) (rnd.nextGaussian() * scale));
            b[1][i].copyFrom(b[0][i]);
        }
        return b;
    }

    /** Gate buffers as forward leaves them: activations in (−1, 1). */
    private static void squash(MemorySegment[][] b, int index) {
        for (MemorySegment[] side : b) {
            MemorySegment s = side[index];
            for (long j = 0; j < s.byteSize() / 4; j++) s.setAtIndex(F, j, (float) Math.tanh(s.getAtIndex(F, j)));
        }
    }

    private static boolean same(MemorySegment[][] b) {
        for (int i = 0; i < b[0].length; i++) {
            long n = b[0][i].byteSize() / 4;
            for (long j = 0; j < n; j++) {
                float x = b[0][i].getAtIndex(F, j), y = b[1][i].getAtIndex(F, j);
                if (!(Math.abs(x - y) <= 2e-6f * Math.max(1f, Math.abs(x)))) return false;
            }
        }
        return true;
    }

    @Property(tries = 120)
    boolean lstmMatchesTwin(@ForAll @IntRange(min = 1, max = 9) int rows, @ForAll @IntRange(min = 1, max = 70) int h,
                            @ForAll @FloatRange(min = 0.01f, max = 6f) float scale, @ForAll long seed,
                            @ForAll @IntRange(min = 0, max = 5) int extraLd) {
        long st = (long) rows * h;
        int ld = h + extraLd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[][] f = buffers(arena, seed, scale, st * 4, 4L * h, st, st, st);
            scalar.lstmForward(rows, h, f[0][0], 0, f[0][1], 0, f[0][2], 0, f[0][3], 0, f[0][4], 0);
            simd.lstmForward(rows, h, f[1][0], 0, f[1][1], 0, f[1][2], 0, f[1][3], 0, f[1][4], 0);
            if (!same(f)) return false;
            MemorySegment[][] b = buffers(arena, seed + 1, scale, st * 4, st, st, (long) rows * ld, st, st);
            squash(b, 0);
            scalar.lstmBackward(rows, h, b[0][0], 0, b[0][1], 0, b[0][2], 0, b[0][3], 0, ld, b[0][4], 0, b[0][5], 0);
            simd.lstmBackward(rows, h, b[1][0], 0, b[1][1], 0, b[1][2], 0, b[1][3], 0, ld, b[1][4], 0, b[1][5], 0);
            return same(b);
        }
    }

    @Property(tries = 120)
    boolean gruMatchesTwin(@ForAll @IntRange(min = 1, max = 9) int rows, @ForAll @IntRange(min = 1, max = 70) int h,
                           @ForAll @FloatRange(min = 0.01f, max = 6f) float scale, @ForAll long seed,
                           @ForAll @IntRange(min = 0, max = 5) int extraLd) {
        long st = (long) rows * h;
        int ld = h + extraLd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[][] f = buffers(arena, seed, scale, st * 3, st * 3, 3L * h, 3L * h, st, st);
            scalar.gruForward(rows, h, f[0][0], 0, f[0][1], 0, f[0][2], 0, f[0][3], 0, f[0][4], 0, f[0][5], 0);
            simd.gruForward(rows, h, f[1][0], 0, f[1][1], 0, f[1][2], 0, f[1][3], 0, f[1][4], 0, f[1][5], 0);
            if (!same(f)) return false;
            MemorySegment[][] b = buffers(arena, seed + 1, scale, st * 3, st * 3, st, (long) rows * ld, st);
            squash(b, 0);
            scalar.gruBackward(rows, h, b[0][0], 0, b[0][1], 0, b[0][2], 0, b[0][3], 0, ld, b[0][4], 0);
            simd.gruBackward(rows, h, b[1][0], 0, b[1][1], 0, b[1][2], 0, b[1][3], 0, ld, b[1][4], 0);
            return same(b);
        }
    }

    @Property(tries = 120)
    boolean rnnMatchesTwin(@ForAll @IntRange(min = 1, max = 9) int rows, @ForAll @IntRange(min = 1, max = 70) int h,
                           @ForAll @FloatRange(min = 0.01f, max = 6f) float scale, @ForAll long seed,
                           @ForAll boolean relu, @ForAll boolean withDOut) {
        long st = (long) rows * h;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[][] f = buffers(arena, seed, scale, st, h, st);
            scalar.rnnForward(rows, h, relu, f[0][0], 0, f[0][1], 0, f[0][2], 0);
            simd.rnnForward(rows, h, relu, f[1][0], 0, f[1][1], 0, f[1][2], 0);
            if (!same(f)) return false;
            MemorySegment[][] b = buffers(arena, seed + 1, scale, st, st, st, st);
            scalar.rnnBackward(rows, h, relu, b[0][0], 0, withDOut ? b[0][1] : null, 0, h, b[0][2], 0, b[0][3], 0);
            simd.rnnBackward(rows, h, relu, b[1][0], 0, withDOut ? b[1][1] : null, 0, h, b[1][2], 0, b[1][3], 0);
            return same(b);
        }
    }

    @Property(tries = 80)
    boolean columnSumsMatchTwin(@ForAll @IntRange(min = 1, max = 40) int rows, @ForAll @IntRange(min = 1, max = 200) int cols,
                                @ForAll long seed) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[][] b = buffers(arena, seed, 1f, (long) rows * cols, cols);
            scalar.addColumnSums(rows, cols, b[0][0], 0, cols, b[0][1], 0);
            simd.addColumnSums(rows, cols, b[1][0], 0, cols, b[1][1], 0);
            return same(b);
        }
    }
}
