package dev.recur.layers.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Gradients that decay backwards through many steps (loss on the last step only, small weights)
 * reach the subnormal range after a few dozen steps; the backward kernels keep them out, so no
 * gradient the layer produces is subnormal and the early steps' gradients are exactly 0.
 */
class SubnormalTest {

    @ParameterizedTest
    @EnumSource(CellType.class)
    void decayingGradientsNeverBecomeSubnormal(CellType cell) {
        int steps = 120, batch = 4, in = 8, h = 16;
        try (Arena arena = Arena.ofShared();
             RecurrentLayer l = new RecurrentLayer("s.", RecurrentConfig.of(cell, in, h).withSeed(1), steps, batch)) {
            // shrink every weight: each step multiplies the back-propagated gradient by ~0.05
            for (var p : l.parameters()) {
                FloatMatrix v = p.value();
                for (int r = 0; r < v.rows(); r++) for (int c = 0; c < v.cols(); c++) v.set(r, c, v.get(r, c) * 0.2f);
            }
            if (cell == CellType.LSTM) {
                FloatMatrix b = l.parameter("s.bias_ih_l0").value();
                for (int j = h; j < 2 * h; j++) b.set(0, j, -6f); // forget gate ≈ 0: dc decays fast too
            }
            FloatMatrix x = GradientCheckTest.random(arena, steps * batch, in, new Random(1));
            FloatMatrix dOut = FloatMatrix.allocate(arena, steps * batch, h);
            for (int b = 0; b < batch; b++) for (int j = 0; j < h; j++) dOut.set((steps - 1) * batch + b, j, 1f);
            l.forward(x, batch, null, null, null, true);
            float[] dx = l.backward(dOut, null, null).toArray();
            int subnormals = 0;
            for (float v : dx) if (v != 0f && Math.abs(v) < Float.MIN_NORMAL) subnormals++;
            for (float v : l.gradInitialHidden().toArray()) if (v != 0f && Math.abs(v) < Float.MIN_NORMAL) subnormals++;
            for (var p : l.parameters()) {
                for (float v : p.grad().toArray()) if (v != 0f && Math.abs(v) < Float.MIN_NORMAL) subnormals++;
            }
            assertEquals(0, subnormals, "subnormal gradients");
            // the decay really happened: the last step has gradient, the first steps none at all
            boolean lastNonZero = false, firstAllZero = true;
            for (int j = 0; j < batch * in; j++) {
                lastNonZero |= dx[(steps - 1) * batch * in + j] != 0f;
                firstAllZero &= dx[j] == 0f;
            }
            assertTrue(lastNonZero, "the last step gets gradient");
            assertTrue(firstAllZero, "the first step's gradient decayed to exactly 0");
        }
    }
}
