package dev.recur.app.core;

/**
 * A failure the user can act on: its message says what went wrong, where (which file or option),
 * and what to do. {@link Main} prints the message alone (no stack trace unless {@code --verbose})
 * and exits with {@link #exitCode()}: {@link #USAGE} for a bad option, {@link #RUNTIME} for
 * everything else (bad data, bad checkpoint, a diverging run).
 */
public class AppException extends RuntimeException {
    /** Exit code of a runtime failure (bad file, diverged training, I/O error). */
    public static final int RUNTIME = 1;
    /** Exit code of a usage error (an option out of range, a missing module flag). */
    public static final int USAGE = 2;

    private final int exitCode;

    public AppException(String message) { this(message, RUNTIME, null); }

    public AppException(String message, Throwable cause) { this(message, RUNTIME, cause); }

    public AppException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A usage error (exit code 2): an option or argument the user must change. */
    public static AppException usage(String message) { return new AppException(message, USAGE, null); }

    public int exitCode() { return exitCode; }

    /**
     * What went wrong in an I/O call, in words: the file systems' exceptions carry only the path as
     * their message ({@code /proc/foo}), which says where but not what.
     */
    public static String reason(java.io.IOException e) {
        String what = switch (e) {
            case java.nio.file.AccessDeniedException x -> "permission denied";
            case java.nio.file.NoSuchFileException x -> "no such file or folder";
            case java.nio.file.FileAlreadyExistsException x -> "a file of that name is in the way";
            case java.nio.file.NotDirectoryException x -> "not a folder";
            case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
            case java.nio.file.FileSystemException x -> "the file system refused it";
            default -> e.getMessage() == null || e.getMessage().isBlank() ? "I/O error" : plain(e.getMessage());
        };
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            what += " (" + f.getFile() + (f.getOtherFile() != null ? ", " + f.getOtherFile() : "") + ")";
        }
        return what;
    }

    private static final java.util.regex.Pattern QUALIFIED =
            java.util.regex.Pattern.compile("`?\\b(?:[a-z_][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9_]*)(?:\\$([A-Z][A-Za-z0-9_]*))?`?");

    /**
     * {@code text} without Java internals: qualified class names (as in a library's message, such
     * as {@code `org.example.Choices$ModelKind`}) become the plain word after them.
     */
    public static String plain(String text) {
        if (text == null) return "";
        return QUALIFIED.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                m.group(2) != null ? m.group(2) : m.group(1)));
    }
}
