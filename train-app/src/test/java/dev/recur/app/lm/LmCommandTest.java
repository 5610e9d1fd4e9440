package dev.recur.app.lm;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.app.Run;
import dev.recur.layers.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code lm} and {@code sample} end to end on tiny settings. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LmCommandTest {
    static final String[] TINY = {"--layers", "1", "--hidden", "12", "--embed", "8", "--batch", "4", "--tbptt", "16",
        "--threads", "1", "--sample-length", "10", "--seed", "3", "--validation-split", "0.1"};
    Path dir;
    Path full;
    Path text;

    /** The tiny options plus a 4,000-character text (the opening of the embedded one), for speed. */
    String[] tiny(String... more) {
        String[] all = new String[more.length + TINY.length + 2];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(TINY, 0, all, more.length, TINY.length);
        all[all.length - 2] = "--data";
        all[all.length - 1] = text.toString();
        return all;
    }

    @BeforeAll
    void trainTwoEpochs(@TempDir Path tmp) throws Exception {
        dir = tmp;
        try (var in = LmTrainer.class.getResourceAsStream(LmTrainer.TINY_TEXT)) {
            text = Files.writeString(dir.resolve("tiny.txt"),
                    new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).substring(0, 4000));
        }
        full = dir.resolve("full");
        Run r = Run.of(tiny("lm", "--epochs", "2", "--out", full.toString()));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("nats/char"), r.out());
    }

    @Test
    void writesCheckpointsMetricsAndCurve() throws Exception {
        for (String f : List.of("last.safetensors", "best.safetensors", "metrics.jsonl", "curve.png")) {
            assertTrue(Files.size(full.resolve(f)) > 0, f);
        }
        List<String> lines = Files.readAllLines(full.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        Map<?, ?> rec = new ObjectMapper().readValue(lines.get(1), Map.class);
        double val = ((Number) rec.get("val_loss")).doubleValue();
        assertEquals(val / Math.log(2), ((Number) rec.get("val_bpc")).doubleValue(), 1e-9);
        assertTrue(val > 0 && val < Math.log(60), "below a uniform guess over the characters: " + val);
    }

    /** Two stacked layers with dropout between them: resume must restore the dropout masks' counter too. */
    @Test
    void resumeWithInterLayerDropoutEndsWhereTheUninterruptedRunEnds() throws Exception {
        String[] stacked = {"--layers", "2", "--dropout", "0.3", "--hidden", "12", "--embed", "8", "--batch", "4",
            "--tbptt", "16", "--threads", "1", "--sample-length", "0", "--seed", "3", "--validation-split", "0.1",
            "--data", text.toString()};
        Path whole = dir.resolve("dropout-whole"), split = dir.resolve("dropout-split");
        assertEquals(0, Run.of(concat(stacked, "lm", "--epochs", "2", "--out", whole.toString())).code());
        assertEquals(0, Run.of(concat(stacked, "lm", "--epochs", "1", "--out", split.toString())).code());
        Run r = Run.of(concat(stacked, "lm", "--epochs", "2", "--out", split.toString(), "--resume"));
        assertEquals(0, r.code(), r.toString());
        SafeTensors a = SafeTensors.read(whole.resolve("last.safetensors"));
        SafeTensors b = SafeTensors.read(split.resolve("last.safetensors"));
        assertNotEquals("0", b.metadata().get("train.dropout_calls"), "dropout was applied");
        for (String name : a.names()) {
            if (name.startsWith("optimizer.") && !name.contains("weight")) continue;
            assertArrayEquals(a.floats(name), b.floats(name), name);
        }
    }

    private static String[] concat(String[] options, String... more) {
        String[] all = new String[more.length + options.length];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(options, 0, all, more.length, options.length);
        return all;
    }

    @Test
    void resumingAfterOneEpochEndsWhereTheUninterruptedRunEnds() throws Exception {
        Path split = dir.resolve("split");
        assertEquals(0, Run.of(tiny("lm", "--epochs", "1", "--out", split.toString())).code());
        Run r = Run.of(tiny("lm", "--epochs", "2", "--out", split.toString(), "--resume"));
        assertEquals(0, r.code(), r.toString());
        SafeTensors a = SafeTensors.read(full.resolve("last.safetensors"));
        SafeTensors b = SafeTensors.read(split.resolve("last.safetensors"));
        int compared = 0;
        for (String name : a.names()) {
            if (name.startsWith("optimizer.") && !name.contains("weight")) continue;
            assertArrayEquals(a.floats(name), b.floats(name), name);
            compared++;
        }
        assertTrue(compared >= 7, "compared " + compared);
        assertEquals(a.metadata().get("train.val_loss"), b.metadata().get("train.val_loss"));
    }

    @Test
    void samplingIsDeterministicForASeed() {
        String ckpt = full.resolve("best.safetensors").toString();
        Run a = Run.of("sample", "--checkpoint", ckpt, "--seed", "5", "--length", "80", "--prompt", "It is");
        Run b = Run.of("sample", "--checkpoint", ckpt, "--seed", "5", "--length", "80", "--prompt", "It is");
        Run c = Run.of("sample", "--checkpoint", ckpt, "--seed", "6", "--length", "80", "--prompt", "It is");
        assertEquals(0, a.code(), a.toString());
        assertEquals(a.out(), b.out());
        assertNotEquals(a.out(), c.out());
        assertTrue(a.out().startsWith("It is"));
        assertEquals("It is".length() + 80, a.out().strip().length() + (a.out().length() - a.out().stripLeading().length()),
                "prompt + 80 characters: " + a.out());
        Run greedy1 = Run.of("sample", "--checkpoint", ckpt, "--temperature", "0", "--seed", "1", "--length", "30");
        Run greedy2 = Run.of("sample", "--checkpoint", ckpt, "--temperature", "0", "--seed", "2", "--length", "30");
        assertEquals(greedy1.out(), greedy2.out(), "greedy ignores the seed");
    }

    @Test
    void theGradientLabMeasuresATrainedCheckpoint() throws Exception {
        Path lab = dir.resolve("lab");
        Run r = Run.of("gradients", "--checkpoint", full.resolve("best.safetensors").toString(), "--data", text.toString(), "--length", "10",
                "--batch", "2", "--batches", "1", "--threads", "1", "--out", lab.toString());
        assertEquals(0, r.code(), r.toString());
        List<String> rows = Files.readAllLines(lab.resolve("gradients.csv"));
        assertEquals(1 + 10, rows.size());
        assertTrue(rows.get(1).startsWith("\"LSTM (trained, 1 layer)\",checkpoint,0,"), rows.get(1));
    }

    @Test
    void runsOnTheEmbeddedTextAndEveryCommandHasHelp() {
        Run r = Run.of("lm", "--epochs", "1", "--layers", "1", "--hidden", "8", "--embed", "4", "--batch", "16",
                "--tbptt", "32", "--sample-length", "0", "--threads", "1", "--out", dir.resolve("embedded").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("tiny-austen.txt (embedded)"), r.err());
        for (String c : List.of("lm", "sample", "tag", "gradients")) {
            Run h = Run.of(c, "--help");
            assertEquals(0, h.code(), h.toString());
            assertTrue(h.out().contains("Usage: " + dev.recur.app.run.Launcher.command() + " " + c), h.out());
        }
    }

    @Test
    void badInputsGetClearErrors() throws Exception {
        Run missing = Run.of("lm", "--data", dir.resolve("nope.txt").toString(), "--out", dir.resolve("x").toString());
        assertEquals(1, missing.code(), missing.toString());
        assertTrue(missing.err().contains("nope.txt: no such file"), missing.toString());
        Path latin = dir.resolve("latin.txt");
        Files.write(latin, new byte[] {'a', 'b', '\n', 'c', (byte) 0xE9, '\n'});
        Run bad = Run.of("lm", "--data", latin.toString(), "--out", dir.resolve("y").toString());
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.err().contains("latin.txt' line 2 has bytes that are not UTF-8"), bad.toString());
        Run zero = Run.of(tiny("lm", "--out", dir.resolve("z").toString(), "--batch", "0"));
        assertEquals(2, zero.code(), zero.toString());
        assertTrue(zero.err().contains("--batch"), zero.toString());
        Run notLm = Run.of("sample", "--checkpoint", latin.toString());
        assertEquals(1, notLm.code(), notLm.toString());
        Run unknownChar = Run.of("sample", "--checkpoint", full.resolve("best.safetensors").toString(), "--prompt", "€");
        assertEquals(1, unknownChar.code(), unknownChar.toString());
        assertTrue(unknownChar.err().contains("never occurs in the training text"), unknownChar.toString());
        Run badTemp = Run.of("sample", "--checkpoint", full.resolve("best.safetensors").toString(), "--temperature", "-1");
        assertEquals(2, badTemp.code(), badTemp.toString());
        for (Run r : List.of(missing, bad, zero, notLm, unknownChar, badTemp)) assertFalse(r.err().contains("\tat "), r.toString());
    }
}
