package dev.recur.app.sentiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.Run;
import dev.recur.app.TinyImdb;
import dev.recur.layers.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resume ends bit-identical to an uninterrupted run; a diverging run stops and keeps the last good checkpoint. */
class ResumeTest {
    @TempDir Path dir;

    private static final String[] WITH_DROPOUT = {"--dropout", "0.3"};

    @Test
    void resumedRunIsBitIdenticalToAnUninterruptedOne() throws Exception {
        assertResumeIsBitIdentical("constant");
    }

    @Test
    void resumedRunWithADecayingLearningRateIsBitIdenticalToo() throws Exception {
        SafeTensors cosine = assertResumeIsBitIdentical("cosine");
        // the schedule really changed the run: its weights differ from the constant-rate run's
        Path constant = dir.resolve("constant-ref");
        Run c = Run.of(Run.tiny("train", "--data", TinyImdb.archive(Files.createDirectories(dir.resolve("ref"))).toString(), "--out", constant.toString(),
                "--epochs", "3", "--dropout", "0.3", "--lr-schedule", "constant"));
        assertEquals(0, c.code(), c.toString());
        SafeTensors k = SafeTensors.read(constant.resolve("last.safetensors"));
        String w = "fc.weight";
        assertTrue(!java.util.Arrays.equals(cosine.floats(w), k.floats(w)), "cosine and constant schedules give different " + w);
    }

    /** Trains 3 epochs straight and 1 + 2 with --resume under the given schedule; returns the final checkpoint. */
    private SafeTensors assertResumeIsBitIdentical(String schedule) throws Exception {
        Path base = dir.resolve(schedule);
        Files.createDirectories(base);
        Path data = TinyImdb.archive(base);
        Path straight = base.resolve("straight"), split = base.resolve("split");
        Run a = Run.of(Run.tiny("train", "--data", data.toString(), "--out", straight.toString(), "--epochs", "3", WITH_DROPOUT[0], WITH_DROPOUT[1],
                "--lr-schedule", schedule));
        assertEquals(0, a.code(), a.toString());
        // constant: a 1-epoch run raised to 3 on resume; a schedule spans all --epochs, so there the
        // first part is a 3-epoch run interrupted after epoch 1
        List<String> first = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--out", split.toString(),
                WITH_DROPOUT[0], WITH_DROPOUT[1], "--lr-schedule", schedule));
        first.addAll(schedule.equals("constant") ? List.of("--epochs", "1") : List.of("--epochs", "3", "--stop-after-epoch", "1"));
        Run b1 = Run.of(Run.tiny(first.toArray(String[]::new)));
        assertEquals(0, b1.code(), b1.toString());
        Run b2 = Run.of("train", "--resume", "--out", split.toString(), "--epochs", "3");
        assertEquals(0, b2.code(), b2.toString());

        SafeTensors x = SafeTensors.read(straight.resolve("last.safetensors"));
        SafeTensors y = SafeTensors.read(split.resolve("last.safetensors"));
        assertEquals(x.names(), y.names());
        int compared = 0;
        for (String name : x.names()) {
            assertArrayEquals(x.floats(name), y.floats(name), name); // exact, element by element
            compared++;
        }
        assertTrue(compared > 5, "parameters and optimizer state compared: " + compared);
        assertTrue(x.names().stream().anyMatch(n -> n.startsWith("optimizer.")), "optimizer state is saved");
        assertEquals(x.metadata().get("recur.app.steps"), y.metadata().get("recur.app.steps"));
        // metrics: same epochs, same losses
        List<String> mx = Files.readAllLines(straight.resolve("metrics.jsonl"));
        List<String> my = Files.readAllLines(split.resolve("metrics.jsonl"));
        assertEquals(mx.size(), my.size());
        for (int i = 0; i < mx.size(); i++) {
            assertEquals(strip(mx.get(i)), strip(my.get(i)), "metrics line " + (i + 1));
        }
        return x;
    }

    /** Drops the timing fields, which differ between runs. */
    private static String strip(String line) {
        return line.replaceAll("\"(seconds|seq_per_s|tokens_per_s)\":[^,}]*,?", "");
    }

    @Test
    void hugeLearningRateDivergesWithAClearMessage() throws Exception {
        Path data = TinyImdb.archive(dir);
        Run r = Run.of(Run.tiny("train", "--data", data.toString(), "--out", dir.resolve("huge").toString(), "--epochs", "3",
                "--optimizer", "sgd", "--lr", "1e38", "--lr-schedule", "constant", "--clip-norm", "0"));
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("training stopped at step") && (r.err().contains("not finite") || r.err().contains("the loss is")), r.err());
        Path out = dir.resolve("huge");
        assertTrue(Files.readString(out.resolve("metrics.jsonl")).contains("\"event\":\"diverged\""));
        try (var files = Files.list(out)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(), "no temporary file left");
        }
        if (Files.exists(out.resolve("last.safetensors"))) { // the run got past an epoch before it diverged
            assertTrue(r.err().contains("last good checkpoint"), r.err());
            String epoch = SafeTensors.read(out.resolve("last.safetensors")).metadata().get("recur.app.epoch");
            assertTrue(r.err().contains("(epoch " + epoch + ")"), "the message names the checkpoint's epoch " + epoch + ": " + r.err());
            // and that checkpoint is usable: every command that loads it accepts it
            assertEquals(0, Run.of("info", "--checkpoint", out.resolve("last.safetensors").toString()).code());
        } else {
            assertTrue(r.err().contains("No checkpoint was written"), r.err());
        }
    }

    @Test
    void resumeWithAChangedLearningRateIsRefusedAndLeavesTheRunUntouched() throws Exception {
        Path data = TinyImdb.archive(dir);
        Path out = dir.resolve("late");
        assertEquals(0, Run.of(Run.tiny("train", "--data", data.toString(), "--out", out.toString(), "--epochs", "1")).code());
        byte[] before = Files.readAllBytes(out.resolve("last.safetensors"));
        Run r = Run.of("train", "--resume", "--out", out.toString(), "--epochs", "2", "--lr", "1e38");
        assertEquals(2, r.code(), "a changed --lr is refused on resume: " + r);
        assertTrue(r.err().contains("--lr 1.0E38 (the run was started with"), r.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("last.safetensors")), "the last good checkpoint is untouched");
    }
}
