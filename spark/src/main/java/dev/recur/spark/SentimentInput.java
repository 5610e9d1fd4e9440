package dev.recur.spark;

import dev.recur.app.core.AppException;
import dev.recur.app.data.ImdbDataset;
import dev.recur.app.data.Review;
import dev.recur.app.data.Review.Split;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Reads labelled texts in the formats Spark reads, plus IMDB's layout.
 *
 * <ul>
 * <li>{@code parquet}, {@code json} (JSON lines), {@code csv} (a header line; quoted fields may span
 *     lines): any files with a text column and a label column (names given; labels 0/1, true/false
 *     or neg/pos);</li>
 * <li>{@code text}: one example per line, {@code label<TAB>text};</li>
 * <li>{@code imdb}: an {@code aclImdb/} folder or {@code aclImdb_v1.tar.gz}, read on the driver by the
 *     app's {@link ImdbDataset} (so in the same order as {@code train} reads it) and distributed;
 *     a local path, for data that fits the driver; {@value #SAMPLE} is the sample embedded in the app.
 *     Its test split is the test data.</li>
 * </ul>
 */
public final class SentimentInput {
    /** The input formats. */
    public enum Format { imdb, parquet, csv, json, text }

    /** The training examples and (imdb only, else null) the test examples. */
    public record Data(JavaRDD<LabeledText> train, JavaRDD<LabeledText> test, String source) {}

    private SentimentInput() {}

    /** Column names of the {@code text} format's frame. */
    public static final String TEXT = "text", LABEL = "label";

    /**
     * Reads {@code path} in {@code format}; {@code textCol}/{@code labelCol} name the columns of
     * parquet, csv and json. {@code slices}: partitions of the driver-read imdb data.
     */
    public static Data read(SparkSession spark, Format format, String path, String textCol, String labelCol, int slices) {
        if (format == Format.imdb) return imdb(spark, Path.of(path), slices);
        Dataset<Row> frame = frame(spark, format, path);
        String t = format == Format.text ? TEXT : textCol, l = format == Format.text ? LABEL : labelCol;
        for (String c : List.of(t, l)) {
            if (!List.of(frame.columns()).contains(c)) {
                throw AppException.usage(path + " has no column '" + c + "' (it has " + String.join(", ", frame.columns())
                        + "); name the columns with --text-col and --label-col");
            }
        }
        return new Data(ShardedData.examples(frame, t, l), null, path);
    }

    /** A frame of {@code path} in one of the formats Spark reads (not imdb). */
    public static Dataset<Row> frame(SparkSession spark, Format format, String path) {
        try {
            return switch (format) {
                case parquet -> spark.read().parquet(path);
                case json -> spark.read().json(path);
                case csv -> spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(path);
                case text -> {
                    Dataset<Row> lines = spark.read().text(path);
                    Dataset<Row> cut = lines.filter(functions.length(functions.col("value")).gt(0))
                            .select(functions.split(functions.col("value"), "\t", 2).as("parts"));
                    yield cut.select(functions.col("parts").getItem(1).as(TEXT), functions.col("parts").getItem(0).as(LABEL));
                }
                case imdb -> throw new IllegalArgumentException("imdb is read by imdb(), not as a frame");
            };
        } catch (AppException e) {
            throw e;
        } catch (Exception e) {
            throw new AppException("cannot read " + path + " as " + format.name().toLowerCase(Locale.ROOT) + ": "
                    + AppException.plain(String.valueOf(e.getMessage()).lines().findFirst().orElse("")), e);
        }
    }

    /** The {@code --data} of the imdb format that names the 5,000-review sample embedded in the app. */
    public static final String SAMPLE = "sample";

    /** IMDB's folder or archive (or {@value #SAMPLE}), read by the app's reader on the driver, in its order. */
    public static Data imdb(SparkSession spark, Path path, int slices) {
        ImdbDataset ds = path.toString().equals(SAMPLE) ? ImdbDataset.loadEmbeddedSample(EnumSet.of(Split.TRAIN, Split.TEST))
                : ImdbDataset.load(path, EnumSet.of(Split.TRAIN, Split.TEST));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return new Data(sc.parallelize(labelled(ds.train()), slices), sc.parallelize(labelled(ds.test()), slices), ds.source());
    }

    private static List<LabeledText> labelled(List<Review> reviews) {
        List<LabeledText> out = new ArrayList<>(reviews.size());
        for (int i = 0; i < reviews.size(); i++) out.add(new LabeledText(i, reviews.get(i).text(), reviews.get(i).label()));
        return out;
    }
}
