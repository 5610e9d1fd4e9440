package dev.recur.spark;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.data.TextEncoder;
import dev.recur.app.data.Tokenizer;
import dev.recur.app.data.Vocabulary;
import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.Optimizers;
import dev.recur.app.run.RunFolder;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.sentiment.BinaryMetrics;
import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.app.sentiment.SentimentTask;
import dev.recur.app.sentiment.TrainConfig;
import dev.recur.app.sentiment.TrainState;
import dev.recur.app.sentiment.Trainer;
import dev.recur.engine.Engine;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Optimizer;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * The sentiment classifier trained data-parallel on Spark: the same run as the app's {@code train}
 * ({@link Trainer}: data order, validation split, vocabulary, batch plans, learning-rate schedule,
 * clipping, optimizer, checkpoints, metrics, {@code --resume}), on the app's one
 * {@link TrainingLoop}, with each batch's forward and backward spread over the partitions
 * ({@link SparkSentimentTask}).
 *
 * <p>The data side runs on the executors: tokens and the vocabulary's word counts, token ids,
 * shards cached in memory ({@link ShardedData}); the driver keeps every example's length (for the
 * batch plans) and the model. Files under the output folder as {@code train} writes them:
 * {@code last.safetensors} (every epoch, atomically), {@code best.safetensors},
 * {@code metrics.jsonl} and the curves' picture.
 */
public final class SparkTrainer {
    /** What a run leaves: the folder, the final state, the test figures (null without test data), timing. */
    public record Result(Path out, TrainState state, BinaryMetrics test, long rounds, double trainSeconds) {}

    /** The curves' picture in the output folder. */
    public static final String PLOT = "training-curves.png";

    private final SparkSession spark;
    private final JavaSparkContext sc;
    private final TrainConfig cfg;
    private final SparkSettings settings;
    private final Path out;
    private final PrintStream log;
    private final Io io;
    private int stopAfterEpoch = Integer.MAX_VALUE;

    public SparkTrainer(SparkSession spark, TrainConfig cfg, SparkSettings settings, Path out, PrintStream log) {
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.cfg = cfg;
        this.settings = settings;
        this.out = out;
        this.log = log;
        PrintWriter w = new PrintWriter(log, true);
        this.io = new Io(w, w, InputStream.nullInputStream(), false);
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
                model.setGradientWindow(cfg.tbptt());
                TrainingLoop.Position from = TrainingLoop.Position.START;
                if (resumeFrom != null) {
                    resumeFrom.loadInto(model);
                    resumeFrom.loadOptimizer(optimizer);
                    from = SentimentTask.position(resumeFrom.state());
                }
                log.printf("model: %,d parameters; %s lr %s (%s), global batch %d, sync every %d step%s%n", model.parameterCount(),
                        cfg.optimizer(), cfg.lr(), cfg.lrSchedule(), cfg.batch(), settings.syncEvery(),
                        settings.syncEvery() == 1 ? "" : "s");
                TrainingLoop.Settings loop = TrainingLoop.Settings.of(out, SentimentCheckpoint.TASK, cfg.epochs(), cfg.lr())
                        .withSchedule(cfg.schedule()).withClipping(cfg.clipNorm(), cfg.clipValue()).withPatience(cfg.patience())
                        .withUnit("seq").withPlot("IMDB on Spark, " + cfg.model() + " " + cfg.hidden(), PLOT).withBestResumable(true);
                SparkSentimentTask task = new SparkSentimentTask(sc, settings, spec, cfg, model, optimizer, encoder, fit, val,
                        fingerprint);
                long t0 = System.nanoTime();
                TrainingLoop.Outcome o = new TrainingLoop(loop, task, optimizer, model.parameters(), model.parameters(), io)
                        .stopAfterEpoch(stopAfterEpoch).run(from);
                double seconds = (System.nanoTime() - t0) / 1e9;
                TrainState state = SentimentTask.state(o.at(), o.history());
                if (o.interrupted() || tst == null) return new Result(out, state, null, task.rounds(), seconds);
                Path best = out.resolve(RunFolder.BEST);
                int tested = state.epoch();
                if (state.bestEpoch() != state.epoch() && Files.exists(best)) {
                    SentimentCheckpoint.load(best).loadInto(model);
                    tested = state.bestEpoch();
                }
                BinaryMetrics t = SparkSentimentTask.evaluate(sc, spec, settings, tst, model.parameters());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("event", "test");
                m.put("epoch", tested);
                m.putAll(t.toMap());
                try (MetricsLog metrics = MetricsLog.append(out.resolve(RunFolder.METRICS))) {
                    metrics.write(m);
                }
                log.printf("test (epoch %d, %d examples): accuracy %.2f%%  F1 %.4f  loss %.4f%n", tested, t.count(),
                        100 * t.accuracy(), t.f1(), t.loss());
                return new Result(out, state, t, task.rounds(), seconds);
            }
        } finally {
            fit.release();
            val.release();
            if (tst != null) tst.release();
            valMask.destroy();
            renumber.destroy();
        }
    }
}
