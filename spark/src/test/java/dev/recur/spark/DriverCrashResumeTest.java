package dev.recur.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.run.MetricsLog;
import dev.recur.app.run.RunFolder;
import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.app.sentiment.TrainConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver killed after its first checkpoint (a separate JVM running {@code recur-spark}, killed
 * with SIGKILL) is continued with {@code --resume}: the weights at the end equal an uninterrupted
 * run's bit for bit.
 */
class DriverCrashResumeTest {
    @TempDir Path tmp;

    @Test
    void resumeAfterAKilledDriverGivesTheUninterruptedWeights() throws Exception {
        Path data = TinyImdb.write(tmp.resolve("aclImdb"), 240, 40);
        Path crashed = tmp.resolve("crashed");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add") || a.startsWith("--enable") || a.startsWith("--sun") || a.startsWith("-Xss")
                    || a.startsWith("-Djdk") || a.startsWith("-Dio")) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SparkTrain.class.getName(),
                "--master", "local[2]", "--data", data.toString(), "--out", crashed.toString(), "--partitions", "2",
                "--epochs", "3", "--hidden", "16", "--embed", "16", "--vocab-size", "400", "--max-len", "60", "--batch", "32",
                "--dropout", "0.2", "--threads", "1"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (epochsIn(crashed) < 1) {
                assertTrue(child.isAlive(), () -> "the child ended before its first checkpoint: " + log());
                assertTrue(System.nanoTime() < deadline, "no checkpoint after 3 minutes");
                Thread.sleep(50);
            }
        } finally {
            child.destroyForcibly().waitFor();
        }
        SentimentCheckpoint last = SentimentCheckpoint.load(crashed.resolve(RunFolder.LAST));
        assertTrue(last.state().epoch() >= 1 && last.state().epoch() < 3, "killed after epoch " + last.state().epoch());

        SparkSession spark = LocalSpark.get();
        TrainConfig cfg = last.trainConfig();
        SentimentInput.Data d = SentimentInput.imdb(spark, data, 2);
        SparkSettings settings = SparkSettings.of(2, 1);
        new SparkTrainer(spark, cfg, settings, crashed, SynchronousEquivalenceTest.QUIET).run(d.train(), d.test(), last);
        Path whole = tmp.resolve("whole");
        new SparkTrainer(spark, cfg, settings, whole, SynchronousEquivalenceTest.QUIET).run(d.train(), d.test(), null);

        float[][] resumed = SynchronousEquivalenceTest.weights(crashed.resolve(RunFolder.LAST));
        float[][] uninterrupted = SynchronousEquivalenceTest.weights(whole.resolve(RunFolder.LAST));
        for (int i = 0; i < resumed.length; i++) assertArrayEquals(uninterrupted[i], resumed[i], 0f, "parameter " + i);
        assertEquals(3, SentimentCheckpoint.load(crashed.resolve(RunFolder.LAST)).state().epoch());
        long epochLines = MetricsLog.read(crashed.resolve(RunFolder.METRICS)).stream().filter(m -> "epoch".equals(m.get("event"))).count();
        assertEquals(3, epochLines, "metrics.jsonl holds each epoch once");
    }

    private String log() {
        try {
            return Files.readString(tmp.resolve("child.log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }

    private static long epochsIn(Path out) {
        Path metrics = out.resolve(RunFolder.METRICS);
        if (!Files.exists(metrics)) return 0;
        List<Map<String, Object>> lines = MetricsLog.read(metrics);
        return lines.stream().filter(m -> "epoch".equals(m.get("event"))).count();
    }
}
