package dev.recur.app.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.run.progress.Field;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.optim.Sgd;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop on a task small enough to reason about: one parameter {@code w} pulled towards a
 * per-batch target by SGD with momentum (so the optimizer state matters), batches in an order
 * drawn from seed and epoch. A run stopped anywhere (between epochs, inside one) and resumed from
 * its checkpoint's position ends with the same bits; patience stops at the right evaluation with
 * the best checkpoint kept; a non-finite loss stops naming the step, and keeps the last checkpoint.
 */
class TrainingLoopTest {
    static final int BATCHES = 4;

    /** The task: target of batch i is i + 1; the loss (w − t)²; the gradient 2(w − t). */
    static final class Quadratic implements TrainingLoop.Task {
        final Parameter w = new Parameter("w", FloatMatrix.allocate(Arena.ofAuto(), 1, 1), FloatMatrix.allocate(Arena.ofAuto(), 1, 1));
        final double[] scores; // what evaluate returns, in order (null: the distance to 2.5)
        int evaluations;
        long nanStep = -1;
        long steps;
        int[] order;
        Optimizer optimizer; // set by run(): step() records the rate the loop gave it
        final List<Double> rates = new ArrayList<>();
        double lossSum;
        int seen;

        Quadratic(double[] scores) { this.scores = scores; }

        @Override
        public int planEpoch(int epoch, int first) {
            order = new int[BATCHES];
            for (int i = 0; i < BATCHES; i++) order[i] = i;
            SplittableRandom r = new SplittableRandom(7 * 31 + epoch);
            for (int i = BATCHES - 1; i > 0; i--) {
                int j = r.nextInt(i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            lossSum = 0;
            seen = 0;
            return BATCHES;
        }

        @Override
        public float step(int index) {
            steps++;
            rates.add(optimizer.learningRate());
            w.zeroGrad();
            float t = order[index] + 1, d = w.value().get(0, 0) - t;
            w.grad().set(0, 0, 2 * d);
            lossSum += d * d;
            seen++;
            return steps == nanStep ? Float.NaN : d * d;
        }

        @Override
        public List<Field> progress() { return List.of(Field.metric("loss %.3f", lossSum / seen)); }

        @Override
        public TrainingLoop.Training training(double seconds) {
            return new TrainingLoop.Training(Map.of("train_loss", lossSum / seen), "train loss");
        }

        @Override
        public TrainingLoop.Evaluation evaluate() {
            double s = scores != null ? scores[evaluations] : -Math.abs(w.value().get(0, 0) - 2.5);
            evaluations++;
            return new TrainingLoop.Evaluation(Map.of("score", s), "score", true, "score " + s);
        }

        @Override
        public Map<String, String> metadata(TrainingLoop.Position at, List<Map<String, Object>> history) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("t.epoch", Integer.toString(at.epochsDone()));
            m.put("t.batch", Integer.toString(at.batch()));
            m.put("t.evaluations", Integer.toString(at.evaluations()));
            m.put("t.best", Double.toString(at.best()));
            m.put("t.best_at", Integer.toString(at.bestAt()));
            return m;
        }
    }

    static Io quiet() {
        return new Io(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                new ByteArrayInputStream(new byte[0]), false);
    }

    static TrainingLoop.Settings settings(Path out, LrSchedule schedule) {
        return TrainingLoop.Settings.of(out, "lm", 3, 0.05).withEvalEvery(3).withClipping(1.5, 0).withSchedule(schedule);
    }

    static final LrSchedule COSINE = new LrSchedule(Choices.LrScheduleKind.cosine, 0.05, 2);

    /** Trains {@code task} from the checkpoint in {@code out} (or from the start) with {@code s}. */
    static TrainingLoop.Outcome run(Quadratic task, TrainingLoop.Settings s, boolean resume, int stopAfterEpoch) {
        try (Optimizer opt = new Sgd(List.of(task.w), 0.05, 0.9, 0, false)) {
            TrainingLoop.Position from = TrainingLoop.Position.START;
            if (resume) {
                Checkpoint ck = Checkpoint.read(s.out().resolve(RunFolder.LAST), "lm", "test");
                ck.loadParameters(List.of(task.w));
                ck.loadOptimizer(opt);
                from = new TrainingLoop.Position(Integer.parseInt(ck.meta("t.epoch")), Integer.parseInt(ck.meta("t.batch")),
                        opt.steps(), Integer.parseInt(ck.meta("t.evaluations")), Double.parseDouble(ck.meta("t.best")),
                        Integer.parseInt(ck.meta("t.best_at")));
                task.steps = opt.steps();
            }
            task.optimizer = opt;
            RunFolder.prepare(s.out(), resume);
            return new TrainingLoop(s, task, opt, List.of(task.w), List.of(task.w), quiet()).stopAfterEpoch(stopAfterEpoch).run(from);
        }
    }

    static void assertSameTensors(Path a, Path b) throws Exception {
        for (String f : List.of(RunFolder.LAST, RunFolder.BEST)) {
            assertEquals(List.of(), dev.recur.app.tools.CompareTensors.differences(a.resolve(f), b.resolve(f)), f);
        }
    }

