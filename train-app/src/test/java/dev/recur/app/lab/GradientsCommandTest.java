package dev.recur.app.lab;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.app.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's three experiments on tiny settings: files, shapes of the tables, and sanity of the numbers. */
class GradientsCommandTest {
    @TempDir Path dir;

    @Test
    void vanishingWritesOneCurvePerCell() throws Exception {
        Run r = Run.of("gradients", "--hidden", "8", "--length", "12", "--batch", "4", "--batches", "1",
                "--threads", "1", "--out", dir.toString());
        assertEquals(0, r.code(), r.toString());
        List<String> rows = Files.readAllLines(dir.resolve("gradients.csv"));
        assertEquals(1 + 3 * 12, rows.size());
        for (String row : rows.subList(1, rows.size())) {
            double norm = Double.parseDouble(row.split(",")[3]);
            assertTrue(norm > 0 && Double.isFinite(norm), row);
        }
        assertTrue(rows.get(1).endsWith(",1.00000"), "relative to distance 0: " + rows.get(1));
        var img = javax.imageio.ImageIO.read(dir.resolve("gradients.png").toFile());
        assertTrue(img.getWidth() > 500 && img.getHeight() > 300);
    }

    @Test
    void vanishingRunsOnImdbReviews() throws Exception {
        Run r = Run.of("gradients", "--imdb", "sample", "--models", "rnn,gru", "--hidden", "8", "--length", "10",
                "--batch", "2", "--batches", "1", "--threads", "1", "--out", dir.toString());
        assertEquals(0, r.code(), r.toString());
        List<String> rows = Files.readAllLines(dir.resolve("gradients.csv"));
        assertEquals(1 + 2 * 10, rows.size());
        assertTrue(rows.get(1).startsWith("RNN (tanh),initialisation,0,"), rows.get(1));
        Run bad = Run.of("gradients", "--imdb", dir.resolve("missing").toString(), "--out", dir.toString());
        assertEquals(1, bad.code(), bad.toString());
        assertFalse(bad.err().contains("\tat "), bad.toString());
    }

    @Test
    void longRangeAndExplodingWriteTheirTables() throws Exception {
        Run r = Run.of("gradients", "--experiment", "long-range", "--lengths", "4,6", "--train-steps", "5",
                "--hidden", "4", "--batch", "4", "--threads", "1", "--out", dir.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(1 + 3 * 2, Files.readAllLines(dir.resolve("long_range.csv")).size());
        assertTrue(r.out().contains("LSTM"), r.out());
        Run e = Run.of("gradients", "--experiment", "exploding", "--exploding-steps", "8", "--length", "10",
                "--hidden", "8", "--batch", "4", "--threads", "1", "--clip-norm", "0.5", "--out", dir.toString());
        assertEquals(0, e.code(), e.toString());
        List<String> rows = Files.readAllLines(dir.resolve("exploding.csv"));
        assertTrue(rows.stream().anyMatch(s -> s.startsWith("no clipping,")));
        assertTrue(rows.stream().anyMatch(s -> s.startsWith("clip-norm 0.500,")));
        assertTrue(Files.size(dir.resolve("exploding.png")) > 0);
    }

    @Test
    void badOptionsAreUsageErrors() {
        Run r = Run.of("gradients", "--experiment", "imploding", "--out", dir.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("imploding"), r.toString());
        Run l = Run.of("gradients", "--length", "1", "--out", dir.toString());
        assertEquals(2, l.code(), l.toString());
    }

    @Test
    void anOutThatIsAFileIsRefusedBeforeAnyExperimentRunsAndKeepsTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
        Run r = Run.of("gradients", "--out", file.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--out '" + file + "' is a file, not a folder"), r.toString());
        assertEquals("", r.out(), "no experiment ran");
        assertEquals("keep me", Files.readString(file));
    }
}
