package dev.recur.layers.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.GruStep;
import dev.recur.layers.Init;
import dev.recur.layers.Parameter;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The decoder on distinct rows is one {@link GruStep} on the S·M expanded rows (input
 * {@code [pos_emb[m], channel_emb[b mod C]]}, state {@code h0[b]}): the same output, the same
 * parameter gradients and the same state gradient (summed over the segments), up to float rounding.
 */
class SegmentDecoderTest {
    static final int D = 8, M = 3, C = 2, S = 5;   // S not a multiple of C: the last window is cut short

    @Test
    void isAGruStepOnTheExpandedRows() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom rng = new SplittableRandom(7);
            Parameter wIh = param(arena, "w_ih", 3 * D, D, rng), wHh = param(arena, "w_hh", 3 * D, D, rng),
                    bIh = param(arena, "b_ih", 1, 3 * D, rng), bHh = param(arena, "b_hh", 1, 3 * D, rng),
                    pos = param(arena, "pos_emb", M, D / 2, rng), chan = param(arena, "channel_emb", C, D / 2, rng);
            FloatMatrix h0 = random(arena, S, D, rng), dOut = random(arena, M * S, D, rng);

            SegmentDecoder decoder = new SegmentDecoder(arena, wIh, wHh, bIh, bHh, pos, chan, S);
            FloatMatrix out = FloatMatrix.allocate(arena, M * S, D), dState = FloatMatrix.allocate(arena, S, D);
            decoder.forward(h0, out);
            decoder.backward(dOut, dState);
            float[][] grads = {wIh.grad().toArray(), wHh.grad().toArray(), bIh.grad().toArray(), bHh.grad().toArray(),
                pos.grad().toArray(), chan.grad().toArray()};
            for (Parameter p : new Parameter[] {wIh, wHh, bIh, bHh, pos, chan}) p.grad().fill(0f);

            // the reference: every (m, b) row spelled out, rows m·S + b
            FloatMatrix x = FloatMatrix.allocate(arena, M * S, D), h0x = FloatMatrix.allocate(arena, M * S, D);
            for (int m = 0; m < M; m++) {
                for (int b = 0; b < S; b++) {
                    int row = m * S + b;
                    for (int k = 0; k < D / 2; k++) {
                        x.set(row, k, pos.value().get(m, k));
                        x.set(row, D / 2 + k, chan.value().get(b % C, k));
                    }
                    for (int k = 0; k < D; k++) h0x.set(row, k, h0.get(b, k));
                }
            }
            GruStep step = new GruStep(arena, wIh, wHh, bIh, bHh, M * S);
            FloatMatrix ref = FloatMatrix.allocate(arena, M * S, D), dx = FloatMatrix.allocate(arena, M * S, D),
                    dh0x = FloatMatrix.allocate(arena, M * S, D);
            step.forward(x, h0x, ref);
            step.backward(dOut, dx, dh0x);
            float[] posRef = new float[M * D / 2], chanRef = new float[C * D / 2], dStateRef = new float[S * D];
            for (int m = 0; m < M; m++) {
                for (int b = 0; b < S; b++) {
                    int row = m * S + b;
                    for (int k = 0; k < D / 2; k++) {
                        posRef[m * D / 2 + k] += dx.get(row, k);
                        chanRef[(b % C) * D / 2 + k] += dx.get(row, D / 2 + k);
                    }
                    for (int k = 0; k < D; k++) dStateRef[b * D + k] += dh0x.get(row, k);
                }
            }
            assertClose("output", ref.toArray(), out.toArray());
            assertClose("d weight_ih", wIh.grad().toArray(), grads[0]);
            assertClose("d weight_hh", wHh.grad().toArray(), grads[1]);
            assertClose("d bias_ih", bIh.grad().toArray(), grads[2]);
            assertClose("d bias_hh", bHh.grad().toArray(), grads[3]);
            assertClose("d pos_emb", posRef, grads[4]);
            assertClose("d channel_emb", chanRef, grads[5]);
            assertClose("d state", dStateRef, dState.toArray());
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5f * Math.max(1f, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }

    private static Parameter param(Arena arena, String name, int rows, int cols, SplittableRandom rng) {
        return new Parameter(name, random(arena, rows, cols, rng), FloatMatrix.allocate(arena, rows, cols));
    }

    private static FloatMatrix random(Arena arena, int rows, int cols, SplittableRandom rng) {
        FloatMatrix m = FloatMatrix.allocate(arena, rows, cols);
        Init.normal(m, 0.5f, rng);
        return m;
    }
}