    @Test
    void aRunStoppedBetweenEpochsAndResumedEndsWithTheSameBits(@TempDir Path dir) throws Exception {
        TrainingLoop.Outcome whole = run(new Quadratic(null), settings(dir.resolve("whole"), COSINE), false, Integer.MAX_VALUE);
        assertEquals("epochs", whole.reason());
        assertEquals(3, whole.at().epochsDone());
        assertEquals(12, whole.at().steps());
        assertEquals(6, whole.at().evaluations(), "after batch 3 and at the end of each of the 3 epochs");
        assertEquals(6, whole.history().size());

        Path parts = dir.resolve("parts");
        TrainingLoop.Outcome first = run(new Quadratic(null), settings(parts, COSINE), false, 1);
        assertTrue(first.interrupted());
        assertEquals(1, first.at().epochsDone());
        TrainingLoop.Outcome rest = run(new Quadratic(null), settings(parts, COSINE), true, Integer.MAX_VALUE);
        assertEquals(whole.at(), rest.at());
        assertEquals(6, rest.history().size(), "the history of the first part is kept");
        assertSameTensors(dir.resolve("whole"), parts);
    }

    @Test
    void aRunStoppedInsideAnEpochAndResumedEndsWithTheSameBits(@TempDir Path dir) throws Exception {
        LrSchedule constant = LrSchedule.constant(0.05); // a step limit would reshape a decaying schedule
        run(new Quadratic(null), settings(dir.resolve("whole"), constant), false, Integer.MAX_VALUE);
        Path parts = dir.resolve("parts");
        TrainingLoop.Outcome first = run(new Quadratic(null), settings(parts, constant).withMaxSteps(7), false, Integer.MAX_VALUE);
        assertEquals("steps", first.reason());
        assertEquals(new TrainingLoop.Position(1, 3, 7, 3, first.at().best(), first.at().bestAt()), first.at(),
                "inside epoch 2, after its third batch");
        run(new Quadratic(null), settings(parts, constant), true, Integer.MAX_VALUE);
        assertSameTensors(dir.resolve("whole"), parts);
    }

    @Test
    void theStepScheduleKeepsTheRateForItsEpochsThenCutsItEachEpochAlsoAcrossAResume(@TempDir Path dir) throws Exception {
        LrSchedule step = new LrSchedule(Choices.LrScheduleKind.step, 0.05, 0, 1, 0.5);
        Quadratic whole = new Quadratic(null);
        run(whole, settings(dir.resolve("whole"), step), false, Integer.MAX_VALUE);
        List<Double> expected = new ArrayList<>();
        for (double r : new double[] {0.05, 0.025, 0.0125}) for (int b = 0; b < BATCHES; b++) expected.add(r);
        assertEquals(expected, whole.rates, "epoch 1 at --lr, then halved in each later epoch");

        Path parts = dir.resolve("parts");
        Quadratic first = new Quadratic(null), rest = new Quadratic(null);
        run(first, settings(parts, step).withMaxSteps(6), false, Integer.MAX_VALUE);
        run(rest, settings(parts, step), true, Integer.MAX_VALUE);
        assertEquals(expected.subList(0, 6), first.rates);
        assertEquals(expected.subList(6, expected.size()), rest.rates, "resumed inside epoch 2: the same rates as the whole run");
        assertSameTensors(dir.resolve("whole"), parts);
    }

    @Test
    void patienceStopsAfterThatManyEvaluationsWithoutABetterScoreAndKeepsTheBest(@TempDir Path dir) throws Exception {
        Quadratic task = new Quadratic(new double[] {0.5, 0.6, 0.55, 0.58, 0.7, 0.8});
        TrainingLoop.Outcome o = run(task, settings(dir, COSINE).withPatience(2), false, Integer.MAX_VALUE);
        assertEquals("patience", o.reason());
        assertEquals(4, o.at().evaluations());
        assertEquals(2, o.at().bestAt());
        assertEquals(0.6, o.at().best(), 0);
        Checkpoint best = Checkpoint.read(dir.resolve(RunFolder.BEST), "lm", "test");
        assertEquals("2", best.meta("t.evaluations"), "best is the checkpoint of evaluation 2");
        assertEquals(4, MetricsLog.read(dir.resolve(RunFolder.METRICS)).size());
    }

    @Test
    void aNonFiniteLossStopsNamingTheStepAndKeepsTheLastCheckpoint(@TempDir Path dir) throws Exception {
        Quadratic task = new Quadratic(null);
        task.nanStep = 6;
        AppException e = assertThrows(AppException.class, () -> run(task, settings(dir, COSINE), false, Integer.MAX_VALUE));
        assertTrue(e.getMessage().startsWith("training stopped at step 6 (epoch 2, batch 2 of 4): the loss is NaN."), e.getMessage());
        assertTrue(e.getMessage().contains("(epoch 1)"), "names the last good checkpoint's epoch: " + e.getMessage());
        Checkpoint last = Checkpoint.read(dir.resolve(RunFolder.LAST), "lm", "test");
        assertEquals("1", last.meta("t.epoch"));
        List<Map<String, Object>> lines = MetricsLog.read(dir.resolve(RunFolder.METRICS));
        assertEquals("diverged", lines.get(lines.size() - 1).get("event"));
    }
}
