package dev.recur.app.core;

import java.io.InputStream;
import java.io.PrintWriter;

/**
 * Where a command reads and writes: standard streams for the real program, buffers in tests.
 *
 * @param out      results (tables, JSON, where outputs went)
 * @param err      errors, warnings and progress bars
 * @param in       standard input ({@code predict} reads texts from it)
 * @param progress whether to draw progress bars (off in tests)
 */
public record Io(PrintWriter out, PrintWriter err, InputStream in, boolean progress) {}
