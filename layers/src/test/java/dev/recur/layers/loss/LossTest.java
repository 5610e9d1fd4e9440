package dev.recur.layers.loss;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class LossTest {

    @Test
    void bceWithLogitsMatchesHandComputedValuesAndIsStable() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.of(a, 3, 1, 0f, 2f, -1f);
            FloatMatrix d = FloatMatrix.allocate(a, 3, 1);
            float loss = BceWithLogitsLoss.forward(x, new float[] {1, 0, 0}, 3, d);
            // −log σ(0) = log 2; −log(1−σ(2)) = 2 + log(1+e^−2); −log(1−σ(−1)) = log(1+e^−1)
            double expect = (Math.log(2) + 2 + Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 3;
            assertEquals(expect, loss, 1e-6);
            assertEquals((0.5 - 1) / 3, d.get(0, 0), 1e-7);
            assertEquals(1 / (1 + Math.exp(-2)) / 3, d.get(1, 0), 1e-7);
            FloatMatrix huge = FloatMatrix.of(a, 2, 1, 200f, -200f);
            float l2 = BceWithLogitsLoss.forward(huge, new float[] {0, 1}, 2, null);
            assertEquals(200f, l2, 1e-3f, "no overflow for large logits");
        }
    }

    @Test
    void crossEntropyIgnoresTargetsAndAveragesOverValidOnes() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.of(a, 3, 3, 1f, 2f, 3f, 0f, 0f, 0f, 5f, 5f, 5f);
            FloatMatrix d = FloatMatrix.allocate(a, 3, 3);
            d.fill(9f);
            float loss = SoftmaxCrossEntropyLoss.forward(x, new int[] {2, -100, 0}, 3, -100, d);
            double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
            double expect = ((lse - 3) + Math.log(3)) / 2;
            assertEquals(expect, loss, 1e-6);
            assertArrayEquals(new float[3], d.rowRange(1, 1).toArray(), "ignored row gets zero gradient");
            assertEquals((Math.exp(3 - lse) - 1) / 2, d.get(0, 2), 1e-6);
            assertEquals((1.0 / 3 - 1) / 2, d.get(2, 0), 1e-6);
            float sum = 0;
            for (int j = 0; j < 3; j++) sum += d.get(0, j);
            assertEquals(0f, sum, 1e-6f, "softmax − onehot sums to zero");
            assertEquals(0f, SoftmaxCrossEntropyLoss.forward(x, new int[] {-100, -100, -100}, 3, -100, d));
            assertThrows(IllegalArgumentException.class, () -> SoftmaxCrossEntropyLoss.forward(x, new int[] {3, 0, 0}, 3, -100, d));
        }
    }

    @Test
    void crossEntropyGradientMatchesFiniteDifferences() {
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.of(a, 2, 4, 0.3f, -1.2f, 2.0f, 0.1f, -0.5f, 0.5f, 1.5f, -2f);
            FloatMatrix d = FloatMatrix.allocate(a, 2, 4);
            int[] y = {1, 3};
            SoftmaxCrossEntropyLoss.forward(x, y, 2, -100, d);
            for (int i = 0; i < 2; i++) for (int j = 0; j < 4; j++) {
                float old = x.get(i, j);
                x.set(i, j, old + 1e-2f);
                double up = SoftmaxCrossEntropyLoss.forward(x, y, 2, -100, null);
                x.set(i, j, old - 1e-2f);
                double down = SoftmaxCrossEntropyLoss.forward(x, y, 2, -100, null);
                x.set(i, j, old);
                assertEquals((up - down) / 2e-2, d.get(i, j), 1e-3);
            }
        }
    }
}
