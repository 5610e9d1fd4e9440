package dev.recur.app.run.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The terminal mode's output played on a small screen model: bars in place, nothing wrapped. */
class ScreenTest {
    /**
     * A terminal screen that knows carriage return, line feed, cursor up and erase below, wraps a
     * row that is full at the next character and re-flows its lines when resized, as tmux, VTE
     * and most terminals do.
     */
    static final class Screen {
        int columns;
        final List<StringBuilder> rows = new ArrayList<>(List.of(new StringBuilder()));
        /** Whether a row continues the one above it (the terminal wrapped it there). */
        final List<Boolean> continued = new ArrayList<>(List.of(false));
        int row, col, wraps;

        Screen(int columns) { this.columns = columns; }

        void play(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\r') {
                    col = 0;
                } else if (c == '\n') {
                    down(false);
                } else if (c == '\u001b') {
                    int end = i + 2;
                    while (!Character.isLetter(s.charAt(end))) end++;
                    String arg = s.substring(i + 2, end);
                    switch (s.charAt(end)) {
                        case 'A' -> row = Math.max(0, row - (arg.isEmpty() ? 1 : Integer.parseInt(arg)));
                        case 'J' -> {
                            StringBuilder r = rows.get(row);
                            if (r.length() > col) r.setLength(col);
                            while (rows.size() > row + 1) {
                                rows.removeLast();
                                continued.removeLast();
                            }
                        }
                        default -> throw new AssertionError("unexpected escape " + s.substring(i, end + 1));
                    }
                    i = end;
                } else {
                    if (col == columns) { // the terminal wraps: a fragment on the next row
                        wraps++;
                        down(true);
                    }
                    StringBuilder r = rows.get(row);
                    while (r.length() < col) r.append(' ');
                    if (col < r.length()) r.setCharAt(col, c); else r.append(c);
                    col++;
                }
            }
        }

        private void down(boolean wrapped) {
            row++;
            col = 0;
            if (row == rows.size()) {
                rows.add(new StringBuilder());
                continued.add(wrapped);
            } else if (wrapped) {
                continued.set(row, true);
            }
        }

        /** A new width: every line is laid out again in rows of that width, the cursor kept in its place in the text. */
        void resize(int newColumns) {
            List<String> lines = new ArrayList<>();
            int cursorLine = -1, cursorOffset = 0, offset = 0;
            for (int r = 0; r < rows.size(); r++) {
                if (!continued.get(r)) {
                    lines.add("");
                    offset = 0;
                }
                if (r == row) {
                    cursorLine = lines.size() - 1;
                    cursorOffset = offset + col;
                }
                lines.set(lines.size() - 1, lines.getLast() + rows.get(r));
                offset += rows.get(r).length();
            }
            rows.clear();
            continued.clear();
            columns = newColumns;
            for (int l = 0; l < lines.size(); l++) {
                String line = lines.get(l);
                int first = rows.size();
                for (int start = 0; start == 0 || start < line.length(); start += columns) {
                    rows.add(new StringBuilder(line.substring(start, Math.min(line.length(), start + columns))));
                    continued.add(start > 0);
                }
                if (l == cursorLine) {
                    int r = Math.min(cursorOffset / columns, rows.size() - first - 1);
                    row = first + r;
                    col = cursorOffset - r * columns;
                }
            }
        }

        List<String> lines() {
            List<String> l = new ArrayList<>();
            for (StringBuilder r : rows) l.add(r.toString());
            if (l.getLast().isEmpty()) l.removeLast();
            return l;
        }
    }

    private final StringWriter buffer = new StringWriter();
    private final PrintWriter writer = new PrintWriter(buffer);
    private long now;
    private int width = 80;
    private final Progress progress = Progress.terminal(writer, writer, () -> width, () -> now);
    private final Screen terminal = new Screen(width);
    private int played;

    /** The screen after what was written since the last look (at the width now); asserts nothing wrapped. */
    private List<String> screen() {
        if (terminal.columns != width) terminal.resize(width);
        String s = buffer.toString();
        terminal.play(s.substring(played));
        played = s.length();
        assertEquals(0, terminal.wraps, "a line wrapped:\n" + String.join("\n", terminal.lines()));
        return terminal.lines();
    }

    @Test
    void oneLinePerRunningBarRedrawnInPlace() {
        progress.info("data: embedded sample — 3600 train, 400 validation, 1000 test reviews; vocabulary 10000 words; "
                + "max-len 400 (keep end); read in 2.8 s");
        Bar a = progress.start("epoch 1/2", 3600, "seq");
        for (int i = 1; i <= 36; i++) {
            now += 100_000_000L;
            a.update(i * 100L, Field.metric("loss %.4f acc %.1f%%", 0.7 - i / 1000.0, 50 + i / 10.0), Field.detail("‖g‖ %.2f", 0.3));
            List<String> lines = screen();
            assertEquals(3, lines.size(), String.join("\n", lines));
            assertTrue(lines.get(2).startsWith("epoch 1/2 "), lines.get(2));
        }
        a.close();
        progress.result("epoch 1/2  train loss 0.6826 acc 55.33%  val loss 0.6572 acc 63.75% F1 0.6070  |g| 0.33  16.1 s  224 seq/s");
        List<String> lines = screen();
        assertTrue(lines.get(2).startsWith("epoch 1/2 100% ") && lines.get(2).contains("3,600/3,600 seq"), lines.get(2));
        assertTrue(lines.get(2).contains("in 0:04"), lines.get(2));
        assertTrue(lines.get(3).startsWith("epoch 1/2  train loss"), "the summary once, after the final line: " + lines);
        assertEquals(5, lines.size(), "the summary wrapped at a space: " + lines);
        assertEquals(1, lines.stream().filter(l -> l.contains("train loss")).count());
    }

    @Test
    void twoBarsAndInformationLinesBetweenUpdates() {
        Bar outer = progress.start("pre-training LSTM", 100, "steps");
        Bar inner = progress.start("‖∂L/∂h_k‖ LSTM", 20, "batches");
        for (int i = 1; i <= 20; i++) {
            now += 300_000_000L;
            outer.update(i * 5, Field.metric("mse %.4f", 0.1));
            inner.update(i);
            if (i % 7 == 0) progress.info("epoch 0." + i + ": validation 1.23 nats/char");
            List<String> lines = screen();
            assertTrue(lines.get(lines.size() - 2).startsWith("pre-training LSTM "), String.join("\n", lines));
            assertTrue(lines.getLast().startsWith("‖∂L/∂h_k‖ LSTM "), String.join("\n", lines));
            assertEquals(i / 7, lines.size() - 2, "information lines above the bars: " + lines);
        }
        outer.close();
        List<String> lines = screen();
        assertTrue(lines.get(lines.size() - 2).startsWith("pre-training LSTM 100%"), String.join("\n", lines));
        assertTrue(lines.getLast().startsWith("‖∂L/∂h_k‖ LSTM 100%"), "the running bar stays last: " + lines);
        inner.close();
        assertEquals(4, screen().size());
    }

    @Test
    void aResizedTerminalGetsLinesOfItsNewWidth() {
        progress.info("lm: LSTM 1×256 on tiny.txt");
        Bar bar = progress.start("epoch 1/1", 1000, "windows");
        for (int w : new int[] {120, 80, 60, 40, 30, 100, 50}) {
            now += 1_000_000_000L;
            bar.update(now / 10_000_000L, Field.metric("loss %.3f nats (%.3f bpc)", 1.2, 1.7), Field.detail("%,d chars/s", 54321));
            screen();
            width = w; // the user drags the window's edge
            List<String> lines = screen(); // a narrower window re-flowed the old line over several rows
            now += 1_000_000_000L;
            bar.update(now / 10_000_000L, Field.metric("loss %.3f nats (%.3f bpc)", 1.2, 1.7), Field.detail("%,d chars/s", 54321));
            lines = screen();
            assertEquals(List.of("lm: LSTM 1×256 on tiny.txt"), lines.subList(0, 1), "nothing above erased: " + lines);
            assertEquals(2, lines.size(), "one bar line at " + w + ": " + lines);
            assertTrue(lines.getLast().length() < w && lines.getLast().startsWith("epoch 1/1 "), lines.getLast());
        }
    }

    @Test
    void redrawsAtMostFiveTimesASecond() {
        Bar bar = progress.start("epoch 1/1", 1000, "seq");
        int before = buffer.toString().length();
        for (int i = 1; i <= 100; i++) {
            now += 1_000_000L; // 100 updates in 0.1 s
            bar.update(i);
        }
        assertEquals(before, buffer.toString().length(), "no redraw within 0.2 s of the last");
        now += Progress.REDRAW_NANOS;
        bar.update(101);
        assertTrue(buffer.toString().length() > before);
    }

    @Test
    void offDrawsNoBarsButPrintsLines() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        Progress off = Progress.off(new PrintWriter(out), new PrintWriter(err));
        try (Bar bar = off.start("epoch 1/1", 10, "seq")) {
            bar.update(5, Field.metric("loss 1"));
        }
        off.info("data: x");
        off.result("test: y");
        assertEquals("data: x" + System.lineSeparator(), err.toString());
        assertEquals("test: y" + System.lineSeparator(), out.toString());
        assertFalse(err.toString().contains("epoch"));
    }
}
