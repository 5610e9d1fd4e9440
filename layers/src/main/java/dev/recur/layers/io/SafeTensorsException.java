package dev.recur.layers.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that cannot be used: not safetensors at all, truncated, corrupt, or not
 * matching what the caller expected. The message names the file and the problem.
 */
public final class SafeTensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** {@code problem} with {@code file}; the message is {@code "<file>: <problem>"}. */
    public SafeTensorsException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The file concerned (may be null for in-memory data). */
    public Path file() { return file; }
}
