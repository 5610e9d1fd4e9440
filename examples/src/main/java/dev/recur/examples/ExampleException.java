package dev.recur.examples;

/**
 * A problem the user of an example can fix (a bad file, a bad option): the message says what, where
 * and what to do. The examples' {@code main} methods print it alone and exit with status 1.
 */
public final class ExampleException extends RuntimeException {
    /** A failure described by {@code message}. */
    public ExampleException(String message) { super(message); }

    /** A failure described by {@code message}, caused by {@code cause} (kept for debugging). */
    public ExampleException(String message, Throwable cause) { super(message, cause); }
}
