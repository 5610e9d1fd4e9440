package dev.recur.engine.gemm;

import dev.recur.engine.Simd;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernels and the store of their tile into C.
 *
 * <p>{@code tile[r][j] = Σ_p Ap[r][p] · Bp[p][j]} (p in order, one fused multiply-add per step)
 * for an MR × NR tile, MR = 12 ({@link #multiply12}, {@link #multiplyRows12}), 8 ({@link
 * #multiply8}, {@link #multiplyRows8}) or 4 ({@link #multiply4}, {@link #multiplyRows4}: the
 * tile for 16 vector registers, AVX2), where {@code Ap} is a packed MR-row micro-panel of A and
 * {@code Bp} a packed NR-column micro-panel of B (NR = two vectors per k step). Per k step: two
 * vector loads of B, MR broadcasts of A (folded into memory operands), 2·MR fused multiply-adds
 * into 2·MR vector accumulators. No branch but the loop: edges are zero-padded by the packing and
 * clipped by {@link #store}. Every element is the same sum in the same order in every kernel,
 * so which tile covers a row never changes its bits.
 */
final class MicroKernel {
    private MicroKernel() {}

    static final VectorSpecies<Float> S = Simd.F;
    static final int L = Simd.LANES;
    /**
     * Columns of the register tile ({@link Blocking#NR}: two vectors, or three with the 8 × 3
     * tile); the row stride of packed B and of the tile buffer in every kernel.
     */
    static final int NR = Blocking.NR;
    /** Whether the tile is three vectors wide ({@link #multiply8x3}, {@link #multiplyRows8x3}). */
    static final boolean WIDE = Blocking.NR_VECTORS == 3;
    /** Row stride of a strip packed by rows. */
    static final int KC = Blocking.KC;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    static {
        int tall = Blocking.MR_TALL, shortRows = Blocking.MR_SHORT;
        if (!(tall == 12 || tall == 8 || tall == 4) || !(shortRows == 8 || shortRows == 4))
            throw new AssertionError("MicroKernel has kernels of 12, 8 and 4 rows, not " + tall + " and " + shortRows);
        if (NR != Blocking.NR_VECTORS * L) throw new AssertionError("NR must be whole vectors of the species in use");
    }

    /** 12-row tile = Ap·Bp over {@code kc} steps, A packed by k steps (12 floats per step at {@code a[ai..]}), Bp at {@code b[bi..]}. */
    static void multiply12(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector ca0 = FloatVector.zero(S), ca1 = FloatVector.zero(S);
        FloatVector cb0 = FloatVector.zero(S), cb1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ap = ai + p * 12, bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ap]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ap + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ap + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(S, a[ap + 8]); c80 = x.fma(b0, c80); c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(S, a[ap + 9]); c90 = x.fma(b0, c90); c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(S, a[ap + 10]); ca0 = x.fma(b0, ca0); ca1 = x.fma(b1, ca1);
            x = FloatVector.broadcast(S, a[ap + 11]); cb0 = x.fma(b0, cb0); cb1 = x.fma(b1, cb1);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR); c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR); c91.intoArray(tile, 9 * NR + L);
        ca0.intoArray(tile, 10 * NR); ca1.intoArray(tile, 10 * NR + L);
        cb0.intoArray(tile, 11 * NR); cb1.intoArray(tile, 11 * NR + L);
    }

    /**
     * 12-row tile with A packed by rows: row r of the strip is {@code a[ai + r·KC ..]} (op(A) = A:
     * rows copy straight in). The constant row stride lets C2 address all rows from one index
     * (a per-row base register each spilled and cost ~10 %).
     */
    static void multiplyRows12(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector ca0 = FloatVector.zero(S), ca1 = FloatVector.zero(S);
        FloatVector cb0 = FloatVector.zero(S), cb1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ap = ai + p, bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ap]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1 * KC]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2 * KC]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3 * KC]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4 * KC]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5 * KC]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ap + 6 * KC]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ap + 7 * KC]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(S, a[ap + 8 * KC]); c80 = x.fma(b0, c80); c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(S, a[ap + 9 * KC]); c90 = x.fma(b0, c90); c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(S, a[ap + 10 * KC]); ca0 = x.fma(b0, ca0); ca1 = x.fma(b1, ca1);
            x = FloatVector.broadcast(S, a[ap + 11 * KC]); cb0 = x.fma(b0, cb0); cb1 = x.fma(b1, cb1);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR); c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR); c91.intoArray(tile, 9 * NR + L);
        ca0.intoArray(tile, 10 * NR); ca1.intoArray(tile, 10 * NR + L);
        cb0.intoArray(tile, 11 * NR); cb1.intoArray(tile, 11 * NR + L);
    }

    /** 8-row tile = Ap·Bp, A packed by k steps (8 floats per step). */
    static void multiply8(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ap = ai + p * 8, bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ap]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ap + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ap + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L);
    }

    /** 8-row tile with A packed by rows. */
    static void multiplyRows8(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ap = ai + p, bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ap]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1 * KC]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2 * KC]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3 * KC]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4 * KC]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5 * KC]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ap + 6 * KC]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ap + 7 * KC]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L);
    }

    /** 4-row tile = Ap·Bp, A packed by k steps (4 floats per step). */
    static void multiply4(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ap = ai + p * 4, bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ap]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
    }

    /** 4-row tile with A packed by rows (row r at {@code a[ai + r·KC ..]}). */
    static void multiplyRows4(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ap = ai + p, bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ap]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1 * KC]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2 * KC]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3 * KC]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
    }

    /**
     * 8-row × 3-vector tile = Ap·Bp, A packed by k steps (8 floats per step): 24 accumulators,
     * three vector loads of B and 8 broadcasts of A per k step for 24 FMAs (the 2-vector tiles
     * need 14 or 10 loads per 24 or 16).
     */
    static void multiply8x3(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c62 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S), c72 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ap = ai + p * 8, bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ap]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, a[ap + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, a[ap + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, a[ap + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(S, a[ap + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(S, a[ap + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(S, a[ap + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61); c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(S, a[ap + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71); c72 = x.fma(b2, c72);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L); c02.intoArray(tile, 0 * NR + 2 * L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L); c12.intoArray(tile, 1 * NR + 2 * L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L); c22.intoArray(tile, 2 * NR + 2 * L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L); c32.intoArray(tile, 3 * NR + 2 * L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L); c42.intoArray(tile, 4 * NR + 2 * L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L); c52.intoArray(tile, 5 * NR + 2 * L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L); c62.intoArray(tile, 6 * NR + 2 * L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L); c72.intoArray(tile, 7 * NR + 2 * L);
    }

    /** 8-row × 3-vector tile with A packed by rows (row r at {@code a[ai + r·KC ..]}), as {@link #multiplyRows12}. */
    static void multiplyRows8x3(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c62 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S), c72 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ap = ai + p, bp = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ap]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, a[ap + 1 * KC]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, a[ap + 2 * KC]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, a[ap + 3 * KC]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(S, a[ap + 4 * KC]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(S, a[ap + 5 * KC]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(S, a[ap + 6 * KC]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61); c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(S, a[ap + 7 * KC]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71); c72 = x.fma(b2, c72);
        }
        c00.intoArray(tile, 0 * NR); c01.intoArray(tile, 0 * NR + L); c02.intoArray(tile, 0 * NR + 2 * L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L); c12.intoArray(tile, 1 * NR + 2 * L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L); c22.intoArray(tile, 2 * NR + 2 * L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L); c32.intoArray(tile, 3 * NR + 2 * L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L); c42.intoArray(tile, 4 * NR + 2 * L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L); c52.intoArray(tile, 5 * NR + 2 * L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L); c62.intoArray(tile, 6 * NR + 2 * L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L); c72.intoArray(tile, 7 * NR + 2 * L);
    }

    /**
     * {@code C[r][j] = alpha·tile[r][j] + beta·C[r][j]} for r < rows, j < cols (rows ≤ MR,
     * cols ≤ NR); C element (r, j) at float index {@code c0 + r·ldc + j}. beta = 0 never reads C.
     */
    static void store(float[] tile, int rows, int cols, float alpha, float beta,
                      MemorySegment c, long c0, int ldc) {
        if (cols == NR) {
            storeFull(tile, rows, alpha, beta, c, c0, ldc);
            return;
        }
        VectorMask<Float> m0 = S.indexInRange(0, cols);
        VectorMask<Float> m1 = S.indexInRange(L, cols);
        VectorMask<Float> m2 = S.indexInRange(2 * L, cols);
        for (int r = 0; r < rows; r++) {
            long off = (c0 + (long) r * ldc) * Float.BYTES;
            long off1 = off + (long) L * Float.BYTES;
            FloatVector t0 = FloatVector.fromArray(S, tile, r * NR).mul(alpha);
            FloatVector t1 = FloatVector.fromArray(S, tile, r * NR + L).mul(alpha);
            if (beta != 0f) {
                FloatVector vb = FloatVector.broadcast(S, beta);
                t0 = FloatVector.fromMemorySegment(S, c, off, ORDER, m0).fma(vb, t0);
                t1 = FloatVector.fromMemorySegment(S, c, off1, ORDER, m1).fma(vb, t1);
            }
            t0.intoMemorySegment(c, off, ORDER, m0);
            t1.intoMemorySegment(c, off1, ORDER, m1);
            if (WIDE) {
                long off2 = off + 2L * L * Float.BYTES;
                FloatVector t2 = FloatVector.fromArray(S, tile, r * NR + 2 * L).mul(alpha);
                if (beta != 0f) t2 = FloatVector.fromMemorySegment(S, c, off2, ORDER, m2).fma(FloatVector.broadcast(S, beta), t2);
                t2.intoMemorySegment(c, off2, ORDER, m2);
            }
        }
    }

    /**
     * {@link #store} of a tile whose NR columns all lie inside C (every tile but those of the last
     * column strip): the same arithmetic with plain loads and stores (masked ones are dearer,
     * notably on AVX2).
     */
    private static void storeFull(float[] tile, int rows, float alpha, float beta,
                                  MemorySegment c, long c0, int ldc) {
        for (int r = 0; r < rows; r++) {
            long off = (c0 + (long) r * ldc) * Float.BYTES;
            long off1 = off + (long) L * Float.BYTES;
            FloatVector t0 = FloatVector.fromArray(S, tile, r * NR).mul(alpha);
            FloatVector t1 = FloatVector.fromArray(S, tile, r * NR + L).mul(alpha);
            if (beta != 0f) {
                FloatVector vb = FloatVector.broadcast(S, beta);
                t0 = FloatVector.fromMemorySegment(S, c, off, ORDER).fma(vb, t0);
                t1 = FloatVector.fromMemorySegment(S, c, off1, ORDER).fma(vb, t1);
            }
            t0.intoMemorySegment(c, off, ORDER);
            t1.intoMemorySegment(c, off1, ORDER);
            if (WIDE) {
                long off2 = off + 2L * L * Float.BYTES;
                FloatVector t2 = FloatVector.fromArray(S, tile, r * NR + 2 * L).mul(alpha);
                if (beta != 0f) t2 = FloatVector.fromMemorySegment(S, c, off2, ORDER).fma(FloatVector.broadcast(S, beta), t2);
                t2.intoMemorySegment(c, off2, ORDER);
            }
        }
    }
}
