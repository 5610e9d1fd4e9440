package dev.recur.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end, in-process: help, every bad input of the issue, and a tiny real run. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MainTest {
    Path dir;
    Path archive;
    Path run;
    Run trained;

    @BeforeAll
    void trainOnce(@TempDir Path tmp) throws Exception {
        dir = tmp;
        archive = TinyImdb.archive(dir);
        run = dir.resolve("run");
        trained = Run.of(Run.tiny("train", "--data", archive.toString(), "--out", run.toString(), "--epochs", "2"));
        assertEquals(0, trained.code(), trained.toString());
    }

    private static void usageError(Run r, String... fragments) {
        assertEquals(2, r.code(), r.toString());
        for (String f : fragments) assertTrue(r.err().contains(f), "missing '" + f + "' in\n" + r);
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r);
    }

    private static void runtimeError(Run r, String... fragments) {
        assertEquals(1, r.code(), r.toString());
        for (String f : fragments) assertTrue(r.err().contains(f), "missing '" + f + "' in\n" + r);
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r);
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : List.of("train", "eval", "predict", "info", "bench")) {
            Run r = Run.of(c, "--help");
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("Usage: " + dev.recur.app.run.Launcher.command() + " " + c), r.toString());
        }
        Run r = Run.of("--help");
        assertEquals(0, r.code());
        for (String c : List.of("train", "eval", "predict", "info", "bench")) assertTrue(r.out().contains(c), r.out());
    }

    @Test
    void helpShowsTheCommandAsTheUserTypesIt() {
        String before = System.getProperty(dev.recur.app.run.Launcher.PROPERTY);
        System.setProperty(dev.recur.app.run.Launcher.PROPERTY, "./recur run");
        try {
            for (String c : List.of("train", "lm", "tag")) {
                Run r = Run.of(c, "--help");
                assertTrue(r.out().contains("Usage: ./recur run " + c + " "), r.toString());
                assertFalse(r.out().contains("train-app " + c), r.toString());
            }
        } finally {
            if (before == null) System.clearProperty(dev.recur.app.run.Launcher.PROPERTY);
            else System.setProperty(dev.recur.app.run.Launcher.PROPERTY, before);
        }
    }

    @Test
    void trainingWritesCheckpointsMetricsAndPlot() throws Exception {
        for (String f : List.of("last.safetensors", "best.safetensors", "metrics.jsonl", "training-curves.png")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertTrue(trained.out().contains("outputs in " + run), trained.out());
        try (var files = Files.list(run)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                assertTrue(trained.out().contains("\n  " + name + " "), "the output list names " + name + ":\n" + trained.out());
            }
        }
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(3, lines.size(), lines.toString());
        ObjectMapper json = new ObjectMapper();
        Map<?, ?> e1 = json.readValue(lines.get(0), Map.class), e2 = json.readValue(lines.get(1), Map.class);
        Map<?, ?> test = json.readValue(lines.get(2), Map.class);
        assertEquals("epoch", e1.get("event"));
        assertEquals(1, e1.get("epoch"));
        assertEquals(2, e2.get("epoch"));
        assertEquals(((Number) e1.get("steps")).intValue() * 2, ((Number) e2.get("steps")).intValue());
        for (String k : List.of("train_loss", "train_accuracy", "val_loss", "val_accuracy", "seq_per_s", "grad_norm")) {
            double v = ((Number) e2.get(k)).doubleValue();
            assertTrue(Double.isFinite(v) && v >= 0, k + " = " + v);
        }
        assertEquals("test", test.get("event"));
        assertEquals(12, test.get("examples"));
        byte[] png = Files.readAllBytes(run.resolve("training-curves.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
    }

    @Test
    void evalPredictAndInfoReadTheCheckpointAlone() throws Exception {
        String ck = run.resolve("best.safetensors").toString();
        Run e = Run.of("eval", "--checkpoint", ck, "--data", archive.toString(), "--json", "--threads", "1");
        assertEquals(0, e.code(), e.toString());
        Map<?, ?> m = new ObjectMapper().readValue(e.out(), Map.class);
        assertEquals(12, m.get("examples"));
        Map<?, ?> cm = (Map<?, ?>) m.get("confusion");
        int total = 0;
        for (Object v : cm.values()) total += ((Number) v).intValue();
        assertEquals(12, total);
        Run table = Run.of("eval", "--checkpoint", ck, "--data", archive.toString());
        assertTrue(table.out().contains("accuracy") && table.out().contains("true \\ pred"), table.toString());

        Run p = Run.of("predict", "--checkpoint", ck, "--json", "A wonderful film", "An awful film");
        assertEquals(0, p.code(), p.toString());
        String[] rows = p.out().strip().split("\n");
        assertEquals(2, rows.length);
        Map<?, ?> first = new ObjectMapper().readValue(rows[0], Map.class);
        double prob = ((Number) first.get("probability")).doubleValue();
        assertTrue(prob >= 0.5 && prob <= 1, first.toString());
        assertEquals("A wonderful film", first.get("text"));

        Run stdin = Run.withInput("great movie\n\nterrible movie\n", true, "predict", "--checkpoint", ck);
        assertEquals(0, stdin.code(), stdin.toString());
        assertEquals(2, stdin.out().strip().split("\n").length, stdin.out());

        Run info = Run.of("info", "--checkpoint", ck);
        assertEquals(0, info.code(), info.toString());
        assertTrue(info.out().contains("lanes") && info.out().contains("hidden") && info.out().contains("parameters"), info.out());
    }

    @Test
    void missingVectorModuleNamesTheFlag() {
        Run r = Run.withInput("", false, "train");
        usageError(r, "--add-modules jdk.incubator.vector");
    }

    @Test
    void optionsOutOfRangeAreUsageErrors() {
        usageError(Run.of("train", "--hidden", "-5"), "--hidden", "-5");
        usageError(Run.of("train", "--batch", "0"), "--batch", "0");
        usageError(Run.of("train", "--embed", "0"), "--embed");
        usageError(Run.of("train", "--model", "transformer"), "--model", "transformer", "rnn", "lstm", "gru");
        usageError(Run.of("train", "--dropout", "1.5"), "--dropout");
        usageError(Run.of("train", "--lr", "-1"), "--lr");
        usageError(Run.of("train", "--validation-split", "0.9"), "--validation-split");
        usageError(Run.of("train", "--hidden", "many"), "--hidden", "many");
        usageError(Run.of("train", "--epochs", "0"), "--epochs");
        usageError(Run.of("bench", "--gemm", "12x12"), "--gemm");
        usageError(Run.of("frobnicate"), "frobnicate");
        usageError(Run.of("eval"), "--checkpoint");
    }

    @Test
    void missingDataPath() {
        runtimeError(Run.of(Run.tiny("train", "--data", dir.resolve("nowhere.tar.gz").toString(), "--out", dir.resolve("o1").toString())),
                "nowhere.tar.gz", "does not exist");
    }

    @Test
    void folderWithoutLayout() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        runtimeError(Run.of(Run.tiny("train", "--data", empty.toString(), "--out", dir.resolve("o2").toString())),
                "aclImdb layout");
    }

    @Test
    void emptySplit() throws Exception {
        Map<String, byte[]> entries = TinyImdb.entries();
        entries.keySet().removeIf(k -> k.startsWith("train/pos/"));
        Path f = dir.resolve("nopos.tar.gz");
        Files.write(f, TinyImdb.tarGz("aclImdb/", entries));
        runtimeError(Run.of(Run.tiny("train", "--data", f.toString(), "--out", dir.resolve("o3").toString())),
                "empty split", "train/pos");
    }

    @Test
    void truncatedArchive() throws Exception {
        byte[] full = Files.readAllBytes(archive);
        Path f = dir.resolve("cut.tar.gz");
        Files.write(f, Arrays.copyOf(full, full.length * 2 / 3));
        runtimeError(Run.of(Run.tiny("train", "--data", f.toString(), "--out", dir.resolve("o4").toString())),
                "corrupt or truncated", "cut.tar.gz");
    }

    @Test
    void nonUtf8Review() throws Exception {
        Map<String, byte[]> entries = TinyImdb.entries();
        entries.put("test/neg/50_2.txt", new byte[] {'b', 'a', 'd', ' ', (byte) 0xff, (byte) 0xfe});
        Path f = dir.resolve("latin.tar.gz");
        Files.write(f, TinyImdb.tarGz("aclImdb/", entries));
        runtimeError(Run.of("eval", "--checkpoint", run.resolve("best.safetensors").toString(), "--data", f.toString()),
                "test/neg/50_2.txt", "not UTF-8", "offset 4");
        runtimeError(Run.withBytes(new byte[] {'o', 'k', '\n', (byte) 0xc3, '(', '\n'}, "predict", "--checkpoint",
                run.resolve("best.safetensors").toString()), "line 2", "not UTF-8");
    }

    @Test
    void enormousReview() throws Exception {
        Map<String, byte[]> entries = TinyImdb.entries();
        entries.put("train/pos/60_9.txt", "great ".repeat(200_000).getBytes(StandardCharsets.UTF_8));
        Path f = dir.resolve("huge.tar.gz");
        Files.write(f, TinyImdb.tarGz("aclImdb/", entries));
        runtimeError(Run.of(Run.tiny("train", "--data", f.toString(), "--out", dir.resolve("o5").toString())),
                "60_9.txt", "limit");
    }

    @Test
    void badCheckpoints() throws Exception {
        Path ck = run.resolve("best.safetensors");
        byte[] bytes = Files.readAllBytes(ck);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        runtimeError(Run.of("predict", "--checkpoint", cut.toString(), "hello"), "cut.safetensors", "not a valid safetensors");
        Path text = dir.resolve("notes.safetensors");
        Files.writeString(text, "just some text, not a checkpoint");
        runtimeError(Run.of("info", "--checkpoint", text.toString()), "notes.safetensors", "not a valid safetensors");
        runtimeError(Run.of("eval", "--checkpoint", dir.resolve("none.safetensors").toString()), "none.safetensors", "does not exist");
        // a valid safetensors file from another model (no train-app metadata)
        Path other = dir.resolve("other.safetensors");
        new dev.recur.layers.io.SafeTensorsWriter().metadata("recur.model.kind", "labeler")
                .putFloats("w", new long[] {2}, new float[] {1, 2}).write(other);
        runtimeError(Run.of("predict", "--checkpoint", other.toString(), "hi"), "other.safetensors", "not a train-app checkpoint");
    }

    @Test
    void resumeRefusesChangedSettingsAndFinishedRuns() {
        usageError(Run.of("train", "--resume", "--out", run.toString(), "--hidden", "16", "--lr", "0.1", "--epochs", "3"),
                "--hidden 16 (the run was started with 8)", "--lr 0.1 (the run was started with 0.004)");
        usageError(Run.of("train", "--resume", "--out", run.toString(), "--epochs", "2"), "already done 2");
        runtimeError(Run.of("train", "--resume", "--out", dir.resolve("never").toString()), "nothing to resume");
        usageError(Run.of(Run.tiny("train", "--data", archive.toString(), "--out", run.toString())), "already holds a run");
    }

    @Test
    void resumeAcceptsTheOptionsTheRunWasStartedWith() throws Exception {
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        try (var files = Files.list(run)) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
        }
        // the same command as the run's, with --resume and one more epoch: every option has the run's value
        Run r = Run.of(Run.tiny("train", "--resume", "--data", archive.toString(), "--out", copy.toString(), "--epochs", "3"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("resuming") && r.err().contains("after epoch 2 of 3"), r.toString());
        // numbers may be spelled another way
        Run again = Run.of("train", "--resume", "--out", copy.toString(), "--epochs", "4", "--lr", "4e-3", "--hidden", "8");
        assertEquals(0, again.code(), again.toString());
    }

    @Test
    void benchRunsTheModelAndGemm() throws Exception {
        Run r = Run.of("bench", "--embed", "8", "--hidden", "8", "--vocab-size", "50", "--batch", "4", "--seq-len", "5",
                "--steps", "2", "--warmup", "1", "--repeats", "3", "--threads", "1", "--gemm", "8x8x8:NT", "--json");
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> m = new ObjectMapper().readValue(r.out(), Map.class);
        Map<?, ?> model = (Map<?, ?>) m.get("model");
        assertTrue(((Number) model.get("train_seq_per_s")).doubleValue() > 0);
        assertEquals(3, ((List<?>) model.get("train_seq_per_s_runs")).size());
        for (String w : new String[] {"train_warmup", "inference_warmup"}) {
            Map<?, ?> warm = (Map<?, ?>) model.get(w);
            assertTrue(((Number) warm.get("batches")).intValue() >= 1, w + ": " + warm);
            assertTrue(warm.get("jit_idle") instanceof Boolean, w + ": " + warm);
        }
        Run cold = Run.of("bench", "--embed", "8", "--hidden", "8", "--vocab-size", "50", "--batch", "4", "--seq-len", "5",
                "--steps", "1", "--warmup", "0", "--repeats", "1", "--threads", "1");
        assertEquals(0, cold.code(), cold.toString());
        assertTrue(cold.out().contains("warm-up: training 0 batches") && cold.out().contains("(cold)"), cold.toString());
        Map<?, ?> g = (Map<?, ?>) ((List<?>) m.get("gemm")).get(0);
        assertEquals("NT", g.get("transpose"));
        assertTrue(((Number) g.get("gflops")).doubleValue() > 0);
    }
}
