package dev.recur.spark;

import dev.recur.app.core.Io;
import dev.recur.app.run.Choices.FreezeKind;
import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.ModelKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.Choices.PoolKind;
import dev.recur.app.run.Choices.TruncateKind;
import dev.recur.app.sentiment.TrainConfig;
import dev.recur.app.sentiment.Trainer;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * The numbers of docs/spark.md (not a test; run by hand, see there): on {@code local[2]} with the
 * app's default model on the embedded sample, the cost of an empty Spark job, of broadcasting the
 * parameters and collecting two gradient-sized results, and one epoch of training for K = 1, 4, 16
 * against the single-process trainer on the same data.
 */
public final class SparkMeasurements {
    private SparkMeasurements() {}

    static TrainConfig config(int epochs) {
        return new TrainConfig(ModelKind.lstm, 1, false, 64, 64, 10_000, PoolKind.max, 0.2, 400, TruncateKind.end, 64,
                epochs, 0.004, OptimizerKind.adamw, 0.9, 0.3, 5.0, 0, 0, 42, 1, 0.1, "sample", LrScheduleKind.cosine, null,
                FreezeKind.none, 0, 0, 4, 0.8);
    }

    /** No arguments: everything; else only the training epochs of the K values given (e.g. {@code 4 16}). */
    public static void main(String[] args) throws Exception {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("recur-measure")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Path tmp = Files.createTempDirectory("recur-measure");
        int paramCount = 673_345;

        int[] ks = args.length == 0 ? new int[] {1, 4, 16} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        if (args.length == 0) overheads(sc, tmp, paramCount);
        for (int k : ks) {
            SentimentInput.Data d = SentimentInput.imdb(spark, Path.of(SentimentInput.SAMPLE), 2);
            SparkTrainer.Result r = new SparkTrainer(spark, config(1), SparkSettings.of(2, k), tmp.resolve("k" + k), quiet)
                    .run(d.train(), null, null);
            double sec = r.state().history().get(0).seconds();
            System.out.printf("K = %d: %.1f s/epoch, %d rounds, %.1f ms/round, %.0f seq/s, val acc %.2f%%%n", k, sec,
                    r.rounds(), 1000 * sec / r.rounds(), r.state().history().get(0).seqPerSec(),
                    100 * r.state().history().get(0).valAccuracy());
        }
        spark.stop();
    }

    private static void overheads(JavaSparkContext sc, Path tmp, int paramCount) {
        JavaRDD<Integer> two = sc.parallelize(List.of(0, 1), 2).cache();
        two.count();
        for (int i = 0; i < 20; i++) two.map(x -> x).collect(); // warm-up
        long t = System.nanoTime();
        int n = 100;
        for (int i = 0; i < n; i++) two.map(x -> x).collect();
        System.out.printf("empty job on 2 partitions: %.2f ms%n", (System.nanoTime() - t) / 1e6 / n);

        float[] params = new float[paramCount];
        for (int i = 0; i < 5; i++) exchange(sc, two, params);
        t = System.nanoTime();
        n = 30;
        for (int i = 0; i < n; i++) exchange(sc, two, params);
        System.out.printf("broadcast %.1f MB + collect 2 × %.1f MB: %.2f ms%n", paramCount * 4 / 1e6, paramCount * 4 / 1e6,
                (System.nanoTime() - t) / 1e6 / n);

        Io io = new Io(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                new ByteArrayInputStream(new byte[0]), false);
        Trainer.Result single = new Trainer(config(1), tmp.resolve("single"), io).stopAfterEpoch(1).run(null, null, null);
        double s1 = single.state().history().get(0).seconds();
        System.out.printf("single process, 1 thread: %.1f s/epoch, %.1f ms/step (%d steps), %.0f seq/s, val acc %.2f%%%n", s1,
                1000 * s1 / single.state().steps(), single.state().steps(), single.state().history().get(0).seqPerSec(),
                100 * single.state().history().get(0).valAccuracy());
    }

    private static void exchange(JavaSparkContext sc, JavaRDD<Integer> two, float[] params) {
        Broadcast<float[]> bc = sc.broadcast(params);
        two.map(x -> bc.value().clone()).collect();
        bc.destroy();
    }
}
