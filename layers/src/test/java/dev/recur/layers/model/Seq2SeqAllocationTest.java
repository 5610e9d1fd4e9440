package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A {@link Seq2Seq} training step (zeroGrad, forward, backward) allocates nothing once the batch
 * shape repeats, with full teacher forcing, with a teacher-forcing ratio (the step-by-step
 * path), and with dropout. Repeats the measurement until the code is compiled (at most 150 s: on a loaded machine
 * the compiler threads are starved, and 60 s was seen to end before C2 compiled the step).
 */
class Seq2SeqAllocationTest {

    static List<Seq2SeqConfig> configs() {
        List<Seq2SeqConfig> c = Seq2SeqTest.configs();
        return List.of(c.get(0), c.get(1), c.get(2).withTraining(0.5f, 0.1f), c.get(2).withTraining(0.5f, 0.1f).withDropout(0.3f));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void trainingStepAllocatesNothing(Seq2SeqConfig cfg) {
        assertEquals(0, steadyStateBytes(cfg), cfg + ": bytes allocated by 50 training steps");
    }

    private static long steadyStateBytes(Seq2SeqConfig cfg) {
        Batch src = Seq2SeqTest.source(new int[] {3, 6, 1, 4}, 0, 1L);
        Batch tgt = Seq2SeqTest.target(Seq2SeqTest.randomWords(4, 2L));
        try (Seq2Seq m = new Seq2Seq(cfg, 1L, 8, 8, 4)) {
            ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long bytes = -1, deadline = System.nanoTime() + 150_000_000_000L;   // the JIT is slow on a loaded machine
            while (bytes != 0 && System.nanoTime() < deadline) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 50; i++) {
                    m.zeroGrad();
                    m.forward(src, tgt);
                    m.backward();
                }
                bytes = mx.getCurrentThreadAllocatedBytes() - before;
            }
            return bytes;
        }
    }
}
