package dev.recur.app.run.progress;

import java.util.List;

/**
 * One running bar of a {@link Progress} display: a label, units done out of a total, and named
 * {@link Field}s. Started by {@link Progress#start}, closed by {@link #close} (try-with-resources),
 * which leaves its last line on the screen. Updating a closed bar does nothing.
 */
public final class Bar implements AutoCloseable {
    private final Progress display;
    private final String label, unit;
    private final long total, startDone, startNanos;
    private long done;
    private List<Field> fields = List.of();
    private boolean closed;
    // plain mode: what was printed last
    private long printedDone = -1, printedAt;
    private int printedTenth;

    Bar(Progress display, String label, long total, String unit, long done, long now) {
        if (label == null || unit == null) throw new IllegalArgumentException("a progress bar needs a label and a unit");
        this.display = display;
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.startDone = done;
        this.done = done;
        this.startNanos = now;
        this.printedAt = now;
        this.printedTenth = tenth(done);
    }

    /** Sets the units done (not an increment) and the fields shown after the counts, replacing the earlier ones. */
    public void update(long done, Field... fields) {
        synchronized (display) {
            if (closed) return;
            this.done = done;
            this.fields = List.of(fields);
        }
        display.updated(this);
    }

    /** Ends the bar; its last line stays (terminal) or is printed (plain). */
    @Override
    public void close() {
        synchronized (display) {
            if (closed) return;
            closed = true;
        }
        display.closed(this);
    }

    BarLine.State state(long now) {
        double seconds = (now - startNanos) / 1e9;
        long progressed = done - startDone;
        double rate = seconds > 0.05 && progressed > 0 ? progressed / seconds : Double.NaN;
        double time;
        if (closed) time = seconds;
        else time = Double.isNaN(rate) || total <= 0 ? Double.NaN : Math.max(0, total - done) / rate;
        return new BarLine.State(label, done, total, unit, rate, time, closed, fields);
    }

    private int tenth(long d) {
        return total > 0 ? (int) Math.min(10, Math.max(0, d * 10 / total)) : 0;
    }

    /** Plain mode: whether a line is due (a new tenth of the total, or the interval passed). */
    boolean plainLineDue(long now) {
        if (done == printedDone) return false;
        return tenth(done) > printedTenth || now - printedAt >= Progress.PLAIN_INTERVAL_SECONDS * 1_000_000_000L;
    }

    /** Plain mode, at the end: whether the last line printed is not already the final one. */
    boolean finalPlainLineDue() {
        return done != printedDone;
    }

    void printed(long now) {
        printedDone = done;
        printedAt = now;
        printedTenth = tenth(done);
    }
}
