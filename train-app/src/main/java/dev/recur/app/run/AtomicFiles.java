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
 * and replace the target by an atomic rename. A failure removes the temporary file, and so does a
 * {@code kill} (SIGTERM, SIGINT): a shutdown hook deletes the temporary files being written at that
 * moment, and no new one is started after it ran. Only {@code kill -9} can leave one, which
 * {@link #removeLeftovers} deletes when the next run in that folder starts.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The temporary files being written now; guarded by itself. */
    private static final java.util.Set<Path> IN_FLIGHT = new java.util.LinkedHashSet<>();
    private static boolean shuttingDown;
    private static boolean hooked;

    /** Creates {@code tmp} (new, empty) and records it as in flight; refused once the JVM is shutting down. */
    private static void begin(Path tmp) throws IOException {
        synchronized (IN_FLIGHT) {
            if (shuttingDown) throw new IOException("the program is being stopped");
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::removeInFlight, "remove-temporary-files"));
                hooked = true;
            }
            Files.deleteIfExists(tmp);
            Files.createFile(tmp);
            IN_FLIGHT.add(tmp);
        }
    }

    private static void end(Path tmp) {
        synchronized (IN_FLIGHT) {
            IN_FLIGHT.remove(tmp);
        }
    }

    /** The shutdown hook: deletes every temporary file being written; later writes are refused. */
    private static void removeInFlight() {
        synchronized (IN_FLIGHT) {
            shuttingDown = true;
            for (Path p : IN_FLIGHT) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // nothing more can be done while the JVM stops; the next run removes it
                }
            }
            IN_FLIGHT.clear();
        }
    }

    /**
     * The work of filling a temporary file. It exists when the writer is called: open it without
     * {@code CREATE} (a kill's shutdown hook may have deleted it, and it must not come back).
     */
    public interface Writer { void write(Path tmp) throws IOException; }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) {
        write(target, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
        });
    }

    /** Copies {@code from} to {@code to} atomically. */
    public static void copy(Path from, Path to) {
        write(to, tmp -> {
            try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                long size = in.size();
                for (long done = 0; done < size; ) done += in.transferTo(done, size - done, out);
                out.force(true);
            }
        });
    }

    /** The temporary file {@link #write} uses for {@code target}: {@code .NAME.tmp} beside it. */
    public static Path temporaryFor(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".tmp");
    }

    /**
     * Lets {@code writer} fill a temporary file (it exists, empty, when the writer is called), then
     * renames it onto {@code target} and forces the folder's entry to disk.
     */
    public static void write(Path target, Writer writer) {
        Path abs = target.toAbsolutePath();
        Path tmp = null;
        if (Files.exists(abs.getParent()) && !Files.isDirectory(abs.getParent())) {
            throw new AppException("cannot write '" + target + "': '" + abs.getParent() + "' is a file, not a folder");
        }
        try {
            Files.createDirectories(abs.getParent());
            tmp = temporaryFor(abs); // default permissions, unlike createTempFile
            begin(tmp);
            writer.write(tmp);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            end(tmp);
            tmp = null;
            syncFolder(abs.getParent());
        } catch (IOException e) {
            throw new AppException("cannot write '" + target + "': " + AppException.reason(e)
                    + ". Check free disk space and that the folder is writable.", e);
        } catch (RuntimeException e) {
            throw new AppException("cannot write '" + target + "': " + (e.getMessage() == null ? "I/O error" : e.getMessage())
                    + ". Check free disk space and that the folder is writable.", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more can be done; the next run removes it
                }
                end(tmp);
            }
        }
    }

    private static void syncFolder(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every file system lets a folder be forced; the rename itself is atomic
        }
    }

    /**
     * Deletes the temporary files ({@code .NAME.tmp}) that a killed run left in {@code folder} for
     * the targets {@code own} accepts (by file name); other files are left alone.
     */
    public static void removeLeftovers(Path folder, java.util.function.Predicate<String> own) {
        if (!Files.isDirectory(folder)) return;
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") && n.endsWith(".tmp") && n.length() > 5 && own.test(n.substring(1, n.length() - 4))
                        && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new AppException("cannot clean the output folder '" + folder + "': " + e.getMessage(), e);
        }
    }
}
