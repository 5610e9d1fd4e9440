package dev.recur.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bad options of {@code recur-spark} are one-line errors with exit code 2, before any Spark starts. */
class SparkTrainUsageTest {
    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = SparkTrain.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new String[] {Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void aBadSyncEveryIsAUsageError() {
        String[] r = run("--data", "sample", "--out", "unused", "--sync-every", "0");
        assertEquals("2", r[0]);
        assertEquals(1, r[1].strip().lines().count(), r[1]);
        assertTrue(r[1].contains("--sync-every must be in [1, 100000], got 0"), r[1]);
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        String[] r = run("--data", "x", "--out", "unused", "--format", "xml");
        assertEquals("2", r[0]);
        assertTrue(r[1].startsWith("recur-spark: ") && r[1].contains("--format"), r[1]);
        assertEquals(1, r[1].strip().lines().count(), r[1]);
    }
}
