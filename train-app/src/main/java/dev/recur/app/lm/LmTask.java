package dev.recur.app.lm;

import dev.recur.app.core.Io;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.EpochMeter;
import dev.recur.app.run.PositionKeys;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.progress.Field;
import dev.recur.engine.FloatMatrix;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the character language model gives {@link TrainingLoop}: the windows of truncated BPTT
 * over {@code batch} streams with the recurrent state carried from window to window (and reset at
 * the start of an epoch), the validation loss in nats per character (the primary metric, lower is
 * better) and bits per character, the carried state as checkpoint tensors, and a sample after each
 * evaluation.
 */
final class LmTask implements TrainingLoop.Task {
    private final CharModel model;
    private final CharModel evalModel;
    private final CharModel sampler;
    private final TbpttBatcher train;
    private final TbpttBatcher val;
    private final Map<String, String> meta;
    private final int sampleLength;
    private final long seed;
    private final Io io;
    private final int[] in;
    private final int[] tg;
    private final EpochMeter meter = new EpochMeter();
    private double lastVal = Double.NaN;

    /** Where its checkpoints record the loop's position (the batch is the window). */
    private static final PositionKeys KEYS = new PositionKeys("train.epoch", "train.window", null, "train.evaluations",
            "train.best_val", "train.best_at");

    /** {@code meta}: the run's fixed checkpoint metadata (configuration, options, data). */
    LmTask(CharModel model, CharModel evalModel, CharModel sampler, TbpttBatcher train, TbpttBatcher val,
           Map<String, String> meta, int sampleLength, long seed, Io io) {
        this.model = model;
        this.evalModel = evalModel;
        this.sampler = sampler;
        this.train = train;
        this.val = val;
        this.meta = new LinkedHashMap<>(meta);
        this.sampleLength = sampleLength;
        this.seed = seed;
        this.io = io;
        this.in = new int[train.batch() * train.window()];
        this.tg = new int[in.length];
    }

    /** The loop's position an {@code lm} checkpoint recorded (evaluation counts are absent before the loop: one per epoch). */
    static TrainingLoop.Position position(Checkpoint ck, long steps) { return KEYS.read(ck, steps); }

    @Override
    public int planEpoch(int epoch, int first) {
        if (first == 0) model.resetState(); // a resumed run inside an epoch continues from the stored state
        meter.startEpoch();
        return train.windows();
    }

    @Override
    public float step(int index) {
        long s0 = System.nanoTime();
        int steps = train.fill(index, in, tg);
        model.zeroGrad();
        float loss = model.window(in, tg, steps, true);
        long chars = (long) steps * train.batch();
        meter.add(loss, chars, s0);
        return loss;
    }

    @Override
    public List<Field> progress() {
        double avg = meter.meanLoss();
        return List.of(Field.metric("loss %.3f (%.3f bpc)", avg, avg / LmTrainer.LN2),
                Field.detail("%,.0f chars/s", meter.count() / meter.epochSeconds()));
    }

    @Override
    public TrainingLoop.Training training(double seconds) {
        double avg = meter.meanLoss();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", avg);
        m.put("chars_per_s", meter.count() / seconds);
        return new TrainingLoop.Training(m, String.format(Locale.ROOT, "train %.4f nats/char", avg));
    }

    @Override
    public TrainingLoop.Evaluation evaluate() {
        evalModel.copyParametersFrom(model);
        lastVal = LmTrainer.validate(evalModel, val);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", lastVal);
        m.put("bpc", lastVal / LmTrainer.LN2);
        return new TrainingLoop.Evaluation(m, "loss", false,
                String.format(Locale.ROOT, "validation %.4f nats/char (%.4f bits/char)", lastVal, lastVal / LmTrainer.LN2));
    }

    @Override
    public Map<String, String> metadata(TrainingLoop.Position at, List<Map<String, Object>> history) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        KEYS.write(m, at);
        m.put("train.val_loss", Double.toString(lastVal));
        m.put("train.dropout_calls", Long.toString(model.recurrent().dropoutCalls()));
        return m;
    }

    @Override
    public Map<String, FloatMatrix> state(TrainingLoop.Position at) {
        Map<String, FloatMatrix> state = new LinkedHashMap<>();
        state.put("state.h", model.hiddenState());
        if (model.cellState() != null) state.put("state.c", model.cellState());
        if (at.batch() == 0) state.replaceAll((k, v) -> zerosLike(v)); // the next epoch starts from a zero state
        return state;
    }

    @Override
    public void evaluated(TrainingLoop.Position at, boolean improved) {
        if (sampleLength <= 0) return;
        sampler.copyParametersFrom(model);
        String prompt = LmTrainer.defaultPrompt(model.config().vocabulary());
        io.progress().info("--- sample ---\n" + prompt + LmTrainer.generate(sampler, prompt, sampleLength, 0.8, 0, seed)
                + "\n--------------");
    }

    /** Training characters per second over the whole run in this process. */
    double charsPerSecond() { return meter.runUnitsPerSecond(); }

    private static FloatMatrix zerosLike(FloatMatrix m) {
        return FloatMatrix.of(java.lang.foreign.Arena.ofAuto(), m.rows(), m.cols(), new float[m.rows() * m.cols()]);
    }
}
