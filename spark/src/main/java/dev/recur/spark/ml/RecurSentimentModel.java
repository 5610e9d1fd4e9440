package dev.recur.spark.ml;

import dev.recur.app.core.AppException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsReader.Metadata;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * A trained Recur sentiment classifier as a Spark ML model: {@code transform} adds
 * {@code prediction} (1.0 positive, 0.0 negative) and {@code probability} (a vector
 * {@code [P(negative), P(positive)]}, as Spark's classifiers give it) for the texts of
 * {@code textCol}. It holds the app's safetensors checkpoint ({@link #checkpoint()}: weights,
 * configuration, vocabulary, tokenizer rules), so {@code predict} of the app reads the same bytes.
 *
 * <p>Saved as Spark ML stages are: the params' metadata, plus {@code model.safetensors} beside it.
 */
public final class RecurSentimentModel extends Model<RecurSentimentModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** The checkpoint's file name inside a saved model's folder. */
    public static final String CHECKPOINT = "model.safetensors";

    private final String uid;
    private final byte[] checkpoint;

    private final Param<String> textCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final IntParam batchSize;

    /** A model of checkpoint bytes (a sentiment checkpoint as the app writes it). */
    public RecurSentimentModel(String uid, byte[] checkpoint) {
        this.uid = uid;
        // the params after the uid: a Param records its parent's uid when it is made
        textCol = new Param<>(this, "textCol", "column of the texts");
        predictionCol = new Param<>(this, "predictionCol", "output column of the predicted label");
        probabilityCol = new Param<>(this, "probabilityCol", "output column of [P(0), P(1)]");
        batchSize = new IntParam(this, "batchSize", "texts per forward pass when predicting");
        this.checkpoint = checkpoint.clone();
        setDefault(textCol, "text");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(batchSize, (Object) 64);
    }

    @Override
    public String uid() { return uid; }

    /** The safetensors checkpoint (a copy). */
    public byte[] checkpoint() { return checkpoint.clone(); }

    public Param<String> textCol() { return textCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public IntParam batchSize() { return batchSize; }

    public RecurSentimentModel setTextCol(String v) { set(textCol, v); return this; }
    public RecurSentimentModel setPredictionCol(String v) { set(predictionCol, v); return this; }
    public RecurSentimentModel setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public RecurSentimentModel setBatchSize(int v) { set(batchSize, (Object) v); return this; }

    static void requireColumn(StructType schema, String name) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw AppException.usage("the data has no column '" + name + "' (it has " + String.join(", ", schema.fieldNames())
                    + "); set the column param to one of them");
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireColumn(schema, getOrDefault(textCol));
        for (String out : List.of(getOrDefault(predictionCol), getOrDefault(probabilityCol))) {
            if (Arrays.asList(schema.fieldNames()).contains(out)) {
                throw AppException.usage("the data already has a column '" + out + "'; set predictionCol/probabilityCol to new names");
            }
        }
        return schema.add(new StructField(getOrDefault(predictionCol), DataTypes.DoubleType, false, org.apache.spark.sql.types.Metadata.empty()))
                .add(new StructField(getOrDefault(probabilityCol), SQLDataTypes.VectorType(), false, org.apache.spark.sql.types.Metadata.empty()));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        SparkSession spark = dataset.sparkSession();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> bytes = sc.broadcast(checkpoint);
        int textIndex = dataset.schema().fieldIndex(getOrDefault(textCol));
        String column = getOrDefault(textCol);
        int batch = (Integer) getOrDefault(batchSize);
        String key = uid + "@" + Arrays.hashCode(checkpoint);
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitions((Iterator<Row> it) -> {
            Predictor p = Predictors.borrow(key, bytes.value(), batch);
            try {
                List<Row> done = new ArrayList<>();
                List<Row> pending = new ArrayList<>(batch);
                List<String> texts = new ArrayList<>(batch);
                float[] prob = new float[batch];
                while (it.hasNext()) {
                    Row r = it.next();
                    Object t = r.get(textIndex);
                    if (!(t instanceof String s)) {
                        throw new AppException("text column '" + column + "' holds " + (t == null ? "nothing" : "a non-text value")
                                + " in a row; fill or drop such rows before transform");
                    }
                    pending.add(r);
                    texts.add(s);
                    if (pending.size() == batch || !it.hasNext()) {
                        p.predict(texts, prob);
                        for (int i = 0; i < pending.size(); i++) {
                            Row in = pending.get(i);
                            Object[] v = new Object[in.length() + 2];
                            for (int c = 0; c < in.length(); c++) v[c] = in.get(c);
                            v[in.length()] = prob[i] >= 0.5f ? 1.0 : 0.0;
                            v[in.length() + 1] = Vectors.dense(1.0 - prob[i], prob[i]);
                            done.add(RowFactory.create(v));
                        }
                        pending.clear();
                        texts.clear();
                    }
                }
                return done.iterator();
            } finally {
                Predictors.release(key, batch, p);
            }
        });
        return spark.createDataFrame(rows, out);
    }

    @Override
    public RecurSentimentModel copy(ParamMap extra) {
        return copyValues(new RecurSentimentModel(uid, checkpoint), extra).setParent(parent());
    }

    @Override
    public MLWriter write() { return new Writer(this); }

    /** Reads a model written by {@code write().save(path)} (or inside a saved PipelineModel). */
    public static MLReader<RecurSentimentModel> read() { return new Reader(); }

    public static RecurSentimentModel load(String path) { return read().load(path); }

    private static final class Writer extends MLWriter {
        private final RecurSentimentModel model;

        Writer(RecurSentimentModel model) { this.model = model; }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sparkSession());
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(path, CHECKPOINT);
            try {
                FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                try (OutputStream o = fs.create(file, true)) {
                    o.write(model.checkpoint);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }
    }

    private static final class Reader extends MLReader<RecurSentimentModel> {
        @Override
        public RecurSentimentModel load(String path) {
            Metadata meta = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(), RecurSentimentModel.class.getName());
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(path, CHECKPOINT);
            byte[] bytes;
            try {
                FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                try (InputStream in = fs.open(file)) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    in.transferTo(b);
                    bytes = b.toByteArray();
                }
            } catch (IOException e) {
                throw new AppException("cannot read the model's checkpoint " + file + ": " + e.getMessage(), e);
            }
            RecurSentimentModel m = new RecurSentimentModel(meta.uid(), bytes);
            meta.getAndSetParams(m, Option.empty());
            return m;
        }
    }
}
