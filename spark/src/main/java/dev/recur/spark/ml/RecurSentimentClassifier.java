package dev.recur.spark.ml;

import dev.recur.app.core.AppException;
import dev.recur.app.run.Choices.FreezeKind;
import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.ModelKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.Choices.PoolKind;
import dev.recur.app.run.Choices.TruncateKind;
import dev.recur.app.run.LrSchedule;
import dev.recur.app.run.RunFolder;
import dev.recur.app.sentiment.TrainConfig;
import dev.recur.spark.LabeledText;
import dev.recur.spark.ShardedData;
import dev.recur.spark.SparkSettings;
import dev.recur.spark.SparkTrainer;
import dev.recur.spark.TaskFault;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML estimator that trains Recur's sentiment classifier (RNN, LSTM or GRU) on a text column
 * and a 0/1 label column, data-parallel over the frame's partitions ({@link SparkTrainer}), and
 * returns a {@link RecurSentimentModel}. The model options are {@code Param}s with the app's
 * defaults; it fits in a {@code Pipeline} and saves and loads as Spark ML stages do.
 *
 * <pre>{@code
 * RecurSentimentClassifier lstm = new RecurSentimentClassifier().setTextCol("review").setLabelCol("positive")
 *         .setEpochs(4).setSyncEvery(1);
 * RecurSentimentModel model = lstm.fit(train);
 * model.transform(test).select("review", "prediction", "probability").show();
 * }</pre>
 */
