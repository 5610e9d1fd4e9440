package dev.recur.app.core;

import dev.recur.app.run.progress.Progress;
import java.io.InputStream;
import java.io.PrintWriter;

/**
 * Where a command reads and writes: standard streams for the real program, buffers in tests.
 *
 * @param out      results (tables, JSON, where outputs went)
 * @param err      errors and warnings; progress bars and information lines go through {@code progress}
 * @param in       standard input ({@code predict} reads texts from it)
 * @param progress the progress display on {@code err} (and the wrapping of long result lines on {@code out})
 */
public record Io(PrintWriter out, PrintWriter err, InputStream in, Progress progress) {
    /**
     * Streams with the display chosen for them: when {@code showProgress}, bars redrawn in place
     * if standard error is a terminal and plain lines otherwise; else no bars (tests).
     */
    public Io(PrintWriter out, PrintWriter err, InputStream in, boolean showProgress) {
        this(out, err, in, showProgress ? Progress.standardStreams(out, err) : Progress.off(out, err));
    }
}
