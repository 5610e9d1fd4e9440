package dev.recur.app.run.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Plain mode, for log files and pipes: whole lines at a steady pace, no escape codes, no carriage returns. */
class PlainTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();
    private long now;
    private final Progress progress = Progress.plain(new PrintWriter(out), new PrintWriter(err), () -> now);

    private List<String> lines() {
        String s = err.toString();
        assertFalse(s.contains("\u001b"), "no escape codes: " + s);
        assertFalse(s.contains("\r"), "no carriage returns: " + s);
        return s.lines().toList();
    }

    @Test
    void aLineEveryTenthAndOneAtTheEnd() {
        try (Bar bar = progress.start("epoch 1/1", 3600, "seq")) {
            for (int i = 1; i <= 3600; i++) {
                now += 1_000_000L;
                bar.update(i, Field.metric("loss %.4f", 0.5), Field.detail("‖g‖ %.2f", 0.3));
            }
        }
        List<String> lines = lines();
        assertEquals(10, lines.size(), String.join("\n", lines));
        for (int t = 1; t <= 10; t++) {
            assertTrue(lines.get(t - 1).startsWith(String.format("epoch 1/1 %3d%% ", t * 10)), lines.get(t - 1));
        }
        assertTrue(lines.getLast().endsWith("| loss 0.5000 | ‖g‖ 0.30"), lines.getLast());
    }

    @Test
    void aSlowBarPrintsEveryThirtySecondsAndTheEndOnce() {
        Bar bar = progress.start("epoch 1/1", 1000, "windows");
        for (int i = 1; i <= 50; i++) { // 5 % in 100 s
            now += 2_000_000_000L;
            bar.update(i);
        }
        assertEquals(3, lines().size(), err.toString());
        bar.update(51);
        bar.close();
        bar.close();
        List<String> lines = lines();
        assertEquals(4, lines.size(), err.toString());
        assertTrue(lines.getLast().startsWith("epoch 1/1   5%    51/1,000 windows") && lines.getLast().contains(" in 1:40"),
                lines.getLast());
    }

    @Test
    void informationAndResultLinesAreNotWrapped() {
        String longLine = "data: " + "word ".repeat(40).strip();
        progress.info(longLine + "\twith a tab");
        progress.result(longLine);
        assertEquals(List.of(longLine + " with a tab"), lines());
        assertEquals(longLine + System.lineSeparator(), out.toString());
    }

    @Test
    void aResumedBarCountsItsRateFromWhereItStarted() {
        try (Bar bar = progress.start("epoch 2/3", 100, "windows", 50)) {
            now += 10_000_000_000L;
            bar.update(55); // the same tenth as at the start: no line until the end
        }
        assertEquals(List.of("epoch 2/3  55%  55/100 windows  0.5/s  in 0:10"), lines());
    }
}
