package dev.recur.app.tag;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.app.Run;
import dev.recur.layers.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tag} end to end on the embedded synthetic sample. */
class TagCommandTest {
    static final String[] TINY = {"--hidden", "16", "--word-dim", "16", "--feature-dim", "8", "--batch", "8",
        "--threads", "1", "--seed", "5", "--validation-split", "0.1", "--lr", "0.01"};
    @TempDir Path dir;

    static String[] tiny(String... more) {
        String[] all = new String[more.length + TINY.length];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(TINY, 0, all, more.length, TINY.length);
        return all;
    }

    private static Map<?, ?> lastRecord(Path out) throws Exception {
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        return new ObjectMapper().readValue(lines.get(lines.size() - 1), Map.class);
    }

    @Test
    void learnsPosTagsOfTheSample() throws Exception {
        Path out = dir.resolve("pos");
        Run r = Run.of(tiny("tag", "--column", "pos", "--epochs", "6", "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> test = lastRecord(out);
        assertEquals("test", test.get("split"));
        assertTrue(((Number) test.get("test_accuracy")).doubleValue() > 0.9, r.toString());
        assertTrue(Files.size(out.resolve("curve.png")) > 0);
    }

    @Test
    void chunkingReportsConllevalScores() throws Exception {
        Path out = dir.resolve("chunk");
        Run r = Run.of(tiny("tag", "--column", "chunk", "--epochs", "6", "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("FB1:"), r.out());
        Map<?, ?> test = lastRecord(out);
        double p = ((Number) test.get("test_precision")).doubleValue(), rc = ((Number) test.get("test_recall")).doubleValue();
        assertEquals(2 * p * rc / (p + rc), ((Number) test.get("test_f1")).doubleValue(), 1e-9);
        assertTrue(((Number) test.get("test_f1")).doubleValue() > 0.8, r.toString());
    }

    @Test
    void resumeEndsWhereTheUninterruptedRunEnds() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        assertEquals(0, Run.of(tiny("tag", "--epochs", "2", "--out", a.toString())).code());
        assertEquals(0, Run.of(tiny("tag", "--epochs", "1", "--out", b.toString())).code());
        Run r = Run.of(tiny("tag", "--epochs", "2", "--out", b.toString(), "--resume"));
        assertEquals(0, r.code(), r.toString());
        SafeTensors x = SafeTensors.read(a.resolve("last.safetensors")), y = SafeTensors.read(b.resolve("last.safetensors"));
        for (String name : x.names()) assertArrayEquals(x.floats(name), y.floats(name), name);
    }

    @Test
    void malformedFilesAndOptionsGetClearErrors() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.txt"), "The DT B-NP\ndog NN\n");
        Run r = Run.of(tiny("tag", "--train", bad.toString(), "--out", dir.resolve("o").toString()));
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("bad.txt:2:"), r.toString());
        Run col = Run.of(tiny("tag", "--column", "ner", "--out", dir.resolve("o").toString()));
        assertEquals(2, col.code(), col.toString());
        assertTrue(col.err().contains("--column"), col.toString());
        for (Run x : List.of(r, col)) assertFalse(x.err().contains("\tat "), x.toString());
    }
}
