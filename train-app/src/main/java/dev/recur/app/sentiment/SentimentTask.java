package dev.recur.app.sentiment;

import dev.recur.app.data.Batcher;
import dev.recur.app.data.TextEncoder;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.progress.Field;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the sentiment classifier gives {@link TrainingLoop}: length-bucketed batches of the
 * training reviews (a pure function of seed and epoch), the classifier's forward and backward
 * pass, training loss and accuracy, validation loss, accuracy (the primary metric) and F1, and
 * the checkpoint metadata of {@link SentimentCheckpoint}.
 */
public final class SentimentTask implements TrainingLoop.Task {
    private final SequenceClassifier model;
    private final TrainConfig cfg;
    private final TextEncoder encoder;
    private final EncodedSet fit;
    private final EncodedSet val;
    private final Batch batch;
    private final String fingerprint;
    private final int[] order;
    private List<int[]> plan;
    private double lossSum;
    private long correct, seen, tokens;

    SentimentTask(SequenceClassifier model, TrainConfig cfg, TextEncoder encoder, EncodedSet fit, EncodedSet val, Batch batch,
                  String fingerprint) {
        this.model = model;
        this.cfg = cfg;
        this.encoder = encoder;
        this.fit = fit;
        this.val = val;
        this.batch = batch;
        this.fingerprint = fingerprint;
        this.order = new int[cfg.batch()];
    }

    /** The loop's position of a sentiment checkpoint's state (one evaluation per epoch). */
    public static TrainingLoop.Position position(TrainState s) {
        return new TrainingLoop.Position(s.epoch(), 0, s.steps(), s.epoch(), s.bestValAccuracy(), s.bestEpoch());
    }

    /** The state a sentiment checkpoint records at {@code at}. */
    public static TrainState state(TrainingLoop.Position at, List<Map<String, Object>> history) {
        List<EpochStats> h = new ArrayList<>(history.size());
        for (Map<String, Object> r : history) h.add(EpochStats.fromMap(r));
        return new TrainState(at.epochsDone(), at.steps(), at.best(), at.bestAt(), List.copyOf(h));
    }

    @Override
    public int planEpoch(int epoch, int first) {
        plan = Batcher.trainingPlan(fit.lengths(), cfg.batch(), cfg.seed(), epoch);
        lossSum = 0;
        correct = seen = tokens = 0;
        return plan.size();
    }

    @Override
    public long units(int batches) { return fit.size(); }

    @Override
    public long unitsDone(int batchesDone) { return seen; }

    @Override
    public float step(int index) {
        int[] members = plan.get(index); // the last batch may be short: the model runs any size up to cfg.batch()
        Batcher.fill(fit.sequences(), fit.labels(), members, batch, order);
        float loss = TrainingStep.forwardBackward(model, batch);
        FloatMatrix logits = model.lastLogits();
        int real = members.length;
        for (int i = 0; i < real; i++) {
            if ((logits.get(i, 0) >= 0) == (batch.labels()[i] == 1)) correct++;
            tokens += batch.lengths()[i];
        }
        lossSum += (double) loss * real;
        seen += real;
        return loss;
    }

    @Override
    public List<Field> progress() {
        return List.of(Field.metric("loss %.4f acc %.1f%%", lossSum / seen, 100.0 * correct / seen));
    }

    @Override
    public TrainingLoop.Training training(double seconds) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", lossSum / seen);
        m.put("train_accuracy", (double) correct / seen);
        m.put("seq_per_s", seen / seconds);
        m.put("tokens_per_s", tokens / seconds);
        return new TrainingLoop.Training(m, String.format(Locale.ROOT, "train loss %.4f acc %.2f%%", lossSum / seen,
                100.0 * correct / seen));
    }

    @Override
    public TrainingLoop.Evaluation evaluate() {
        BinaryMetrics v = Evaluator.evaluate(model, val, batch, cfg.batch(), null);
        model.train(true);
        return evaluation(v);
    }

    /**
     * The validation figures as the training loop records them (loss, accuracy, F1; NaN without
     * validation reviews), selected by accuracy: the one form of every sentiment training, here
     * and on Spark.
     */
    public static TrainingLoop.Evaluation evaluation(BinaryMetrics v) {
        boolean hasVal = v.count() > 0;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", hasVal ? v.loss() : Double.NaN);
        m.put("accuracy", hasVal ? v.accuracy() : Double.NaN);
        m.put("f1", hasVal ? v.f1() : Double.NaN);
        return new TrainingLoop.Evaluation(m, "accuracy", true, hasVal
                ? String.format(Locale.ROOT, "val loss %.4f acc %.2f%% F1 %.4f", v.loss(), 100 * v.accuracy(), v.f1())
                : "(no validation)");
    }

    @Override
    public Map<String, String> metadata(TrainingLoop.Position at, List<Map<String, Object>> history) {
        return SentimentCheckpoint.metadata(model, cfg, encoder, state(at, history), fingerprint);
    }
}
