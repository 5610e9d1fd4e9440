package dev.recur.app.run;

import dev.recur.app.core.AppException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * Whole-file writes that never leave a half-written file: the bytes go to a temporary file beside
 * the target ({@code .NAME.tmp}, same folder so the rename is atomic), are forced to disk,
 * and replace the target by an atomic rename. A failure removes the temporary file; a kill can
 * leave one, which {@link #removeLeftovers} deletes when the next run in that folder starts.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The work of filling a temporary file. */
    public interface Writer { void write(Path tmp) throws IOException; }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) {
        write(target, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
        });
    }

    /** Copies {@code from} to {@code to} atomically. */
    public static void copy(Path from, Path to) {
        write(to, tmp -> Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING));
    }

    /** Lets {@code writer} fill a temporary file, then renames it onto {@code target}. */
    public static void write(Path target, Writer writer) {
        Path abs = target.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(abs.getParent());
            tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp"); // default permissions, unlike createTempFile
            Files.deleteIfExists(tmp);
            writer.write(tmp);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException | RuntimeException e) {
            throw new AppException("cannot write '" + target + "': " + (e.getMessage() == null ? "I/O error" : e.getMessage())
                    + ". Check free disk space and that the folder is writable.", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more can be done; the next run removes it
                }
            }
        }
    }

    /** Deletes temporary files ({@code .*.tmp}) that a killed run left in {@code folder}. */
    public static void removeLeftovers(Path folder) {
        if (!Files.isDirectory(folder)) return;
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") && n.endsWith(".tmp") && Files.isRegularFile(p)) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new AppException("cannot clean the output folder '" + folder + "': " + e.getMessage(), e);
        }
    }
}
