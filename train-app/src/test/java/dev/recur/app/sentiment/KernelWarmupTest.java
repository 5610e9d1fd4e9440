package dev.recur.app.sentiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.run.Optimizers;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link KernelWarmup}: the run's shapes, a bounded wait, and no effect on the run's numbers. */
class KernelWarmupTest {

    /** A small bidirectional LSTM run with AdamW and clipping (the default recipe's parts). */
    private static TrainConfig config(int batch, int maxLen) {
        return TrainConfig.fromJson("""
                {"model":"lstm","layers":1,"bidirectional":true,"hidden":12,"embed":10,"vocabSize":100,"pool":"max",
                 "dropout":0.1,"maxLen":%d,"truncate":"end","batch":%d,"epochs":1,"lr":0.004,"optimizer":"adamw",
                 "momentum":0.9,"weightDecay":0.3,"clipNorm":1.0,"clipValue":0,"tbptt":0,"seed":7,"threads":1,
                 "validationSplit":0.1,"lrSchedule":"constant","freeze":"none","patience":0,"lrWarmup":0}
                """.formatted(maxLen, batch), "test");
    }

    @Test
    void theWarmUpBatchHasTheRunsBatchSizeAndRaggedLengths() {
        Batch b = KernelWarmup.batch(config(24, 400));
        assertEquals(24, b.size(), "the run's batch size");
        assertEquals(32, b.steps());
        assertEquals(32, b.lengths()[0], "longest first");
        for (int i = 1; i < b.size(); i++) {
            assertTrue(b.lengths()[i] <= b.lengths()[i - 1] && b.lengths()[i] >= 1, "ragged, longest first: " + i);
        }
        assertTrue(b.lengths()[b.size() - 1] < 32 / 2, "short sequences too");
        assertEquals(5, KernelWarmup.batch(config(4, 5)).steps(), "never longer than --max-len");
    }

    @Test
    void theWarmUpStepsGrowFromOneStepToTheFullLength() {
        int[] expected = {1, 1, 2, 2, 4, 4, 8, 8, 16, 16, 32, 32, 32};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], KernelWarmup.stepsOf(i + 1, 32), "warm-up step " + (i + 1));
        }
        assertEquals(5, KernelWarmup.stepsOf(7, 5), "never longer than the full length");
        assertEquals(32, KernelWarmup.stepsOf(Long.MAX_VALUE, 32), "no overflow on a long warm-up");
    }

    @Test
    void theWarmUpVocabularyIsTheRunsUpToABoundedEmbedding() {
        assertEquals(100, KernelWarmup.vocabulary(config(8, 50)), "a small vocabulary as it is");
        TrainConfig big = TrainConfig.fromJson(config(8, 50).toJson().replace("\"vocabSize\":100", "\"vocabSize\":50000")
                .replace("\"embed\":10", "\"embed\":64"), "test");
        assertEquals(50000, big.vocabSize());
        assertEquals(64, big.embed());
        assertEquals((1 << 18) / 64, KernelWarmup.vocabulary(big), "at most 2^18 embedding elements");
    }

    @Test
    void finishReturnsWithinItsBoundAndTheWarmUpRan() throws InterruptedException {
        KernelWarmup w = KernelWarmup.start(config(8, 50));
        long t0 = System.nanoTime();
        w.finish();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < KernelWarmup.MAX_WAIT_NANOS / 1e9 + 30, "finish took " + seconds + " s");
        if (Runtime.getRuntime().availableProcessors() >= 2) {
            assertTrue(w.steps() >= KernelWarmup.FLAT || seconds >= KernelWarmup.MAX_WAIT_NANOS / 1e9,
                    "settled after " + w.steps() + " steps in " + seconds + " s");
        }
        w.close(); // idempotent
        KernelWarmup failed = KernelWarmup.start(config(8, 50));
        long t1 = System.nanoTime();
        failed.close();   // a run that fails early stops it at once, without waiting for a step
        assertTrue((System.nanoTime() - t1) / 1e9 < 1, "close waited");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!failed.ended() && System.nanoTime() < deadline) Thread.sleep(10);
        assertTrue(failed.ended(), "the warm-up thread ends after its step");
    }

    /** The same training steps with and without a warm-up running beside them give the same bits. */
    @Test
    void aWarmUpRunningBesideTheTrainingChangesNoNumber() {
        TrainConfig cfg = config(8, 20);
        float[] alone = train(cfg, false), beside = train(cfg, true);
        assertEquals(alone.length, beside.length);
        for (int i = 0; i < alone.length; i++) {
            assertEquals(Float.floatToRawIntBits(alone[i]), Float.floatToRawIntBits(beside[i]), "parameter element " + i);
        }
    }

    private static float[] train(TrainConfig cfg, boolean withWarmup) {
        Batch batch = KernelWarmup.batch(cfg);
        for (int i = 0; i < batch.tokens().length; i++) batch.tokens()[i] = 2 + (i * 37) % 90;
        KernelWarmup w = withWarmup ? KernelWarmup.start(cfg) : null;
        try (SequenceClassifier model = new SequenceClassifier(cfg.modelConfig(100), cfg.seed(), batch.steps(), cfg.batch());
             Optimizer optimizer = Optimizers.create(cfg.optimizer(), model.parameters(), cfg.lr(), cfg.momentum(),
                     cfg.weightDecay())) {
            TrainingStep step = new TrainingStep(model, optimizer, model.parameters(), cfg.clipNorm(), cfg.clipValue());
            for (long s = 1; s <= 3; s++) step.run(batch, s);
            if (w != null) w.finish();
            List<Parameter> ps = model.parameters();
            int n = 0;
            for (Parameter p : ps) n += p.value().rows() * p.value().cols();
            float[] out = new float[n];
            int k = 0;
            for (Parameter p : ps) {
                FloatMatrix v = p.value();
                for (int r = 0; r < v.rows(); r++) for (int c = 0; c < v.cols(); c++) out[k++] = v.get(r, c);
            }
            return out;
        } finally {
            if (w != null) w.close();
        }
    }
}
