package dev.recur.app.forecast;

import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.EpochMeter;
import dev.recur.app.run.PositionKeys;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.progress.Field;
import dev.recur.layers.forecast.ForecastModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a forecaster gives {@link TrainingLoop}: the training windows in a seeded order every epoch
 * (Fisher–Yates from {@code seed·1000003 + epoch − 1}), in batches of {@code batch} windows; the
 * forward and backward pass of one (the model's own regression loss); and the validation windows'
 * loss, MSE and MAE (normalised), the loss being the primary metric (lower is better). The model's
 * random streams (dropout, teacher forcing) go into the checkpoint metadata with the position.
 */
final class ForecastTask implements TrainingLoop.Task {
    private final ForecastModel model;
    private final Batches batches;
    private final Windows train, val;
    private final double[] outputStd;
    private final Map<String, String> meta;
    private final long seed;
    private final int batch;
    private final EpochMeter meter = new EpochMeter();
    private int[] order;

    ForecastTask(ForecastModel model, Batches batches, Windows train, Windows val, double[] outputStd, Map<String, String> meta,
                 long seed, int batch) {
        this.model = model;
        this.batches = batches;
        this.train = train;
        this.val = val;
        this.outputStd = outputStd.clone();
        this.meta = new LinkedHashMap<>(meta);
        this.seed = seed;
        this.batch = batch;
    }

    /** The loop's position a {@code forecast} checkpoint recorded (keys absent before the loop: one evaluation per epoch). */
    static TrainingLoop.Position position(Checkpoint ck, long steps) { return PositionKeys.STANDARD.read(ck, steps); }

    @Override
    public int planEpoch(int epoch, int first) {
        order = ForecastTrainer.shuffled(train.count(), seed, epoch - 1);
        meter.startEpoch();
        return (order.length + batch - 1) / batch;
    }

    @Override
    public float step(int index) {
        long t0 = System.nanoTime();
        int from = index * batch, b = Math.min(batch, order.length - from);
        batches.fill(train, order, from, b);
        model.zeroGrad();
        float loss = model.forward(batches.input(), batches.target(), b * batches.perWindow(), true);
        if (Float.isFinite(loss)) model.backward();
        meter.add(loss, b, t0);
        return loss;
    }

    @Override
    public List<Field> progress() {
        return List.of(Field.metric("loss %.4f", meter.meanLoss()),
                Field.detail("%,.0f windows/s", meter.count() / meter.epochSeconds()));
    }

    @Override
    public TrainingLoop.Training training(double seconds) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", meter.meanLoss());
        m.put("windows_per_s", meter.count() / seconds);
        return new TrainingLoop.Training(m, String.format(Locale.ROOT, "train loss %.4f", meter.meanLoss()));
    }

    @Override
    public TrainingLoop.Evaluation evaluate() {
        ForecastTrainer.Evaluation v = ForecastTrainer.evaluate(model, batches, val, outputStd);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", v.loss());
        m.put("mse", v.errors().mse());
        m.put("mae", v.errors().mae());
        return new TrainingLoop.Evaluation(m, "loss", false, String.format(Locale.ROOT, "validation loss %.4f (MSE %.4f, MAE %.4f)",
                v.loss(), v.errors().mse(), v.errors().mae()));
    }

    @Override
    public Map<String, String> metadata(TrainingLoop.Position at, List<Map<String, Object>> history) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        PositionKeys.STANDARD.write(m, at);
        model.randomState().forEach((k, n) -> m.put(ForecastTrainer.RANDOM_PREFIX + k, Long.toString(n)));
        return m;
    }

    /** Training windows per second over the run in this process. */
    double windowsPerSecond() { return meter.runUnitsPerSecond(); }
}
