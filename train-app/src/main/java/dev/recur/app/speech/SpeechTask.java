package dev.recur.app.speech;

import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.progress.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the isolated-digit recogniser gives {@link TrainingLoop}: batches of similar length in an
 * order drawn from seed and epoch, training masks from a stream seeded by seed and epoch, the
 * per-recording loss, and the validation accuracy (the primary metric) and loss.
 */
final class SpeechTask implements TrainingLoop.Task {
    private final IsolatedDigits digits;
    private final FrameBatches train, val;
    private final Map<String, String> meta;
    private final long seed;
    private final int masks;
    private List<int[]> plan;
    private SplittableRandom maskRng;
    private double lossSum;
    private int seen;
    private long epochFrames, epochStart, totalFrames, totalNanos;

    SpeechTask(IsolatedDigits digits, FrameBatches train, FrameBatches val, Map<String, String> meta, long seed, int masks) {
        this.digits = digits;
        this.train = train;
        this.val = val;
        this.meta = new LinkedHashMap<>(meta);
        this.seed = seed;
        this.masks = masks;
    }

    /** The loop's position a {@code speech} checkpoint recorded. */
    static TrainingLoop.Position position(Checkpoint ck, long steps) {
        return new TrainingLoop.Position(Integer.parseInt(ck.meta("train.epoch")), Integer.parseInt(ck.meta("train.batch")), steps,
                Integer.parseInt(ck.meta("train.evaluations")), Double.parseDouble(ck.meta("train.best_score")),
                Integer.parseInt(ck.meta("train.best_epoch")));
    }

    @Override
    public int planEpoch(int epoch, int first) {
        plan = train.trainingPlan(seed, epoch - 1);
        maskRng = new SplittableRandom(seed * 1_000_003L + (epoch - 1));
        for (int i = 0; i < first; i++) digits.replayMasks(train, plan.get(i), masks, maskRng);   // the draws of the batches done
        lossSum = 0;
        seen = 0;
        epochFrames = 0;
        epochStart = System.nanoTime();
        return plan.size();
    }

    @Override
    public float step(int index) {
        long s0 = System.nanoTime();
        int[] members = plan.get(index);
        float loss = digits.forwardBackward(train, members, masks, maskRng);
        long frames = 0;
        for (int m : members) frames += train.utterances().get(m).frames();
        lossSum += (double) loss * members.length;
        seen += members.length;
        epochFrames += frames;
        totalFrames += frames;
        totalNanos += System.nanoTime() - s0;
        return loss;
    }

    @Override
    public List<Field> progress() {
        return List.of(Field.metric("loss %.4f", lossSum / seen),
                Field.detail("%,.0f frames/s", epochFrames / ((System.nanoTime() - epochStart) / 1e9)));
    }

    @Override
    public TrainingLoop.Training training(double seconds) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", lossSum / seen);
        m.put("frames_per_s", epochFrames / seconds);
        return new TrainingLoop.Training(m, String.format(Locale.ROOT, "train loss %.4f, %,.0f frames/s", lossSum / seen, epochFrames / seconds));
    }

    @Override
    public TrainingLoop.Evaluation evaluate() {
        DigitScores s = digits.evaluate(val);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", s.loss());
        m.put("accuracy", s.accuracy());
        return new TrainingLoop.Evaluation(m, "accuracy", true,
                String.format(Locale.ROOT, "validation loss %.4f, accuracy %.2f %%", s.loss(), 100 * s.accuracy()));
    }

    @Override
    public Map<String, String> metadata(TrainingLoop.Position at, List<Map<String, Object>> history) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("train.epoch", Integer.toString(at.epochsDone()));
        m.put("train.batch", Integer.toString(at.batch()));
        m.put("train.best_score", Double.toString(at.best()));
        m.put("train.best_epoch", Integer.toString(at.bestAt()));
        m.put("train.evaluations", Integer.toString(at.evaluations()));
        m.putAll(digits.model().rngState());
        return m;
    }

    /** Training frames per second over the run in this process. */
    double framesPerSecond() { return totalNanos > 0 ? totalFrames / (totalNanos / 1e9) : 0; }

    double trainSeconds() { return totalNanos / 1e9; }
}
