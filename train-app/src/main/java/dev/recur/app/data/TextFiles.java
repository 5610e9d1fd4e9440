package dev.recur.app.data;

import dev.recur.app.core.AppException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading a user's input files and streams with bounds: only regular files (a pipe would block,
 * a device such as {@code /dev/zero} never ends), never more than a limit, each refusal a clear
 * message naming the file and what to do.
 */
public final class TextFiles {
    private TextFiles() {}

    /** Reads all of {@code file}, a regular file of at most {@code maxBytes}; {@code option} names the option that gave it. */
    public static byte[] read(Path file, long maxBytes, String option) {
        if (!Files.exists(file)) throw new AppException(file + ": no such file; check " + option);
        if (Files.isDirectory(file)) throw new AppException(file + ": is a folder; give a text file with " + option);
        if (!Files.isRegularFile(file)) {
            throw new AppException(file + ": is not a regular file (a pipe, a device or a socket), which could block or never "
                    + "end; save the text to a file and give that with " + option);
        }
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new AppException(file + ": is " + size + " bytes, more than the " + maxBytes + "-byte limit of "
                        + option + "; give a smaller file");
            }
            return Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new AppException(file + ": permission denied; make it readable (chmod) or copy it somewhere you can read it", e);
        } catch (NoSuchFileException e) {
            throw new AppException(file + ": disappeared while being read; run again", e);
        } catch (IOException e) {
            throw new AppException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** Reads a stream to its end, refusing more than {@code maxBytes}; {@code what} names it ("standard input"). */
    public static byte[] read(InputStream in, int maxBytes, String what) {
        try {
            byte[] b = in.readNBytes(maxBytes + 1);
            if (b.length > maxBytes) {
                throw new AppException(what + " holds more than " + maxBytes + " bytes; give fewer texts at a time "
                        + "(or split the input into smaller files)");
            }
            return b;
        } catch (IOException e) {
            throw new AppException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }
}
