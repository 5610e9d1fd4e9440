package dev.recur.layers.forecast;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.Gemm;
import dev.recur.engine.RowOps;
import dev.recur.engine.Transpose;
import dev.recur.engine.VectorOps;
import dev.recur.engine.cell.CellKernels;
import dev.recur.layers.Parameter;
import dev.recur.layers.RowViews;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * SegRNN's parallel decoder: one step of the encoder's GRU for every pair (horizon segment m,
 * sequence b), from the input {@code x[m, c] = [pos_emb[m], channel_emb[c]]} ({@code c = b mod C})
 * and the state {@code h0[b]} (the encoder's last state), PyTorch's GRU equations:
 * <pre>
 *   gx = W_ih x[m, c]      gh = W_hh h0[b]      (then r, z, n, h' as in GruStep)
 * </pre>
 * The input projection depends on (m, c) only and the state projection on b only, so both GEMMs
 * run on the distinct rows — M·C inputs and S states instead of M·S each — and their results are
 * copied to the M·S rows of the fused gate kernel; the backward pass sums the rows' gradients back
 * onto the distinct rows before its GEMMs (the chain rule through the copies). The same numbers
 * as one {@code GruStep} on the M·S expanded rows, up to the order of float sums.
 *
 * <p>Rows of the output are segment-major: row {@code m·S + b}. Uses the GRU layer's four
 * parameters and the two embeddings (accumulates into their gradients); lists none of its own.
 */
final class SegmentDecoder {
    private static final CellKernels CELLS = CellKernels.get();
    private final Parameter wIh, wHh, bIh, bHh, posEmb, channelEmb;
    private final int d, half, g, segments, channels;
    private final FloatMatrix inputs, gxDistinct, dInputs;
    private final RowViews ghDistinct, gx, gh, h0, dh;
    private FloatMatrix hn;
    private int seq;

    /**
     * @param weightIh {@code weight_ih_l0} (3d × d), {@code weightHh} (3d × d), {@code biasIh},
     *                 {@code biasHh} (1 × 3d) of the encoder's GRU
     * @param posEmb     {@code pos_emb} (M × d/2)
     * @param channelEmb {@code channel_emb} (C × d/2)
     */
    SegmentDecoder(Arena arena, Parameter weightIh, Parameter weightHh, Parameter biasIh, Parameter biasHh,
                   Parameter posEmb, Parameter channelEmb, int maxSequences) {
        wIh = weightIh;
        wHh = weightHh;
        bIh = biasIh;
        bHh = biasHh;
        this.posEmb = posEmb;
        this.channelEmb = channelEmb;
        d = weightHh.cols();
        half = d / 2;
        g = 3 * d;
        segments = posEmb.rows();
        channels = channelEmb.rows();
        if (weightIh.cols() != d || posEmb.cols() != half || channelEmb.cols() != half) {
            throw new IllegalArgumentException("SegRNN decoder needs input width d = " + d + " = 2 × embedding width, got "
                    + weightIh + ", " + posEmb + ", " + channelEmb);
        }
        int distinct = segments * channels, rows = segments * maxSequences;
        inputs = FloatMatrix.allocate(arena, distinct, d);
        dInputs = FloatMatrix.allocate(arena, distinct, d);
        gxDistinct = FloatMatrix.allocate(arena, distinct, g);
        ghDistinct = new RowViews(FloatMatrix.allocate(arena, maxSequences, g));
        gx = new RowViews(FloatMatrix.allocate(arena, rows, g));
        gh = new RowViews(FloatMatrix.allocate(arena, rows, g));
        h0 = new RowViews(FloatMatrix.allocate(arena, rows, d));
        dh = new RowViews(FloatMatrix.allocate(arena, rows, d));
    }

    /**
     * {@code out} (M·S × d, packed) = the decoder step of every (segment, sequence) from
     * {@code state} (S × d, packed; kept unchanged until backward).
     */
    void forward(FloatMatrix state, FloatMatrix out) {
        int s = state.rows(), rows = segments * s;
        out.requireShape("SegRNN decoder output", rows, d);
        seq = s;
        hn = state;
        for (int m = 0; m < segments; m++) {
            for (int c = 0; c < channels; c++) {
                int u = m * channels + c;
                RowOps.copyRows(posEmb.value().segment(), posEmb.value().index(m, 0), half, inputs.segment(), inputs.index(u, 0), d, 1, half);
                RowOps.copyRows(channelEmb.value().segment(), channelEmb.value().index(c, 0), half, inputs.segment(), inputs.index(u, half), d, 1, half);
            }
        }
        Gemm.sgemm(Transpose.N, Transpose.T, 1f, inputs, wIh.value(), 0f, gxDistinct);
        FloatMatrix ghS = ghDistinct.first(s), gxV = gx.first(rows), ghV = gh.first(rows), h0V = h0.first(rows);
        Gemm.sgemm(Transpose.N, Transpose.T, 1f, state, wHh.value(), 0f, ghS);
        for (int m = 0; m < segments; m++) {
            RowOps.copyRows(ghS.segment(), 0, g, ghV.segment(), ghV.index(m * s, 0), g, s, g);
            RowOps.copyRows(state.segment(), state.index(0, 0), d, h0V.segment(), h0V.index(m * s, 0), d, s, d);
            for (int b = 0; b < s; b++) {
                RowOps.copyRows(gxDistinct.segment(), gxDistinct.index(m * channels + b % channels, 0), g,
                        gxV.segment(), gxV.index(m * s + b, 0), g, 1, g);
            }
        }
        CELLS.gruForward(rows, d, gxV.segment(), 0, ghV.segment(), 0, bIh.value().segment(), bIh.value().index(0, 0),
                bHh.value().segment(), bHh.value().index(0, 0), h0V.segment(), 0, out.segment(), out.index(0, 0));
    }

    /**
     * Back-propagates {@code dOut} (M·S × d) through the last forward: accumulates the gradients of
     * the GRU's weights and biases and of both embeddings, and writes {@code dState} (S × d).
     */
    void backward(FloatMatrix dOut, FloatMatrix dState) {
        if (hn == null) throw new IllegalStateException("the SegRNN decoder has no forward to back-propagate");
        int s = seq, rows = segments * s;
        dOut.requireShape("SegRNN decoder output gradient", rows, d);
        dState.requireShape("SegRNN decoder state gradient", s, d);
        FloatMatrix dgx = gx.first(rows), dgh = gh.first(rows), h0V = h0.first(rows), dhV = dh.first(rows);
        dhV.copyFrom(dOut);
        CELLS.gruBackward(rows, d, dgx.segment(), 0, dgh.segment(), 0, h0V.segment(), 0, null, 0, 0, dhV.segment(), 0);
        // the input side: sum the rows of each (m, c), then W_ih, b_ih and the embeddings
        FloatMatrix dgxU = gxDistinct;
        dgxU.fill(0f);
        for (int m = 0; m < segments; m++) {
            for (int b = 0; b < s; b++) {
                VectorOps.axpy(1f, dgx.segment(), dgx.index(m * s + b, 0), dgxU.segment(), dgxU.index(m * channels + b % channels, 0), g);
            }
        }
        Gemm.sgemm(Transpose.T, Transpose.N, 1f, dgxU, inputs, 1f, wIh.grad());
        RowOps.addColumnSums(dgxU, bIh.grad());
        Gemm.sgemm(Transpose.N, Transpose.N, 1f, dgxU, wIh.value(), 0f, dInputs);
        for (int m = 0; m < segments; m++) {
            for (int c = 0; c < channels; c++) {
                int u = m * channels + c;
                VectorOps.axpy(1f, dInputs.segment(), dInputs.index(u, 0), posEmb.grad().segment(), posEmb.grad().index(m, 0), half);
                VectorOps.axpy(1f, dInputs.segment(), dInputs.index(u, half), channelEmb.grad().segment(), channelEmb.grad().index(c, 0), half);
            }
        }
        // the state side: sum each sequence's M rows, then W_hh, b_hh and the state
        FloatMatrix dghS = ghDistinct.first(s);
        RowOps.copyRows(dgh.segment(), 0, g, dghS.segment(), 0, g, s, g);
        RowOps.copyRows(dhV.segment(), 0, d, dState.segment(), dState.index(0, 0), dState.ld(), s, d);
        for (int m = 1; m < segments; m++) {
            VectorOps.axpy(1f, dgh.segment(), dgh.index(m * s, 0), dghS.segment(), 0, s * g);
            for (int b = 0; b < s; b++) {
                VectorOps.axpy(1f, dhV.segment(), dhV.index(m * s + b, 0), dState.segment(), dState.index(b, 0), d);
            }
        }
        Gemm.sgemm(Transpose.T, Transpose.N, 1f, dghS, hn, 1f, wHh.grad());
        RowOps.addColumnSums(dghS, bHh.grad());
        Gemm.sgemm(Transpose.N, Transpose.N, 1f, dghS, wHh.value(), 1f, dState);
        hn = null;
    }
}
