package dev.recur.app;

import dev.recur.app.core.AppException;

import dev.recur.app.cli.RootCommand;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Turns exceptions into one clear line on stderr and an exit code; stack traces only with --verbose. */
final class ErrorHandling {
    private ErrorHandling() {}

    /** A bad option or argument: the message, then where to find the options. Exit 2. */
    static int onUsageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + AppException.plain(ex.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
        if (RootCommand.verbose(args)) ex.printStackTrace(err);
        return AppException.USAGE;
    }

    /** A failure while running: AppException messages as they are, other exceptions summarised. Exit 1 (or the AppException's code). */
    static int onExecutionError(Exception ex, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        boolean verbose = RootCommand.verbose(parsed.originalArgs().toArray(new String[0]));
        Throwable t = ex;
        if (t instanceof AppException a) {
            err.println("error: " + AppException.plain(a.getMessage()));
            if (verbose) a.printStackTrace(err);
            return a.exitCode();
        }
        if (t instanceof ParameterException pe) return onUsageError(pe, parsed.originalArgs().toArray(new String[0]));
        String what = switch (t) {
            case NoSuchFileException e -> "file not found: " + e.getFile();
            case AccessDeniedException e -> "permission denied: " + e.getFile();
            case OutOfMemoryError e -> "out of memory; give Java more heap (-Xmx) or lower --batch, --hidden or --max-len";
            default -> t.getMessage() == null || t.getMessage().isBlank() ? "an internal failure with no message"
                    : AppException.plain(t.getMessage());
        };
        err.println("error: " + what);
        if (verbose) {
            t.printStackTrace(err);
        } else {
            err.println("(this is unexpected; run again with --verbose to see where it happened, and report it)");
        }
        return AppException.RUNTIME;
    }
}
