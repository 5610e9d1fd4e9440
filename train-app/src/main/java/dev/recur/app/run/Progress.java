package dev.recur.app.run;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error (me.tongfei:progressbar), or nothing when progress is off
 * (tests, {@code Io.progress() == false}). Used by {@code lm}, {@code tag} and {@code gradients}.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) { this.bar = bar; }

    /** A bar for {@code total} units named {@code task}; a no-op when {@code show} is false. */
    public static Progress start(boolean show, String task, long total, long from) {
        if (!show) return new Progress(null);
        ProgressBar b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(System.err, 150)).build();
        b.stepTo(from);
        return new Progress(b);
    }

    /** Moves to {@code done} units and shows {@code message} after the bar. */
    public void update(long done, String message) {
        if (bar == null) return;
        bar.stepTo(done);
        bar.setExtraMessage(message);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
