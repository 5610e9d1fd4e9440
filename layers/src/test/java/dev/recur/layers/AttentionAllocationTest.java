package dev.recur.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.ThreadMXBean;
import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A sentence batch through {@link Attention} (setKeys, a step-by-step forward and backward, the key
 * backward) allocates nothing once the shape repeats. Part of the default test run like the other
 * zero-allocation checks; it repeats the measurement until the kernels are compiled (at most 60 s).
 */
class AttentionAllocationTest {

    @ParameterizedTest
    @EnumSource(AttentionScore.class)
    void steadyStateAllocatesNothing(AttentionScore score) {
        int t = 6, b = 4, s = 5, h = 8;
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rng = new SplittableRandom(1);
            Attention at = switch (score) {
                case DOT -> Attention.dot(arena, h, t, s, b);
                case GENERAL -> Attention.general(arena, "attention", h, h, t, s, b, rng);
                case ADDITIVE -> Attention.additive(arena, "attention", h, h, h, t, s, b, rng);
            };
            FloatMatrix keys = FloatMatrix.allocate(arena, t * b, h), q = FloatMatrix.allocate(arena, s * b, h);
            Init.uniform(keys, 1f, rng);
            Init.uniform(q, 1f, rng);
            FloatMatrix c = FloatMatrix.allocate(arena, s * b, h), dq = FloatMatrix.allocate(arena, s * b, h);
            FloatMatrix dk = FloatMatrix.allocate(arena, t * b, h);
            FloatMatrix[] qs = new FloatMatrix[s], cs = new FloatMatrix[s], dqs = new FloatMatrix[s];
            for (int k = 0; k < s; k++) {
                qs[k] = q.rowRange(k * b, b);
                cs[k] = c.rowRange(k * b, b);
                dqs[k] = dq.rowRange(k * b, b);
            }
            int[] lengths = {6, 3, 1, 5};
            ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long bytes = -1, deadline = System.nanoTime() + 60_000_000_000L;
            while (bytes != 0 && System.nanoTime() < deadline) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100; i++) {
                    at.zeroGrad();
                    at.setKeys(keys, lengths, t, b, true);
                    for (int k = 0; k < s; k++) at.forward(qs[k], k, cs[k]);
                    for (int k = s - 1; k >= 0; k--) at.backward(qs[k], cs[k], k, dqs[k]);
                    at.backwardKeys(dk);
                }
                bytes = mx.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, bytes, score + ": bytes allocated by 100 sentence batches");
        }
    }
}