public final class RecurSentimentClassifier extends Estimator<RecurSentimentModel> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;

    private final Param<String> textCol;
    private final Param<String> labelCol;
    private final Param<String> cell;
    private final IntParam layers;
    private final BooleanParam bidirectional;
    private final IntParam hidden;
    private final IntParam embed;
    private final IntParam vocabSize;
    private final IntParam maxLen;
    private final Param<String> pool;
    private final DoubleParam dropout;
    private final IntParam batchSize;
    private final IntParam epochs;
    private final DoubleParam learningRate;
    private final Param<String> lrSchedule;
    private final Param<String> optimizer;
    private final DoubleParam weightDecay;
    private final DoubleParam clipNorm;
    private final LongParam seed;
    private final DoubleParam validationSplit;
    private final IntParam partitions;
    private final IntParam syncEvery;
    private final Param<String> checkpointDir;

    public RecurSentimentClassifier() { this(Identifiable$.MODULE$.randomUID("recurSentiment")); }

    public RecurSentimentClassifier(String uid) {
        this.uid = uid;
        // the params after the uid: a Param records its parent's uid when it is made
        textCol = new Param<>(this, "textCol", "column of the texts");
        labelCol = new Param<>(this, "labelCol", "column of the labels: 0/1, true/false or neg/pos");
        cell = new Param<>(this, "cell", "recurrent cell: rnn, lstm or gru");
        layers = new IntParam(this, "layers", "stacked recurrent layers");
        bidirectional = new BooleanParam(this, "bidirectional", "read the text both ways");
        hidden = new IntParam(this, "hidden", "hidden units per direction");
        embed = new IntParam(this, "embed", "word embedding size");
        vocabSize = new IntParam(this, "vocabSize", "vocabulary size, the two special ids included");
        maxLen = new IntParam(this, "maxLen", "words kept per text (its end)");
        pool = new Param<>(this, "pool", "pooling over time: last, mean or max");
        dropout = new DoubleParam(this, "dropout", "dropout probability");
        batchSize = new IntParam(this, "batchSize", "global batch size");
        epochs = new IntParam(this, "epochs", "passes over the data");
        learningRate = new DoubleParam(this, "learningRate", "peak learning rate");
        lrSchedule = new Param<>(this, "lrSchedule", "learning-rate schedule: constant, cosine or linear");
        optimizer = new Param<>(this, "optimizer", "sgd, adam or adamw");
        weightDecay = new DoubleParam(this, "weightDecay", "weight decay");
        clipNorm = new DoubleParam(this, "clipNorm", "gradient clipping by global norm, 0 = off");
        seed = new LongParam(this, "seed", "seed of initialisation, split and batch order");
        validationSplit = new DoubleParam(this, "validationSplit", "fraction held out to pick the best epoch; 0 = train on all, keep the last epoch");
        partitions = new IntParam(this, "partitions", "data shards (tasks per step); 0 = Spark's default parallelism");
        syncEvery = new IntParam(this, "syncEvery", "local steps between parameter averages; 1 = synchronous SGD");
        checkpointDir = new Param<>(this, "checkpointDir", "driver folder for the run's checkpoints and metrics; empty = a temporary folder, removed after fit");
        setDefault(textCol, "text");
        setDefault(labelCol, "label");
        setDefault(cell, "lstm");
        setDefault(layers, (Object) 1);
        setDefault(bidirectional, (Object) false);
        setDefault(hidden, (Object) 64);
        setDefault(embed, (Object) 64);
        setDefault(vocabSize, (Object) 10_000);
        setDefault(maxLen, (Object) 400);
        setDefault(pool, "max");
        setDefault(dropout, (Object) 0.2);
        setDefault(batchSize, (Object) 64);
        setDefault(epochs, (Object) 4);
        setDefault(learningRate, (Object) 0.004);
        setDefault(lrSchedule, "cosine");
        setDefault(optimizer, "adamw");
        setDefault(weightDecay, (Object) 0.3);
        setDefault(clipNorm, (Object) 5.0);
        setDefault(seed, (Object) 42L);
        setDefault(validationSplit, (Object) 0.0);
        setDefault(partitions, (Object) 0);
        setDefault(syncEvery, (Object) 1);
        setDefault(checkpointDir, "");
    }

    @Override
    public String uid() { return uid; }

    public Param<String> textCol() { return textCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> cell() { return cell; }
    public IntParam layers() { return layers; }
    public BooleanParam bidirectional() { return bidirectional; }
    public IntParam hidden() { return hidden; }
    public IntParam embed() { return embed; }
    public IntParam vocabSize() { return vocabSize; }
    public IntParam maxLen() { return maxLen; }
    public Param<String> pool() { return pool; }
    public DoubleParam dropout() { return dropout; }
    public IntParam batchSize() { return batchSize; }
    public IntParam epochs() { return epochs; }
    public DoubleParam learningRate() { return learningRate; }
    public Param<String> lrSchedule() { return lrSchedule; }
    public Param<String> optimizer() { return optimizer; }
    public DoubleParam weightDecay() { return weightDecay; }
    public DoubleParam clipNorm() { return clipNorm; }
    public LongParam seed() { return seed; }
    public DoubleParam validationSplit() { return validationSplit; }
    public IntParam partitions() { return partitions; }
    public IntParam syncEvery() { return syncEvery; }
    public Param<String> checkpointDir() { return checkpointDir; }

    public RecurSentimentClassifier setTextCol(String v) { set(textCol, v); return this; }
    public RecurSentimentClassifier setLabelCol(String v) { set(labelCol, v); return this; }
    public RecurSentimentClassifier setCell(String v) { set(cell, v); return this; }
    public RecurSentimentClassifier setLayers(int v) { set(layers, (Object) v); return this; }
    public RecurSentimentClassifier setBidirectional(boolean v) { set(bidirectional, (Object) v); return this; }
    public RecurSentimentClassifier setHidden(int v) { set(hidden, (Object) v); return this; }
    public RecurSentimentClassifier setEmbed(int v) { set(embed, (Object) v); return this; }
    public RecurSentimentClassifier setVocabSize(int v) { set(vocabSize, (Object) v); return this; }
    public RecurSentimentClassifier setMaxLen(int v) { set(maxLen, (Object) v); return this; }
    public RecurSentimentClassifier setPool(String v) { set(pool, v); return this; }
    public RecurSentimentClassifier setDropout(double v) { set(dropout, (Object) v); return this; }
    public RecurSentimentClassifier setBatchSize(int v) { set(batchSize, (Object) v); return this; }
    public RecurSentimentClassifier setEpochs(int v) { set(epochs, (Object) v); return this; }
    public RecurSentimentClassifier setLearningRate(double v) { set(learningRate, (Object) v); return this; }
    public RecurSentimentClassifier setLrSchedule(String v) { set(lrSchedule, v); return this; }
    public RecurSentimentClassifier setOptimizer(String v) { set(optimizer, v); return this; }
    public RecurSentimentClassifier setWeightDecay(double v) { set(weightDecay, (Object) v); return this; }
    public RecurSentimentClassifier setClipNorm(double v) { set(clipNorm, (Object) v); return this; }
    public RecurSentimentClassifier setSeed(long v) { set(seed, (Object) v); return this; }
    public RecurSentimentClassifier setValidationSplit(double v) { set(validationSplit, (Object) v); return this; }
    public RecurSentimentClassifier setPartitions(int v) { set(partitions, (Object) v); return this; }
    public RecurSentimentClassifier setSyncEvery(int v) { set(syncEvery, (Object) v); return this; }
    public RecurSentimentClassifier setCheckpointDir(String v) { set(checkpointDir, v); return this; }

    private int i(IntParam p) { return (Integer) getOrDefault(p); }

    private double d(DoubleParam p) { return (Double) getOrDefault(p); }

    private String s(Param<String> p) { return getOrDefault(p); }

    private static <E extends Enum<E>> E choice(Class<E> type, String param, String value) {
        try {
            return Enum.valueOf(type, value.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw AppException.usage(param + " is '" + value + "'; use one of " + Stream.of(type.getEnumConstants())
                    .map(Enum::name).toList());
        }
    }

    /** The training configuration the params describe, as the app's {@code train} would record it. */
    public TrainConfig trainConfig() {
        OptimizerKind opt = choice(OptimizerKind.class, "optimizer", s(optimizer));
        return new TrainConfig(choice(ModelKind.class, "cell", s(cell)), i(layers), (Boolean) getOrDefault(bidirectional),
                i(hidden), i(embed), i(vocabSize), choice(PoolKind.class, "pool", s(pool)), d(dropout), i(maxLen),
                TruncateKind.end, i(batchSize), i(epochs), d(learningRate), opt, 0.9, d(weightDecay), d(clipNorm), 0, 0,
                (Long) getOrDefault(seed), 1, d(validationSplit), "spark:" + uid, choice(LrScheduleKind.class, "lrSchedule",
                s(lrSchedule)), null, FreezeKind.none, 0, 0, LrSchedule.STEP_AFTER, LrSchedule.STEP_FACTOR);
    }

    @Override
    public RecurSentimentModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        SparkSession spark = dataset.sparkSession();
        TrainConfig cfg = trainConfig();
        JavaRDD<LabeledText> examples = ShardedData.examples(dataset.toDF(), s(textCol), s(labelCol));
        int p = i(partitions) > 0 ? i(partitions) : spark.sparkContext().defaultParallelism();
        boolean temporary = s(checkpointDir).isEmpty();
        try {
            Path out = temporary ? Files.createTempDirectory("recur-fit-") : Path.of(s(checkpointDir));
            try {
                new SparkTrainer(spark, cfg, new SparkSettings(p, i(syncEvery), 1, TaskFault.NONE), out,
                        new PrintStream(OutputStream.nullOutputStream())).run(examples, null, null);
                byte[] checkpoint = Files.readAllBytes(out.resolve(RunFolder.BEST));
                RecurSentimentModel model = new RecurSentimentModel(uid, checkpoint);
                copyValues(model, ParamMap.empty());
                return model.setParent(this);
            } finally {
                if (temporary) deleteTree(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        RecurSentimentModel.requireColumn(schema, s(textCol));
        RecurSentimentModel.requireColumn(schema, s(labelCol));
        return schema;
    }

    @Override
    public RecurSentimentClassifier copy(ParamMap extra) { return defaultCopy(extra); }

    /** Reads an estimator written by {@code write().save(path)} (or inside a saved Pipeline). */
    public static MLReader<RecurSentimentClassifier> read() { return new DefaultParamsReader<>(); }

    public static RecurSentimentClassifier load(String path) { return read().load(path); }
}
