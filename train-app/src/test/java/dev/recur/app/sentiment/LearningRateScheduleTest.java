package dev.recur.app.sentiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recur.app.run.Choices.LrScheduleKind;
import org.junit.jupiter.api.Test;

/** {@code --lr-schedule}: the rate per step is a pure function of the step count. */
class LearningRateScheduleTest {

    private static TrainConfig config(LrScheduleKind kind) {
        TrainConfig base = TrainConfig.fromJson("{\"lr\":0.002}", "test");
        return new TrainConfig(base.model(), base.layers(), base.bidirectional(), base.hidden(), base.embed(), base.vocabSize(),
                base.pool(), base.dropout(), base.maxLen(), base.truncate(), base.batch(), base.epochs(), 0.002, base.optimizer(),
                base.momentum(), base.weightDecay(), base.clipNorm(), base.clipValue(), base.tbptt(), base.seed(), base.threads(),
                base.validationSplit(), base.data(), kind, null, null, 0, 0, 4, 0.8);
    }

    @Test
    void constantCosineAndLinearFollowTheirFormulas() {
        TrainConfig constant = config(LrScheduleKind.constant), cosine = config(LrScheduleKind.cosine),
                linear = config(LrScheduleKind.linear);
        assertEquals(0.002, constant.learningRate(0, 100, 10), 0);
        assertEquals(0.002, constant.learningRate(99, 100, 10), 0);
        assertEquals(0.002, cosine.learningRate(0, 100, 10), 1e-15);
        assertEquals(0.001, cosine.learningRate(50, 100, 10), 1e-15);
        assertEquals(0.002 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), cosine.learningRate(25, 100, 10), 1e-15);
        assertEquals(0.002, linear.learningRate(0, 100, 10), 1e-15);
        assertEquals(0.0015, linear.learningRate(25, 100, 10), 1e-15);
        assertEquals(0.00002, linear.learningRate(99, 100, 10), 1e-15);
        assertEquals(0.0, linear.learningRate(150, 100, 10), 0, "past the end (epochs lowered on resume) the rate stays at 0");
    }

    @Test
    void stepKeepsTheRateForItsEpochsThenMultipliesItByTheFactorInEachLaterEpoch() {
        // SegRNN's lradj='type3': epochs 1-4 at lr, then x 0.8 per epoch; 10 updates an epoch here
        dev.recur.app.run.LrSchedule s = new dev.recur.app.run.LrSchedule(LrScheduleKind.step, 0.002, 0, 4, 0.8);
        assertEquals(0.002, s.rate(0, 100, 10), 0);
        assertEquals(0.002, s.rate(39, 100, 10), 0, "the last update of epoch 4");
        assertEquals(0.002 * 0.8, s.rate(40, 100, 10), 1e-18, "epoch 5");
        assertEquals(0.002 * 0.8, s.rate(49, 100, 10), 1e-18);
        assertEquals(0.002 * 0.8 * 0.8, s.rate(50, 100, 10), 1e-18, "epoch 6");
        assertEquals(0.002 * Math.pow(0.8, 6), s.rate(99, 200, 10), 1e-15, "epoch 10; the total does not matter");
    }

    @Test
    void aCheckpointWithoutAScheduleTrainedAtAConstantRate() {
        TrainConfig old = TrainConfig.fromJson("{\"lr\":0.002}", "old checkpoint");
        assertEquals(LrScheduleKind.constant, old.lrSchedule());
        assertEquals(4, old.lrStepAfter(), "the step options' defaults, which a constant rate does not use");
        assertEquals(0.8, old.lrStepFactor());
    }

    @Test
    void warmUpRisesLinearlyThenTheScheduleRunsOverTheRest() {
        dev.recur.app.run.LrSchedule s = new dev.recur.app.run.LrSchedule(LrScheduleKind.cosine, 0.002, 10);
        assertEquals(0.0002, s.rate(0, 110, 10), 1e-15, "the first step runs at lr/warmup");
        assertEquals(0.001, s.rate(4, 110, 10), 1e-15);
        assertEquals(0.002, s.rate(9, 110, 10), 1e-15, "the last warm-up step reaches lr");
        assertEquals(0.002, s.rate(10, 110, 10), 1e-15, "the cosine starts at lr after the warm-up");
        assertEquals(0.001, s.rate(60, 110, 10), 1e-15, "half-way through the steps after the warm-up");
        assertEquals(config(LrScheduleKind.cosine).learningRate(37, 100, 10),
                new dev.recur.app.run.LrSchedule(LrScheduleKind.cosine, 0.002, 0).rate(37, 100, 10), 0, "no warm-up: the schedule as before");
    }
}
