package dev.recur.spark;

import dev.recur.app.core.AppException;
import dev.recur.app.data.TextEncoder;
import dev.recur.app.data.Tokenizer;
import dev.recur.app.data.Vocabulary;
import dev.recur.app.run.AtomicFiles;
import dev.recur.app.run.EarlyStopping;
import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.UpdateGuard;
import dev.recur.app.data.Batcher;
import dev.recur.app.sentiment.BinaryMetrics;
import dev.recur.app.sentiment.EpochStats;
import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.app.sentiment.TrainConfig;
import dev.recur.app.sentiment.TrainState;
import dev.recur.app.sentiment.Trainer;
import dev.recur.app.sentiment.TrainingStep;
import dev.recur.engine.Engine;
import dev.recur.layers.Parameter;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * The sentiment classifier trained data-parallel on Spark: the same run as the app's {@code train}
 * ({@link Trainer}: data order, validation split, vocabulary, batch plans, learning-rate schedule,
 * clipping, optimizer, checkpoints, metrics, {@code --resume}), with every batch's forward and
 * backward spread over the partitions.
 *
 * <p>One round: the driver broadcasts the parameters ({@link Weights}); each partition runs
 * {@link RoundTask} on its members of the round's batches; the results are collected in partition
 * order and summed in that order (so a run is repeatable bit for bit); the driver divides by the
 * example count and, for K = 1, applies {@link UpdateGuard} and the optimizer once
 * ({@link TrainingStep#update}); for K &gt; 1 it takes the example-weighted average of the
 * partitions' parameters and optimizer buffers.
 *
 * <p>Files under the output folder as {@code train} writes them: {@code last.safetensors} (every
 * epoch, atomically), {@code best.safetensors}, {@code metrics.jsonl}; no plot.
 */
public final class SparkTrainer {
    /** What a run leaves: the folder, the final state, the test figures (null without test data), timing. */
    public record Result(Path out, TrainState state, BinaryMetrics test, long rounds, double trainSeconds) {}

    private final SparkSession spark;
    private final JavaSparkContext sc;
    private final TrainConfig cfg;
    private final SparkSettings settings;
    private final Path out;
    private final PrintStream log;
    private int stopAfterEpoch = Integer.MAX_VALUE;

    public SparkTrainer(SparkSession spark, TrainConfig cfg, SparkSettings settings, Path out, PrintStream log) {
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.cfg = cfg;
        this.settings = settings;
        this.out = out;
        this.log = log;
    }

    /** Ends the run after epoch {@code n} as an interruption would (the schedule still spans all epochs). */
    public SparkTrainer stopAfterEpoch(int n) {
        stopAfterEpoch = n;
        return this;
    }

    /**
     * Trains on {@code train} (validation carved from it by {@code cfg}'s split and seed, as
     * {@code train} does) and, at the end, tests the best model on {@code test} (may be null).
     * With {@code resumeFrom} not null, continues that run.
     */
    public Result run(JavaRDD<LabeledText> train, JavaRDD<LabeledText> test, SentimentCheckpoint resumeFrom) {
        Engine.setThreads(settings.taskThreads());
        long n = train.count();
        if (n > Integer.MAX_VALUE) throw new AppException("more than 2^31 training examples; split the data");
        boolean[] isVal = Trainer.validationRows((int) n, cfg.validationSplit(), cfg.seed());
        int[] newIndex = new int[(int) n];
        int fitCount = 0, valCount = 0;
        for (int i = 0; i < n; i++) newIndex[i] = isVal[i] ? valCount++ : fitCount++;
        if (fitCount == 0) throw AppException.usage("--validation-split " + cfg.validationSplit() + " leaves no training examples");
        Broadcast<boolean[]> valMask = sc.broadcast(isVal);
        Broadcast<int[]> renumber = sc.broadcast(newIndex);
        JavaRDD<LabeledText> fitRows = train.filter(e -> !valMask.value()[(int) e.index()])
                .map(e -> new LabeledText(renumber.value()[(int) e.index()], e.text(), e.label()));
        JavaRDD<LabeledText> valRows = train.filter(e -> valMask.value()[(int) e.index()])
                .map(e -> new LabeledText(renumber.value()[(int) e.index()], e.text(), e.label()));
        String fingerprint = ShardedData.fingerprint(train);
        if (resumeFrom != null && resumeFrom.dataFingerprint() != null && !resumeFrom.dataFingerprint().equals(fingerprint)) {
            throw AppException.usage(resumeFrom.file() + " was trained on other examples; resume with the same --data");
        }
        TextEncoder encoder = resumeFrom != null ? resumeFrom.encoder()
                : new TextEncoder(new Tokenizer(), Vocabulary.fromCounts(ShardedData.wordCounts(fitRows), cfg.vocabSize(), 2),
                        cfg.maxLen(), cfg.truncation());
        int p = settings.partitions();
        ShardedData.Encoded fit = ShardedData.encode(sc, fitRows, encoder, p);
        ShardedData.Encoded val = ShardedData.encode(sc, valRows, encoder, p);
        ShardedData.Encoded tst = test == null ? null : ShardedData.encode(sc, test, encoder, p);
        try {
            log.printf("data: %d train, %d validation, %d test examples in %d partitions; vocabulary %d words%n", fit.size(),
                    val.size(), tst == null ? 0 : tst.size(), p, encoder.vocabulary().size());
            RunFolder.prepare(out, resumeFrom != null);
            int maxSteps = Math.max(1, Math.max(fit.maxLength(), Math.max(val.maxLength(), tst == null ? 0 : tst.maxLength())));
            WorkerSpec spec = new WorkerSpec(cfg.toJson(), encoder.vocabulary().size(), maxSteps);
            try (SequenceClassifier model = new SequenceClassifier(cfg.modelConfig(encoder.vocabulary().size()), cfg.seed(),
                    maxSteps, cfg.batch());
                 Optimizer optimizer = Optimizers.create(cfg.optimizer(), model.parameters(), cfg.lr(), cfg.momentum(),
                         cfg.weightDecay())) {
                TrainState state = TrainState.fresh();
                if (resumeFrom != null) {
                    resumeFrom.loadInto(model);
                    resumeFrom.loadOptimizer(optimizer);
                    state = resumeFrom.state();
                    if (state.bestEpoch() == state.epoch() && state.epoch() > 0) {
                        AtomicFiles.copy(out.resolve(RunFolder.LAST), out.resolve(RunFolder.BEST));
                    }
                }
                List<Map<String, ?>> lines = new ArrayList<>();
                for (EpochStats s : state.history()) lines.add(s.toMap());
                MetricsLog.rewrite(out.resolve(RunFolder.METRICS), lines);
                log.printf("model: %,d parameters; %s lr %s (%s), global batch %d, sync every %d step%s%n", model.parameterCount(),
                        cfg.optimizer(), cfg.lr(), cfg.lrSchedule(), cfg.batch(), settings.syncEvery(),
                        settings.syncEvery() == 1 ? "" : "s");
                TrainingStep step = new TrainingStep(model, optimizer, model.parameters(), cfg.clipNorm(), cfg.clipValue());
                long rounds = 0;
                double seconds = 0;
                try (MetricsLog metrics = MetricsLog.append(out.resolve(RunFolder.METRICS))) {
                    boolean early = false;
                    for (int epoch = state.epoch() + 1; epoch <= Math.min(cfg.epochs(), stopAfterEpoch) && !early; epoch++) {
                        long t0 = System.nanoTime();
                        EpochOutcome e = epoch(epoch, model, optimizer, step, spec, fit, val, state, encoder, metrics, fingerprint);
                        state = e.state;
                        rounds += e.rounds;
                        seconds += (System.nanoTime() - t0) / 1e9;
                        early = val.size() > 0 && EarlyStopping.exhausted(cfg.patience(), state.epoch(), state.bestEpoch());
                        if (early) log.println(EarlyStopping.message(cfg.patience(), "epoch", state.bestEpoch()));
                    }
                    if ((state.epoch() < cfg.epochs() && !early) || tst == null) {
                        return new Result(out, state, null, rounds, seconds);
                    }
                    Path best = out.resolve(RunFolder.BEST);
                    int tested = state.epoch();
                    if (state.bestEpoch() != state.epoch() && Files.exists(best)) {
                        SentimentCheckpoint.load(best).loadInto(model);
                        tested = state.bestEpoch();
                    }
                    BinaryMetrics t = evaluate(spec, tst, model.parameters());
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("event", "test");
                    m.put("epoch", tested);
                    m.putAll(t.toMap());
                    metrics.write(m);
                    log.printf("test (epoch %d, %d examples): accuracy %.2f%%  F1 %.4f  loss %.4f%n", tested, t.count(),
                            100 * t.accuracy(), t.f1(), t.loss());
                    return new Result(out, state, t, rounds, seconds);
                }
            }
        } finally {
            fit.release();
            val.release();
            if (tst != null) tst.release();
            valMask.destroy();
            renumber.destroy();
        }
    }

    private record EpochOutcome(TrainState state, long rounds) {}

    private EpochOutcome epoch(int epoch, SequenceClassifier model, Optimizer optimizer, TrainingStep step, WorkerSpec spec,
                               ShardedData.Encoded fit, ShardedData.Encoded val, TrainState state, TextEncoder encoder,
                               MetricsLog metrics, String fingerprint) {
        List<int[]> plan = Batcher.trainingPlan(fit.lengths(), cfg.batch(), cfg.seed(), epoch);
        long done = state.steps();
        long totalSteps = (long) cfg.epochs() * plan.size();
        int k = settings.syncEvery();
        double lossSum = 0, normSum = 0;
        long correct = 0, seen = 0, rounds = 0, normCount = 0;
        long start = System.nanoTime();
        List<Parameter> params = model.parameters();
        for (int first = 0; first < plan.size(); first += k) {
            int size = Math.min(k, plan.size() - first);
            int[][] batches = new int[size][];
            double[] lrs = new double[size];
            for (int j = 0; j < size; j++) {
                batches[j] = plan.get(first + j);
                lrs[j] = cfg.learningRate(done + j, totalSteps);
            }
            long firstStep = done + 1;
            Broadcast<Weights> bc = sc.broadcast(Weights.of(params, size > 1 ? optimizer : null));
            List<ShardResult> results;
            try {
                results = fit.shards().map(new RoundTask(spec, bc, batches, lrs, firstStep, settings.partitions(),
                        settings.taskThreads(), settings.fault())).collect();
            } catch (Exception e) { // SparkException, undeclared by Scala
                throw failed(epoch, firstStep, e, metrics);
            } finally {
                bc.destroy();
            }
            long count = 0;
            double roundLoss = 0;
            float[][] sums = null, stateSums = null;
            for (ShardResult r : results) {  // partition order: the same sums on every run
                if (r.count() == 0) continue;
                count += r.count();
                roundLoss += r.lossSum();
                correct += r.correct();
                normSum += r.normSum();
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
            if (size == 1) {
                for (int i = 0; i < params.size(); i++) params.get(i).grad().copyFrom(sums[i]);
                optimizer.setLearningRate(lrs[0]);
                try {
                    step.update((float) (roundLoss / count), firstStep);
                } catch (UpdateGuard.Diverged d) {
                    throw diverged(epoch, firstStep, d.what(), metrics, d.parameter());
                }
                normSum += step.gradNorm();
            } else {
                ShardResult.scale(stateSums, inv);
                new Weights(sums, null, 0).loadInto(params);
                Weights.loadState(optimizer, stateSums);
                optimizer.setSteps(done + size);
                optimizer.setLearningRate(lrs[size - 1]);
                for (float[] a : sums) for (float v : a) {
                    if (!Float.isFinite(v)) throw diverged(epoch, done + size, "an averaged parameter is not finite", metrics, "parameters");
                }
            }
            normCount += size == 1 ? 1 : results.stream().mapToLong(ShardResult::steps).sum();
            lossSum += roundLoss;
            seen += count;
            done += size;
            rounds++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        BinaryMetrics v = evaluate(spec, val, params);
        boolean hasVal = v.count() > 0;
        EpochStats s = new EpochStats(epoch, done, lossSum / seen, (double) correct / seen,
                hasVal ? v.loss() : Double.NaN, hasVal ? v.accuracy() : Double.NaN, hasVal ? v.f1() : Double.NaN,
                normCount == 0 ? 0 : normSum / normCount, seconds, seen / seconds, Double.NaN);
        List<EpochStats> history = new ArrayList<>(state.history());
        history.add(s);
        boolean improved = !hasVal || !(s.valAccuracy() <= state.bestValAccuracy());
        TrainState next = new TrainState(epoch, done, improved ? (hasVal ? s.valAccuracy() : Double.NaN) : state.bestValAccuracy(),
                improved ? epoch : state.bestEpoch(), List.copyOf(history));
        SentimentCheckpoint.save(out.resolve(RunFolder.LAST), model, optimizer, cfg, encoder, next, fingerprint);
        if (improved) AtomicFiles.copy(out.resolve(RunFolder.LAST), out.resolve(RunFolder.BEST));
        metrics.write(s.toMap());
        log.printf("epoch %d/%d  train loss %.4f acc %.2f%%  %s  %.1f s  %.0f seq/s  %d rounds (%.1f ms each)%s%n", epoch,
                cfg.epochs(), s.trainLoss(), 100 * s.trainAccuracy(),
                hasVal ? String.format("val loss %.4f acc %.2f%%", s.valLoss(), 100 * s.valAccuracy()) : "(no validation)",
                seconds, seen / seconds, rounds, 1000 * seconds / rounds, improved && hasVal ? "  * best" : "");
        log.flush();
        return new EpochOutcome(next, rounds);
    }

    /** Evaluates {@code params} on every partition of {@code set}; the counts are summed in partition order. */
    BinaryMetrics evaluate(WorkerSpec spec, ShardedData.Encoded set, List<Parameter> params) {
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

    private AppException diverged(int epoch, long step, String what, MetricsLog metrics, String parameter) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "diverged");
        m.put("epoch", epoch);
        m.put("step", step);
        m.put("parameter", parameter);
        metrics.write(m);
        return new AppException("training stopped at step " + step + " (epoch " + epoch + "): " + what
                + ". The last good checkpoint is " + out.resolve(RunFolder.LAST) + " if epoch " + (epoch - 1)
                + " finished. Lower --lr (now " + cfg.lr() + ") or clip gradients with --clip-norm.");
    }

    private AppException failed(int epoch, long step, Exception e, MetricsLog metrics) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof AppException a) return a;
        String what = root.getMessage() == null ? root.getClass().getSimpleName() : AppException.plain(root.getMessage());
        if (what.contains("the loss is") || what.contains("is not finite")) {
            return diverged(epoch, step, "a partition's local step diverged (" + what + ")", metrics, "local");
        }
        return new AppException("the Spark job of step " + step + " (epoch " + epoch + ") failed after its retries: " + what
                + ". The last checkpoint is kept; fix the cause and continue with --resume.", e);
    }
}
