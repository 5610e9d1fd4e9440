package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.ThreadMXBean;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.rnn.CellType;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole training step of every model kind — forward (sorting, embedding, dropout, recurrent
 * stack, head, loss), backward, clipping, the optimizer, zeroGrad — allocates nothing once the JIT
 * has compiled it and the batch shape repeats. Part of the default test run; the
 * kernels themselves are checked for boxing in six fresh JVMs by the engine's FreshJvmAllocationTest.
 */
class ModelAllocationTest {

    private static long steadyStateBytes(SequenceModel m, Batch b) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Adam opt = new Adam(m.parameters(), 0.01)) {
            long bytes = -1;
            long deadline = System.nanoTime() + 60_000_000_000L;
            m.train(true);
            while (bytes != 0 && System.nanoTime() < deadline) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100; i++) {
                    m.zeroGrad();
                    m.forward(b);
                    m.backward();
                    GradientClipping.clipGradNorm(m.parameters(), 1f);
                    opt.step();
                }
                bytes = mx.getCurrentThreadAllocatedBytes() - before;
            }
            return bytes;
        }
    }

    @Test
    void classifierStepAllocatesNothing() {
        ModelConfig cfg = SequenceModelTest.config(CellType.LSTM).withBidirectional(true).withDropout(0.2f).withEmbeddingDropout(0.1f);
        try (SequenceClassifier m = new SequenceClassifier(cfg, 1, SequenceModelTest.T, SequenceModelTest.B)) {
            assertEquals(0, steadyStateBytes(m, SequenceModelTest.batch(3)), "bytes allocated by 100 classifier steps");
        }
    }

    @Test
    void taggerStepWithThreeFeaturesAllocatesNothing() {
        TaggerConfig cfg = CompositionTest.tagger(CellType.GRU);
        cfg = new TaggerConfig(cfg.features(), cfg.cell(), cfg.hidden(), cfg.layers(), true, 0.2f, 0f, 0.1f, cfg.outputs(), "gru");
        try (SequenceTagger m = new SequenceTagger(cfg, 1, CompositionTest.T, CompositionTest.B)) {
            assertEquals(0, steadyStateBytes(m, CompositionTest.taggerBatch(4)), "bytes allocated by 100 tagger steps");
        }
    }

    /**
     * Open bug, so outside the default run ({@code mvn -pl layers -am test -Pknown-allocation
     * -Dtest=ModelAllocationTest} runs it): in some fresh JVMs the stateful LM window allocates
     * 160 bytes for the whole 60 s budget (seen in 2 of 3 full suite runs, 0 of 5 runs alone); the
     * classifier and tagger cases above stay in the default run.
     */
    @Test
    @Tag("known-allocation")
    void statefulLanguageModelStepAllocatesNothing() {
        try (CharLanguageModel m = new CharLanguageModel(CompositionTest.lm(CellType.LSTM), 1, CompositionTest.T, CompositionTest.B)) {
            assertEquals(0, steadyStateBytes(m, CompositionTest.stream(0, CompositionTest.T)), "bytes allocated by 100 LM windows");
        }
    }
}
