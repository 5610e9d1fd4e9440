package dev.recur.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code train}, {@code lm}, {@code tag}, {@code forecast} and {@code speech} (the generated set) from the
 * packaged jar in a real terminal: a tmux pane of 80 or of 120 columns (train at both), read with {@code capture-pane} while the task runs and at its end. tmux is
 * required (Debian: {@code apt-get install tmux}; {@code .ci/run} installs it when missing). The
 * cases run two at a time (failsafe's JUnit configuration), each with its own tmux server and
 * folder: a case mostly waits for its pane, and its task trains on one thread.
 */
@Execution(ExecutionMode.CONCURRENT)
class TerminalIT {
    /** A bar line: its label, then the percentage. */
    private static final Pattern BAR = Pattern.compile("^(epoch \\d+/\\d+) +(\\d+)% ");
    private static final int ROWS = 150;

    @TempDir Path dir;
    /** This case's tmux server (set by the case: cases run at the same time, each needs its own). */
    private String server;

    @ParameterizedTest(name = "{0} at {1} columns")
    // every task at one width, the widths alternating; train (the default job) at both. A bar sized
    // from the terminal is one code path for every task (the shared progress), so each width is met
    // by the shared code at least three times, and a task's own lines at one width (6 app runs, not 10)
    @CsvSource({"train, 80", "train, 120", "lm, 120", "tag, 80", "forecast, 120", "speech, 80"})
    void oneLinePerRunningBarAndNoWrappedFragments(String task, int columns) throws Exception {
        server = "recur-it-" + ProcessHandle.current().pid() + "-" + task + "-" + columns;
        List<String> args = Packaged.tasks(dir).stream().filter(t -> t.getFirst().equals(task)).findFirst().orElseThrow();
        List<String> cmd = new ArrayList<>(Packaged.java("./recur run"));
        cmd.addAll(args);
        Path exit = dir.resolve("exit-code");
        String shell = "cd " + quote(dir.toString()) + " && " + String.join(" ", cmd.stream().map(TerminalIT::quote).toList())
                + "; echo $? > " + quote(exit.toString()) + "; sleep 600";
        tmux("-f", "/dev/null", "new-session", "-d", "-s", "it", "-x", Integer.toString(columns), "-y", Integer.toString(ROWS),
                "sh -c " + quote(shell));
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (!Files.exists(exit) || Files.readString(exit).isBlank()) {
                if (System.nanoTime() > deadline) fail(task + " did not finish in 4 minutes:\n" + capture(true));
                check(task, columns, false);
                Thread.sleep(300);
            }
            String screen = check(task, columns, true);
            assertEquals("0", Files.readString(exit).strip(), "exit code of " + task + ":\n" + screen);
        } finally {
            tmux("kill-server");
        }
    }

    /**
     * Reads the pane and checks it: no row continues on the next (capture-pane -J joins wrapped
     * rows, so the joined screen would have fewer lines), no line wider than the pane, at most one
     * running bar, and at the end one final line per epoch and the task's summary once.
     */
    private String check(String task, int columns, boolean finished) throws Exception {
        String rows = capture(false), joined = capture(true);
        assertEquals(rows.lines().count(), joined.lines().count(), "a line wrapped at " + columns + " columns:\n" + rows);
        List<String> lines = joined.lines().map(String::stripTrailing).toList();
        int running = 0;
        List<String> epochs = new ArrayList<>();
        for (String line : lines) {
            assertTrue(line.length() <= columns, "wider than the pane: " + line);
            assertFalse(line.contains("\u001b"), "a raw escape code on the screen: " + line);
            Matcher m = BAR.matcher(line);
            if (!m.find()) continue;
            if (line.matches(".*  in \\d+:\\d\\d( .*)?")) epochs.add(m.group(1));
            else running++;
        }
        assertTrue(running <= 1, "one line per running bar, not " + running + ":\n" + joined);
        if (finished) {
            assertEquals(0, running, "no running bar is left at the end:\n" + joined);
            List<String> expected = task.equals("train") ? List.of("epoch 1/1") : List.of("epoch 1/2", "epoch 2/2");
            assertEquals(expected, epochs, "one final line per epoch:\n" + joined);
            String summary = switch (task) {
                case "train" -> "epoch 1/1  train loss";
                case "lm" -> "validation loss ";
                case "forecast" -> "test, ";
                default -> "test (";
            };
            assertEquals(1, lines.stream().filter(l -> l.startsWith(summary)).count(), "the summary once:\n" + joined);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("try: ./recur run ")) || task.equals("tag") || task.equals("forecast")
                    || task.equals("speech"),
                    "the hint as the user types it:\n" + joined);
        }
        return joined;
    }

    private String capture(boolean join) throws Exception {
        return join ? tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "it") : tmux("capture-pane", "-p", "-S", "-", "-t", "it");
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", server));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("these tests need tmux: install it (Debian: apt-get install tmux) and run again", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        if (p.exitValue() != 0 && !args[0].equals("kill-server")) fail("tmux " + String.join(" ", args) + " failed: " + out);
        return out;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
