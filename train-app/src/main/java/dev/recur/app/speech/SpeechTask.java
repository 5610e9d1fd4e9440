package dev.recur.app.speech;

import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.EpochMeter;
import dev.recur.app.run.PositionKeys;
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
    private final EpochMeter meter = new EpochMeter();

    SpeechTask(IsolatedDigits digits, FrameBatches train, FrameBatches val, Map<String, String> meta, long seed, int masks) {
        this.digits = digits;
        this.train = train;
        this.val = val;
        this.meta = new LinkedHashMap<>(meta);
        this.seed = seed;
        this.masks = masks;
    }

    /** The loop's position a {@code speech} checkpoint recorded. */
    static TrainingLoop.Position position(Checkpoint ck, long steps) { return PositionKeys.STANDARD.read(ck, steps); }

    @Override
    public int planEpoch(int epoch, int first) {
        plan = train.trainingPlan(seed, epoch - 1);
        maskRng = new SplittableRandom(seed * 1_000_003L + (epoch - 1));
        for (int i = 0; i < first; i++) digits.replayMasks(train, plan.get(i), masks, maskRng);   // the draws of the batches done
        meter.startEpoch();
        return plan.size();
    }

    @Override
    public float step(int index) {
        long s0 = System.nanoTime();
        int[] members = plan.get(index);
        float loss = digits.forwardBackward(train, members, masks, maskRng);
        long frames = 0;
        for (int m : members) frames += train.utterances().get(m).frames();
        meter.add(loss, members.length, frames, s0);
        return loss;
    }

    @Override
    public List<Field> progress() {
        return List.of(Field.metric("loss %.4f", meter.meanLoss()),
                Field.detail("%,.0f frames/s", meter.units() / meter.epochSeconds()));
    }

    @Override
    public TrainingLoop.Training training(double seconds) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", meter.meanLoss());
        m.put("frames_per_s", meter.units() / seconds);
        return new TrainingLoop.Training(m, String.format(Locale.ROOT, "train loss %.4f, %,.0f frames/s", meter.meanLoss(),
                meter.units() / seconds));
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
        PositionKeys.STANDARD.write(m, at);
        m.putAll(digits.model().rngState());
        return m;
    }

    /** Training frames per second over the run in this process. */
    double framesPerSecond() { return meter.runUnitsPerSecond(); }

    double trainSeconds() { return meter.runSeconds(); }
}
