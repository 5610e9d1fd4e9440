package dev.recur.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.examples.TextClassifier.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the CSV training example as a user would and checks what it prints and writes. */
class TrainCsvClassifierTest {
    @TempDir Path dir;

    @Test
    void learnsTheExampleDataFarBetterThanChance() {
        String out = TrainedModel.output();
        assertTrue(out.startsWith("240 rows: 192 for training, 48 for validation; 2 labels [negative, positive]"), out);
        Matcher m = Pattern.compile("saved .* \\(validation accuracy ([0-9.]+)\\)").matcher(out);
        assertTrue(m.find(), out);
        double accuracy = Double.parseDouble(m.group(1));
        // chance is 0.5; 48 held-out rows, so 0.8 is more than four standard deviations above it
        assertTrue(accuracy >= 0.8, "validation accuracy " + accuracy + "\n" + out);
        assertEquals(8, out.lines().filter(l -> l.startsWith("epoch ")).count(), out);
    }

    @Test
    void theSavedModelLabelsNewTextsByTheirWords() throws IOException {
        List<String> texts = Files.readAllLines(TrainedModel.TEXTS);
        try (TextClassifier c = TextClassifier.load(TrainedModel.file(), 4)) {
            assertEquals(List.of("negative", "positive"), c.labels());
            List<Prediction> p = c.classifyAll(texts);
            assertEquals(texts.size(), p.size());
            // the clear-cut lines of texts.txt: 0 and 2 praise, 1 and 3 pan
            assertEquals("positive", p.get(0).label(), texts.get(0));
            assertEquals("negative", p.get(1).label(), texts.get(1));
            assertEquals("positive", p.get(2).label(), texts.get(2));
            assertEquals("negative", p.get(3).label(), texts.get(3));
            for (Prediction q : p) assertTrue(q.probability() >= 0.5f && q.probability() <= 1f, q.toString());
            // one at a time gives what a batch gives
            for (int i = 0; i < texts.size(); i++) assertEquals(p.get(i).label(), c.classify(texts.get(i)).label());
        }
    }

    /** A second thread entering a classifier in use is refused, not given another text's numbers. */
    @Test
    void aClassifierInUseRefusesASecondThread() throws Exception {
        try (TextClassifier c = TextClassifier.load(TrainedModel.file(), 1)) {
            java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            List<String> blocking = new java.util.AbstractList<>() {
                @Override public String get(int i) {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "a wonderful film";
                }
                @Override public int size() { return 1; }
            };
            Thread first = Thread.ofPlatform().start(() -> c.classifyAll(blocking));
            assertTrue(inside.await(30, TimeUnit.SECONDS));
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> c.classify("another text"));
            assertTrue(e.getMessage().contains("ClassifierPool"), e.getMessage());
            release.countDown();
            first.join();
            assertEquals("positive", c.classify("a wonderful film").label(), "usable again once the first call returned");
        }
    }

    @Test
    void aRowWithAnUnquotedCommaIsAClearErrorNamingItsLine() throws IOException {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "text,label\n\"fine, quoted\",positive\nnot quoted, so three fields,negative\n");
        Run r = run(csv.toString(), dir.resolve("m.safetensors").toString());
        assertEquals(1, r.status);
        assertEquals("error: " + csv + " line 3: 3 fields, the header has 2; put a text that holds commas in double quotes",
                r.err.strip());
        assertFalse(Files.exists(dir.resolve("m.safetensors")), "no model is written from bad data");
    }

    @Test
    void anUnclosedQuoteIsAClearError() throws IOException {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "text,label\ngood,positive\n\"never closed,negative\n");
        Run r = run(csv.toString(), dir.resolve("m.safetensors").toString());
        assertEquals(1, r.status);
        assertTrue(r.err.startsWith("error: " + csv + " line 3: malformed CSV ("), r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
    }

    @Test
    void tooFewRowsOneLabelAndABadCommandLineAreClearErrors() throws IOException {
        Path csv = dir.resolve("one-label.csv");
        StringBuilder s = new StringBuilder("label,text\n");
        for (int i = 0; i < 12; i++) s.append("positive,text ").append(i).append('\n');
        Files.writeString(csv, s);
        Run r = run(csv.toString(), dir.resolve("m.safetensors").toString());
        assertEquals(1, r.status);
        assertEquals("error: data file '" + csv + "' has a single label (positive); a classifier needs examples of at least two",
                r.err.strip());

        Files.writeString(csv, "text,label\na,x\nb,y\n");
        r = run(csv.toString(), dir.resolve("m.safetensors").toString());
        assertEquals(1, r.status);
        assertTrue(r.err.contains("has 2 rows; at least 10 are needed"), r.err);

        r = run(csv.toString());
        assertEquals(2, r.status);
        assertTrue(r.err.startsWith("error: expected 2 arguments, got 1\nusage: TrainCsvClassifier"), r.err);
        r = run(csv.toString(), "m", "--epochs", "zero");
        assertEquals(2, r.status);
        assertEquals("error: --epochs must be an integer from 1 to 10000, got 'zero'", r.err.strip());
    }

    /** The real main in its own JVM: the exit status and the one-line message a user sees. */
    @Test
    void mainExitsWithStatusOneAndOneLineForABadFile() throws Exception {
        Path csv = dir.resolve("missing.csv");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                TrainCsvClassifier.class.getName(), csv.toString(), dir.resolve("m.safetensors").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), err);
        List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(List.of("error: data file '" + csv + "' does not exist; pass a CSV file with a header row text,label"), lines);
    }

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = TrainCsvClassifier.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
