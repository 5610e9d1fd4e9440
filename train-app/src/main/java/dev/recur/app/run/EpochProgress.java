package dev.recur.app.run;

import dev.recur.app.core.Io;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar of one epoch (me.tongfei:progressbar on stderr): sequences done, seq/s, elapsed
 * and remaining time, and an extra message with loss, accuracy and gradient norm. Draws nothing
 * when the program's {@link Io} has progress off (tests). On a terminal it redraws in place; when
 * stderr is redirected it prints one line every 10 s instead, to keep logs short and readable.
 */
public final class EpochProgress implements AutoCloseable {
    private final ProgressBar bar;

    private EpochProgress(ProgressBar bar) { this.bar = bar; }

    /** Starts a bar named {@code task} counting to {@code total} sequences. */
    public static EpochProgress start(Io io, String task, long total) {
        if (!io.progress()) return new EpochProgress(null);
        boolean terminal = System.console() != null && System.console().isTerminal();
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" seq", 1)
                .showSpeed(new java.text.DecimalFormat("#"))
                .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .setStyle(terminal ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(terminal ? 500 : 10_000)
                .setMaxRenderedLength(140)
                .setConsumer(terminal ? new ConsoleProgressBarConsumer(new PrintStream(System.err, true), 140)
                        : new DelegatingProgressBarConsumer(line -> System.err.println(line.strip()), 140))
                .continuousUpdate()
                .build();
        return new EpochProgress(bar);
    }

    /** Adds {@code n} sequences and sets the extra message. */
    public void step(long n, String message) {
        if (bar == null) return;
        bar.stepBy(n);
        bar.setExtraMessage(message);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
