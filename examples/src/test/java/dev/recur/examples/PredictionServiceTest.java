package dev.recur.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.examples.TextClassifier.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The multi-threaded inference example: many threads, one checkpoint, the results of one thread. */
class PredictionServiceTest {
    @TempDir Path dir;

    /** The first 100 texts of the example data, as requests. */
    private static List<String> requests() {
        return LabelledCsv.read(TrainedModel.REVIEWS).stream().map(LabelledCsv.Row::text).limit(100).toList();
    }

    @Test
    void eightThreadsOnAPoolOfFourGiveExactlyTheSingleThreadResults() throws Exception {
        List<String> texts = requests();
        List<Prediction> expected;
        try (TextClassifier single = TextClassifier.load(TrainedModel.file(), 1)) {
            expected = new ArrayList<>();
            for (String t : texts) expected.add(single.classify(t));
        }
        int threads = 8;
        try (ClassifierPool pool = ClassifierPool.load(TrainedModel.file(), 4, 1);
             ExecutorService service = Executors.newFixedThreadPool(threads)) {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<List<Prediction>>> runs = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                long seed = w;
                runs.add(service.submit(() -> {
                    // each thread asks for every text, in its own order, all threads at once
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < texts.size(); i++) order.add(i);
                    Collections.shuffle(order, new Random(seed));
                    Prediction[] got = new Prediction[texts.size()];
                    start.await();
                    for (int i : order) got[i] = pool.classify(texts.get(i));
                    return List.of(got);
                }));
            }
            for (Future<List<Prediction>> run : runs) {
                List<Prediction> got = run.get();
                for (int i = 0; i < texts.size(); i++) {
                    // exact float equality: the same weights and the same arithmetic, whichever copy served the call
                    assertEquals(expected.get(i), got.get(i), "text " + i + ": " + texts.get(i));
                }
            }
        }
        long positives = expected.stream().filter(p -> p.label().equals("positive")).count();
        assertTrue(positives > 25 && positives < 75, "the model does not answer one label for everything: " + positives);
    }

    @Test
    void batchesClassifiedConcurrentlyGiveTheResultsOfALoneCaller() throws Exception {
        // batches of 16 are large enough for the engine to split work across its pool when it is
        // free; a concurrent caller finds it busy and computes on its own thread
        List<String> texts = requests();
        List<Prediction> expected;
        try (TextClassifier single = TextClassifier.load(TrainedModel.file(), 16)) {
            expected = single.classifyAll(texts);
        }
        int threads = 4;
        try (ClassifierPool pool = ClassifierPool.load(TrainedModel.file(), threads, 16);
             ExecutorService service = Executors.newFixedThreadPool(threads)) {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<List<Prediction>>> runs = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                runs.add(service.submit(() -> {
                    start.await();
                    List<Prediction> got = new ArrayList<>();
                    for (int round = 0; round < 3; round++) got = pool.classifyAll(texts);
                    return got;
                }));
            }
            for (Future<List<Prediction>> run : runs) assertEquals(expected, run.get());
        }
    }

    @Test
    void theProgramPrintsTheSameWithOneThreadAndWithFour() throws IOException {
        Path texts = dir.resolve("requests.txt");
        Files.write(texts, requests().stream().map(t -> t.replace('\n', ' ')).toList());
        Run one = run(TrainedModel.file().toString(), texts.toString(), "--threads", "1");
        Run four = run(TrainedModel.file().toString(), texts.toString(), "--threads", "4");
        assertEquals(0, one.status, one.err);
        assertEquals(0, four.status, four.err);
        assertEquals(100, one.out.lines().count());
        assertEquals(one.out, four.out);
        for (String line : four.out.lines().toList()) {
            assertTrue(line.matches("(positive|negative)\t[01]\\.\\d{4}\t.+"), line);
        }
    }

    @Test
    void theShippedTextsAreLabelledLineByLine() {
        Run r = run(TrainedModel.file().toString(), TrainedModel.TEXTS.toString());
        assertEquals(0, r.status, r.err);
        List<String> lines = r.out.lines().toList();
        assertEquals(6, lines.size(), r.out);
        assertTrue(lines.get(0).startsWith("positive\t") && lines.get(0).endsWith("\tA brilliant film: the acting was superb and "
                + "the music was beautiful. Loved it!"), lines.get(0));
        assertTrue(lines.get(1).startsWith("negative\t"), lines.get(1));
    }

    @Test
    void aMissingOrForeignModelIsAClearError() throws IOException {
        Path missing = dir.resolve("none.safetensors");
        Run r = run(missing.toString(), TrainedModel.TEXTS.toString());
        assertEquals(1, r.status);
        assertEquals("error: model file '" + missing + "' does not exist; train one first with TrainCsvClassifier", r.err.strip());

        Path notAModel = dir.resolve("text.safetensors");
        Files.writeString(notAModel, "just some text, not a checkpoint");
        r = run(notAModel.toString(), TrainedModel.TEXTS.toString());
        assertEquals(1, r.status);
        assertTrue(r.err.startsWith("error: cannot read the model: " + notAModel), r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
    }

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = PredictionService.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
