package dev.recur.layers.rnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Steps past a sequence's end neither change its state nor receive gradient: padding content is
 * invisible, and a sequence gives the same result alone as in a batch of other lengths (both
 * directions, two layers).
 */
class MaskingTest {
    private static final int[] LENGTHS = {6, 4, 4, 1, 0};
    private static final int STEPS = 7, IN = 3, H = 5;

    private static RecurrentConfig config(CellType cell) {
        return RecurrentConfig.of(cell, IN, H).withLayers(2).withBidirectional(DirectionMerge.CONCAT).withSeed(5);
    }

    /** Everything a forward + backward produces, as arrays. */
    private record Result(float[] out, float[] hN, float[] cN, float[] dx, float[] dh0, float[][] grads) {}

    private static Result run(RecurrentLayer layer, FloatMatrix x, int batch, int[] lengths, FloatMatrix h0,
                              FloatMatrix dOut, FloatMatrix dhN) {
        layer.zeroGrad();
        boolean lstm = layer.config().cell().hasCellState();
        float[] out = layer.forward(x, batch, lengths, h0, null, true).toArray();
        float[] hN = layer.finalHidden().toArray();
        float[] cN = lstm ? layer.finalCell().toArray() : new float[0];
        float[] dx = layer.backward(dOut, dhN, null).toArray();
        float[][] grads = layer.parameters().stream().map(p -> p.grad().toArray()).toArray(float[][]::new);
        return new Result(out, hN, cN, dx, layer.gradInitialHidden().toArray(), grads);
    }

    private static void fill(FloatMatrix m, Random rnd, int batch, int[] lengths, boolean paddingOnly) {
        for (int r = 0; r < m.rows(); r++) {
            boolean padding = r / batch >= lengths[r % batch];
            if (paddingOnly && !padding) continue;
            for (int c = 0; c < m.cols(); c++) m.set(r, c, (float) rnd.nextGaussian());
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void paddingContentNeverChangesOutputsOrGradients(CellType cell) {
        int b = LENGTHS.length;
        try (Arena arena = Arena.ofShared(); RecurrentLayer layer = new RecurrentLayer("m.", config(cell), STEPS, b)) {
            Random rnd = new Random(1);
            FloatMatrix x = FloatMatrix.allocate(arena, STEPS * b, IN);
            FloatMatrix dOut = FloatMatrix.allocate(arena, STEPS * b, layer.outputSize());
            FloatMatrix h0 = GradientCheckTest.random(arena, 4 * b, H, rnd);
            FloatMatrix dhN = GradientCheckTest.random(arena, 4 * b, H, rnd);
            fill(x, rnd, b, LENGTHS, false);
            fill(dOut, rnd, b, LENGTHS, false);
            Result first = run(layer, x, b, LENGTHS, h0, dOut, dhN);
            fill(x, new Random(99), b, LENGTHS, true);      // other padding, same real data
            fill(dOut, new Random(98), b, LENGTHS, true);
            Result second = run(layer, x, b, LENGTHS, h0, dOut, dhN);
            assertArrayEquals(first.out, second.out, "outputs");
            assertArrayEquals(first.hN, second.hN, "final hidden state");
            assertArrayEquals(first.cN, second.cN, "final cell state");
            assertArrayEquals(first.dx, second.dx, "input gradient");
            assertArrayEquals(first.dh0, second.dh0, "initial-state gradient");
            for (int i = 0; i < first.grads.length; i++) {
                assertArrayEquals(first.grads[i], second.grads[i], 1e-6f, layer.parameters().get(i).name());
            }
            // padding outputs are zero, padding input rows get zero gradient
            for (int r = 0; r < STEPS * b; r++) {
                if (r / b < LENGTHS[r % b]) continue;
                for (int c = 0; c < layer.outputSize(); c++) assertEquals(0f, first.out[r * layer.outputSize() + c]);
                for (int c = 0; c < IN; c++) assertEquals(0f, first.dx[r * IN + c]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void aSequenceGivesTheSameResultAloneAsInABatch(CellType cell) {
        int b = LENGTHS.length;
        Random rnd = new Random(2);
        try (Arena arena = Arena.ofShared();
             RecurrentLayer batched = new RecurrentLayer("m.", config(cell), STEPS, b);
             RecurrentLayer alone = new RecurrentLayer("m.", config(cell), STEPS, 1)) {
            int outW = batched.outputSize();
            FloatMatrix x = FloatMatrix.allocate(arena, STEPS * b, IN);
            FloatMatrix dOut = FloatMatrix.allocate(arena, STEPS * b, outW);
            fill(x, rnd, b, LENGTHS, false);
            fill(dOut, rnd, b, LENGTHS, false);
            FloatMatrix h0 = GradientCheckTest.random(arena, 4 * b, H, rnd);
            Result all = run(batched, x, b, LENGTHS, h0, dOut, null);
            float[][] gradSum = new float[all.grads.length][];
            for (int i = 0; i < gradSum.length; i++) gradSum[i] = new float[all.grads[i].length];
            for (int s = 0; s < b; s++) {
                int len = LENGTHS[s], steps = Math.max(len, 1);
                FloatMatrix xs = FloatMatrix.allocate(arena, steps, IN);
                FloatMatrix ds = FloatMatrix.allocate(arena, steps, outW);
                FloatMatrix hs = FloatMatrix.allocate(arena, 4, H);
                for (int t = 0; t < len; t++) {
                    for (int c = 0; c < IN; c++) xs.set(t, c, x.get(t * b + s, c));
                    for (int c = 0; c < outW; c++) ds.set(t, c, dOut.get(t * b + s, c));
                }
                for (int k = 0; k < 4; k++) for (int c = 0; c < H; c++) hs.set(k, c, h0.get(k * b + s, c));
                Result one = run(alone, xs, 1, new int[] {len}, hs, ds, null);
                for (int t = 0; t < len; t++) {
                    for (int c = 0; c < outW; c++) {
                        assertEquals(all.out[(t * b + s) * outW + c], one.out[t * outW + c], 1e-6f, "output");
                    }
                    for (int c = 0; c < IN; c++) {
                        assertEquals(all.dx[(t * b + s) * IN + c], one.dx[t * IN + c], 1e-6f, "input gradient");
                    }
                }
                for (int k = 0; k < 4; k++) {
                    for (int c = 0; c < H; c++) {
                        assertEquals(all.hN[(k * b + s) * H + c], one.hN[k * H + c], 1e-6f, "final state");
                        assertEquals(all.dh0[(k * b + s) * H + c], one.dh0[k * H + c], 1e-6f, "h0 gradient");
                    }
                }
                for (int i = 0; i < gradSum.length; i++) {
                    for (int j = 0; j < gradSum[i].length; j++) gradSum[i][j] += one.grads[i][j];
                }
            }
            // parameter gradients of the batch are the sum over its sequences
            for (int i = 0; i < gradSum.length; i++) {
                Parameter p = batched.parameters().get(i);
                assertArrayEquals(gradSum[i], all.grads[i], 2e-5f, p.name());
            }
        }
    }
}
