package dev.recur.app.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.Run;
import dev.recur.app.TinyImdb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --patience N}: a run ends after N evaluations without a better validation score. */
class EarlyStoppingTest {
    @TempDir Path dir;

    @Test
    void theRule() {
        assertFalse(EarlyStopping.exhausted(0, 10, 1), "patience 0 never stops");
        assertFalse(EarlyStopping.exhausted(2, 3, 2));
        assertTrue(EarlyStopping.exhausted(2, 4, 2));
        assertTrue(EarlyStopping.exhausted(1, 2, 1));
    }

    @Test
    void trainStopsWhenValidationStopsImprovingAndTestsTheBestEpoch() throws Exception {
        Path out = dir.resolve("run");
        // a learning rate too small to change any prediction: validation accuracy never improves after epoch 1
        Run r = Run.of(Run.tiny("train", "--data", TinyImdb.archive(dir).toString(), "--out", out.toString(), "--epochs", "5",
                "--lr", "1e-9", "--lr-schedule", "constant", "--patience", "1"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("early stop: no better validation score for 1 epoch (best: epoch 1)"), r.err());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, lines.stream().filter(l -> l.contains("\"event\":\"epoch\"")).count(), String.join("\n", lines));
        assertTrue(lines.get(lines.size() - 1).contains("\"event\":\"test\"") && lines.get(lines.size() - 1).contains("\"epoch\":1"),
                lines.get(lines.size() - 1));
    }

    @Test
    void tagStopsToo() throws Exception {
        Path out = dir.resolve("tag");
        Run r = Run.of("tag", "--hidden", "8", "--word-dim", "8", "--feature-dim", "4", "--batch", "8", "--threads", "1",
                "--epochs", "5", "--lr", "1e-9", "--patience", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("early stop: no better validation score for 2 epochs (best: epoch 1)"), r.err());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"val_loss\"")).count());
    }
}
