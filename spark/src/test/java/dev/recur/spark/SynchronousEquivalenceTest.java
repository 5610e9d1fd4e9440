package dev.recur.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.core.Io;
import dev.recur.app.run.RunFolder;
import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.app.sentiment.TrainConfig;
import dev.recur.app.sentiment.Trainer;
import dev.recur.layers.Parameter;
import dev.recur.layers.model.SequenceClassifier;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * K = 1 on {@code local[2]} with 2 partitions is the app's single-process {@code train}: same data
 * order, validation split, vocabulary, batches, schedule and optimizer, so the same weights to float
 * tolerance (the gradient sums are added in another order); and two Spark runs give the same bits,
 * also when one task attempt fails and is retried.
 */
class SynchronousEquivalenceTest {
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    @TempDir static Path tmp;
    static Path data;
    static float[][] spark1;

    @BeforeAll
    static void data() {
        data = TinyImdb.write(tmp.resolve("aclImdb"), 360, 60);
    }

    static float[][] weights(Path checkpoint) {
        SentimentCheckpoint ck = SentimentCheckpoint.load(checkpoint);
        try (SequenceClassifier m = ck.newModel(60, 32)) {
            List<Parameter> ps = m.parameters();
            float[][] w = new float[ps.size()][];
            for (int i = 0; i < w.length; i++) w[i] = ps.get(i).value().toArray();
            return w;
        }
    }

    static Path sparkRun(String name, TrainConfig cfg, SparkSettings settings) {
        SparkSession spark = LocalSpark.get();
        SentimentInput.Data d = SentimentInput.imdb(spark, data, 2);
        Path out = tmp.resolve(name);
        new SparkTrainer(spark, cfg, settings, out, QUIET).run(d.train(), d.test(), null);
        return out.resolve(RunFolder.LAST);
    }

    static synchronized float[][] firstSparkRun() {
        if (spark1 == null) spark1 = weights(sparkRun("spark1", TinyImdb.config(0, 2), SparkSettings.of(2, 1)));
        return spark1;
    }

    @Test
    void sameWeightsAsTheSingleProcessTrainerToFloatTolerance() {
        TrainConfig cfg = TinyImdb.config(0, 2);
        Path single = tmp.resolve("single");
        Io io = new Io(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                new ByteArrayInputStream(new byte[0]), false);
        new Trainer(cfg, single, io).run(data, null, null);
        float[][] a = weights(single.resolve(RunFolder.LAST)), b = firstSparkRun();
        assertEquals(a.length, b.length);
        double maxDiff = 0, maxAbs = 0;
        boolean moved = false;
        float[][] init = initialWeights(cfg, single);
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i][j] - b[i][j]));
                maxAbs = Math.max(maxAbs, Math.abs(a[i][j]));
                moved |= a[i][j] != init[i][j];
            }
        }
        assertTrue(moved, "the single-process run did not train");
        assertTrue(maxDiff < 2e-4, "largest weight difference to the single-process run: " + maxDiff + " (largest weight " + maxAbs + ")");
    }

    @Test
    void twoSparkRunsGiveTheSameBits() {
        float[][] again = weights(sparkRun("spark2", TinyImdb.config(0, 2), SparkSettings.of(2, 1)));
        float[][] first = firstSparkRun();
        for (int i = 0; i < first.length; i++) assertArrayEquals(first[i], again[i], 0f, "parameter " + i);
    }

    @Test
    void aRetriedTaskChangesNoBit() {
        // the first attempt of partition 1's task in the round of step 5 throws; local[2,2] retries it
        float[][] retried = weights(sparkRun("retried", TinyImdb.config(0, 2),
                SparkSettings.of(2, 1).withFault(new TaskFault(5, 1))));
        float[][] first = firstSparkRun();
        for (int i = 0; i < first.length; i++) assertArrayEquals(first[i], retried[i], 0f, "parameter " + i);
    }

    @Test
    void localSgdTrainsAndRepeatsItsBits() {
        // 324 training reviews in 11 batches of 32: rounds of 5, 5 and 1 batches (the last one alone)
        TrainConfig cfg = TinyImdb.config(0.2, 1);
        float[][] a = weights(sparkRun("local-a", cfg, SparkSettings.of(2, 5)));
        float[][] b = weights(sparkRun("local-b", cfg, SparkSettings.of(2, 5)));
        for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], 0f, "parameter " + i);
        float[][] init = initialWeights(cfg, tmp.resolve("local-a"));
        double moved = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                assertTrue(Float.isFinite(a[i][j]), "parameter " + i + " is not finite");
                moved = Math.max(moved, Math.abs(a[i][j] - init[i][j]));
            }
        }
        assertTrue(moved > 1e-3, "local SGD left the weights where they started (largest change " + moved + ")");
    }

    /** The weights a run of {@code cfg} in {@code out} started from (the model as its seed makes it). */
    private static float[][] initialWeights(TrainConfig cfg, Path out) {
        try (SequenceClassifier m = new SequenceClassifier(cfg.modelConfig(SentimentCheckpoint.load(out
                .resolve(RunFolder.LAST)).encoder().vocabulary().size()), cfg.seed(), 60, 32)) {
            List<Parameter> ps = m.parameters();
            float[][] w = new float[ps.size()][];
            for (int i = 0; i < w.length; i++) w[i] = ps.get(i).value().toArray();
            return w;
        }
    }
}
