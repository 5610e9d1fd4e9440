package dev.recur.app.run.progress;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The program's one progress display. It draws {@link Bar}s and information lines on standard
 * error, and result lines on standard output, in one of three ways:
 * <ul>
 *   <li><b>terminal</b>: one line per running bar, redrawn in place at most five times a second,
 *       never wider than the terminal is now (parts dropped by priority, see {@link Field}); a
 *       closed bar's last line stays; information and result lines are wrapped at spaces to the
 *       width;</li>
 *   <li><b>plain</b> (a file, a pipe, CI): a bar prints a whole line each time it passes a tenth of
 *       its total or every {@value #PLAIN_INTERVAL_SECONDS} s, and once at the end; no escape codes,
 *       no carriage returns, lines as they are;</li>
 *   <li><b>off</b> (tests): bars print nothing, lines as they are.</li>
 * </ul>
 * Standard output and standard error are judged separately ({@code train > results.txt} in a
 * terminal still draws bars). Everything goes through the given writers, so that their other
 * output keeps its order. The methods are thread-safe.
 *
 * <pre>{@code
 * Progress progress = io.progress();
 * progress.info("data: ...");
 * try (Bar bar = progress.start("epoch 1/3", reviews, "seq")) {
 *     for (...) bar.update(done, Field.metric("loss %.4f", loss), Field.detail("‖g‖ %.2f", norm));
 * }
 * progress.result("epoch 1/3  train loss ...");
 * }</pre>
 */
public final class Progress {
    /** In plain mode a running bar prints a line at least this often (besides every tenth of its total). */
    public static final int PLAIN_INTERVAL_SECONDS = 30;
    /** In a terminal, the shortest time between two redraws. */
    static final long REDRAW_NANOS = 200_000_000L;

    private static final String ESC = "\u001b";
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f]");
    private static final IntSupplier UNLIMITED = () -> Integer.MAX_VALUE;

    private enum Mode { OFF, PLAIN, TERMINAL }

    private final PrintWriter out, err;
    private final Mode mode;
    /** The widths of the terminals on standard output and standard error; {@link #UNLIMITED} when not a terminal. */
    private final IntSupplier outColumns, errColumns;
    private final LongSupplier clock;
    private final List<Bar> running = new ArrayList<>();
    /** The widths of the bar lines on the screen and the terminal width they were drawn at (terminal mode). */
    private int[] drawnWidths = new int[0];
    private int drawnColumns;
    private long lastDraw;
    /** Whether bar lines are on the screen, the cursor at the end of the last (read by the shutdown hook without the lock). */
    private volatile boolean barsOnScreen;

    private Progress(PrintWriter out, PrintWriter err, Mode mode, IntSupplier outColumns, IntSupplier errColumns,
                     LongSupplier clock) {
        this.out = out;
        this.err = err;
        this.mode = mode;
        this.outColumns = outColumns;
        this.errColumns = errColumns;
        this.clock = clock;
    }

    /**
     * The display for the real program on the process's standard output and error ({@code out}
     * and {@code err} write to them): terminal mode when standard error is a terminal, else plain;
     * result lines are wrapped when standard output is a terminal.
     */
    public static Progress standardStreams(PrintWriter out, PrintWriter err) {
        IntSupplier outColumns = Terminal.isTerminal(Terminal.STDOUT) ? () -> Terminal.columns(Terminal.STDOUT) : UNLIMITED;
        boolean errTerminal = Terminal.isTerminal(Terminal.STDERR);
        Progress p = new Progress(out, err, errTerminal ? Mode.TERMINAL : Mode.PLAIN, outColumns,
                errTerminal ? () -> Terminal.columns(Terminal.STDERR) : UNLIMITED, System::nanoTime);
        if (errTerminal) { // interrupted (Ctrl-C) with a bar on the screen: the shell's prompt goes below it
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (p.barsOnScreen) {
                    err.println();
                    err.flush();
                }
            }, "progress-newline"));
        }
        return p;
    }

    /** Plain lines at a steady pace (a log file, a pipe). */
    public static Progress plain(PrintWriter out, PrintWriter err) {
        return plain(out, err, System::nanoTime);
    }

    /** No bars; lines as they are. */
    public static Progress off(PrintWriter out, PrintWriter err) {
        return new Progress(out, err, Mode.OFF, UNLIMITED, UNLIMITED, System::nanoTime);
    }

    /** Plain mode with a given clock (nanoseconds), for tests. */
    static Progress plain(PrintWriter out, PrintWriter err, LongSupplier clock) {
        return new Progress(out, err, Mode.PLAIN, UNLIMITED, UNLIMITED, clock);
    }

    /** Terminal mode on both streams with a given width and clock, for tests. */
    static Progress terminal(PrintWriter out, PrintWriter err, IntSupplier columns, LongSupplier clock) {
        return new Progress(out, err, Mode.TERMINAL, columns, columns, clock);
    }

    /** Starts a bar at 0 of {@code total} units ({@code total <= 0}: unknown). */
    public Bar start(String label, long total, String unit) {
        return start(label, total, unit, 0);
    }

    /**
     * Starts a bar at {@code done} of {@code total} units, e.g. a resumed epoch; the rate counts
     * only what is done from here.
     */
    public synchronized Bar start(String label, long total, String unit, long done) {
        Bar bar = new Bar(this, label, total, unit, done, clock.getAsLong());
        if (mode == Mode.OFF) return bar;
        running.add(bar);
        if (mode == Mode.TERMINAL) redraw(List.of());
        return bar;
    }

    /**
     * Prints an information line (or several, split at line ends) on standard error, above the
     * running bars; in a terminal a line wider than the terminal is wrapped at spaces, the later
     * pieces indented.
     */
    public synchronized void info(String text) {
        List<String> lines = lines(text, errColumns.getAsInt());
        if (mode == Mode.TERMINAL) {
            redraw(lines);
        } else {
            for (String line : lines) err.println(line);
            err.flush();
        }
    }

    /**
     * Prints a result line (or several) on standard output; when standard output is a terminal, a
     * line wider than it is wrapped at spaces, the later pieces indented. Running bars move below it.
     */
    public synchronized void result(String text) {
        List<String> lines = lines(text, outColumns.getAsInt());
        boolean moveBars = mode == Mode.TERMINAL && drawnWidths.length > 0;
        if (moveBars) {
            err.print(clearBars(errColumns.getAsInt()));
            err.flush();
            drawnWidths = new int[0];
            barsOnScreen = false;
        }
        for (String line : lines) out.println(line);
        out.flush();
        if (moveBars) redraw(List.of());
    }

    /**
     * Prints a shell command for the user to run next on standard output, after {@code lead}
     * (e.g. {@code "try: "}); when standard output is a terminal too narrow for it, the command is
     * broken between its arguments with shell line continuations, so that it can still be copied.
     */
    public synchronized void command(String lead, String command) {
        int columns = outColumns.getAsInt();
        String text = CONTROL.matcher(lead + command).replaceAll(" ");
        result(String.join("\n", columns == Integer.MAX_VALUE ? List.of(text) : WordWrap.command(text, columns - 1)));
    }

    /** {@code text} split at line ends, control characters made spaces, lines wrapped to {@code columns} (minus one). */
    private static List<String> lines(String text, int columns) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\r?\n", -1)) {
            line = CONTROL.matcher(line).replaceAll(" "); // a tab or a carriage return would break the layout
            if (columns == Integer.MAX_VALUE) lines.add(line);
            else lines.addAll(WordWrap.wrap(line, columns - 1));
        }
        return lines;
    }

    synchronized void updated(Bar bar) {
        long now = clock.getAsLong();
        switch (mode) {
            case OFF -> { }
            case PLAIN -> {
                if (bar.plainLineDue(now)) printPlain(bar, now);
            }
            case TERMINAL -> {
                if (now - lastDraw >= REDRAW_NANOS) redraw(List.of());
            }
        }
    }

    synchronized void closed(Bar bar) {
        if (!running.remove(bar)) return;
        long now = clock.getAsLong();
        if (mode == Mode.PLAIN) {
            if (bar.finalPlainLineDue()) printPlain(bar, now);
        } else if (mode == Mode.TERMINAL) {
            redraw(List.of(BarLine.fit(bar.state(now), errColumns.getAsInt() - 1)));
        }
    }

    private void printPlain(Bar bar, long now) {
        err.println(BarLine.plain(bar.state(now)));
        err.flush();
        bar.printed(now);
    }

    /** The escape codes that move to the first bar line on the screen and erase from there to the end. */
    private String clearBars(int cols) {
        if (drawnWidths.length == 0) return "";
        int rows = 0; // a terminal that re-flows its lines when narrowed spreads a line over several rows
        for (int w : drawnWidths) rows += cols < drawnColumns ? Math.max(1, (w + cols - 1) / cols) : 1;
        return "\r" + (rows > 1 ? ESC + "[" + (rows - 1) + "A" : "") + ESC + "[J";
    }

    /**
     * Erases the bar lines, prints {@code above} as lines that stay, then one line per running
     * bar; the cursor stays at the end of the last bar line. One write, so the screen does not flicker.
     */
    private void redraw(List<String> above) {
        int cols = Math.max(errColumns.getAsInt(), 2);
        StringBuilder sb = new StringBuilder(clearBars(cols));
        for (String line : above) sb.append(line).append('\n');
        long now = clock.getAsLong();
        int[] widths = new int[running.size()];
        for (int i = 0; i < running.size(); i++) {
            String line = BarLine.fit(running.get(i).state(now), cols - 1);
            widths[i] = Text.width(line);
            sb.append(line);
            if (i + 1 < running.size()) sb.append('\n');
        }
        drawnWidths = widths;
        barsOnScreen = widths.length > 0;
        drawnColumns = cols;
        lastDraw = now;
        err.print(sb);
        err.flush();
    }
}
