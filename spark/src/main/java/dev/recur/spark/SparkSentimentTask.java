package dev.recur.spark;

import dev.recur.app.data.Batcher;
import dev.recur.app.data.TextEncoder;
import dev.recur.app.core.AppException;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.progress.Field;
import dev.recur.app.sentiment.BinaryMetrics;
import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.app.sentiment.SentimentTask;
import dev.recur.app.sentiment.TrainConfig;
import dev.recur.layers.Parameter;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The sentiment classifier's {@link TrainingLoop.Task} on Spark: one loop batch is one round.
 *
 * <p>Synchronous SGD (K = 1): {@link #step} broadcasts the parameters, each partition runs forward
 * and backward on its members of the global batch ({@link RoundTask}), the gradient sums come back
 * in partition order and are added in that order (a run is repeatable bit for bit), divided by the
 * batch size and written into the driver model's gradients; the loop then clips and takes the one
 * optimizer step, exactly as for the single-process task.
 *
 * <p>Local SGD (K &gt; 1): a round is K consecutive global batches; each partition steps its own
 * copy of the optimizer (from the broadcast state) on its members of each, and the driver takes
 * the example-weighted average of the partitions' parameters and optimizer buffers
 * ({@link #updatesItself}).
 */
final class SparkSentimentTask implements TrainingLoop.Task {
    private final JavaSparkContext sc;
    private final SparkSettings settings;
    private final WorkerSpec spec;
    private final TrainConfig cfg;
    private final SequenceClassifier model;
    private final Optimizer optimizer;
    private final TextEncoder encoder;
    private final ShardedData.Encoded fit;
    private final ShardedData.Encoded val;
    private final String fingerprint;
    private List<int[]> plan;
    private int epoch;
    private double lossSum, normSum;
    private long correct, seen, rounds;
    private float lastNorm;

    SparkSentimentTask(JavaSparkContext sc, SparkSettings settings, WorkerSpec spec, TrainConfig cfg, SequenceClassifier model,
                       Optimizer optimizer, TextEncoder encoder, ShardedData.Encoded fit, ShardedData.Encoded val,
                       String fingerprint) {
        this.sc = sc;
        this.settings = settings;
        this.spec = spec;
        this.cfg = cfg;
        this.model = model;
        this.optimizer = optimizer;
        this.encoder = encoder;
        this.fit = fit;
        this.val = val;
        this.fingerprint = fingerprint;
    }

    /** Rounds (Spark jobs of training) run so far. */
    long rounds() { return rounds; }

    @Override
    public int planEpoch(int epoch, int first) {
        this.epoch = epoch;
        plan = Batcher.trainingPlan(fit.lengths(), cfg.batch(), cfg.seed(), epoch);
        lossSum = normSum = 0;
        correct = seen = 0;
        int k = settings.syncEvery();
        return (plan.size() + k - 1) / k;
    }

    @Override
    public long units(int batches) { return fit.size(); }

    @Override
    public long unitsDone(int batchesDone) { return seen; }

    @Override
    public float step(int round) {
        int k = settings.syncEvery();
        int firstBatch = round * k, size = Math.min(k, plan.size() - firstBatch);
        long done = (long) (epoch - 1) * plan.size() + firstBatch;   // global batches (local steps) before this round
        long total = (long) cfg.epochs() * plan.size();
        int[][] batches = new int[size][];
        double[] lrs = new double[size];
        for (int j = 0; j < size; j++) {
            batches[j] = plan.get(firstBatch + j);
            lrs[j] = cfg.learningRate(done + j, total, plan.size());
        }
        boolean local = k > 1;
        List<Parameter> params = model.parameters();
        Broadcast<Weights> bc = sc.broadcast(Weights.of(params, local ? optimizer : null));
        List<ShardResult> results;
        try {
            results = fit.shards().map(new RoundTask(spec, bc, batches, local, lrs, done + 1, settings.partitions(),
                    settings.taskThreads(), settings.fault())).collect();
        } catch (Exception e) { // SparkException, undeclared by Scala
            throw failed(done + 1, e);
        } finally {
            bc.destroy();
        }
        rounds++;
        long count = 0;
        double roundLoss = 0, roundNorms = 0;
        int localSteps = 0;
        float[][] sums = null, stateSums = null;
        for (ShardResult r : results) {  // partition order: the same sums on every run
            if (r.count() == 0) continue;
            count += r.count();
            roundLoss += r.lossSum();
            correct += r.correct();
            roundNorms += r.normSum();
            localSteps += r.steps();
            if (sums == null) {
                sums = ShardResult.copy(r.sums());
                stateSums = r.stateSums() == null ? null : ShardResult.copy(r.stateSums());
            } else {
                ShardResult.addInto(sums, r.sums());
                if (stateSums != null) ShardResult.addInto(stateSums, r.stateSums());
            }
        }
        float inv = 1f / count;
        ShardResult.scale(sums, inv);
        if (!local) {
            for (int i = 0; i < params.size(); i++) params.get(i).grad().copyFrom(sums[i]);
        } else {
            ShardResult.scale(stateSums, inv);
            new Weights(sums, null, 0).loadInto(params);
            Weights.loadState(optimizer, stateSums);
            optimizer.setSteps(done + size);
            lastNorm = (float) (roundNorms / Math.max(1, localSteps));
            for (float[] a : sums) {
                for (float v : a) if (!Float.isFinite(v)) return Float.NaN; // the loop stops: a partition diverged
            }
        }
        lossSum += roundLoss;
        seen += count;
        return (float) (roundLoss / count);
    }

    @Override
    public boolean updatesItself() { return settings.syncEvery() > 1; }

    @Override
    public float ownUpdateNorm() { return lastNorm; }

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
        return new TrainingLoop.Training(m, String.format(Locale.ROOT, "train loss %.4f acc %.2f%%", lossSum / seen,
                100.0 * correct / seen));
    }

    @Override
    public TrainingLoop.Evaluation evaluate() {
        return SentimentTask.evaluation(evaluate(sc, spec, settings, val, model.parameters()));
    }

    @Override
    public Map<String, String> metadata(TrainingLoop.Position at, List<Map<String, Object>> history) {
        return SentimentCheckpoint.metadata(model, cfg, encoder, SentimentTask.state(at, history), fingerprint);
    }

    /** Evaluates {@code params} on every partition of {@code set}; the counts are summed in partition order. */
    static BinaryMetrics evaluate(JavaSparkContext sc, WorkerSpec spec, SparkSettings settings, ShardedData.Encoded set,
                                  List<Parameter> params) {
        BinaryMetrics m = new BinaryMetrics();
        if (set.size() == 0) return m;
        Broadcast<Weights> bc = sc.broadcast(Weights.of(params, null));
        try {
            for (double[] r : set.shards().map(new EvalTask(spec, bc, settings.taskThreads())).collect()) {
                m.addCounts((long) r[0], (long) r[1], (long) r[2], (long) r[3], r[4]);
            }
        } finally {
            bc.destroy();
        }
        return m;
    }

    private AppException failed(long step, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof AppException a) return a;
        String what = root.getMessage() == null ? root.getClass().getSimpleName()
                : AppException.plain(root.getMessage().lines().findFirst().orElse(""));
        return new AppException("the Spark job of step " + step + " (epoch " + epoch + ") failed after its retries: " + what
                + ". The last checkpoint is kept; fix the cause and continue with --resume.", e);
    }
}
