package dev.recur.app.run;

import dev.recur.app.core.AppException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The output folder of a training run, the same for every task: {@value #LAST} (after every
 * epoch or evaluation, with the optimizer state, what {@code --resume} continues),
 * {@value #BEST} (the best validation score), {@value #METRICS}, and a curve picture. A new run
 * into a folder that already holds one is refused; {@code --resume} needs one. A process that
 * trains into a folder holds its {@value #LOCK}: a second start while it runs is refused, and a
 * start after it was killed removes the temporary files it left.
 */
public final class RunFolder {
    public static final String LAST = "last.safetensors";
    public static final String BEST = "best.safetensors";
    public static final String METRICS = "metrics.jsonl";
    /**
     * Held (an OS file lock) by the process training into the folder, so that a second start can
     * tell a live run from a killed one; the lock goes with the process, the empty file stays.
     */
    public static final String LOCK = "run.lock";

    /** The folders this process holds the lock of. */
    private static final Map<Path, FileLock> HELD = new HashMap<>();

    private RunFolder() {}

    /** Whether {@code name} is one of the files a run writes (so its temporary file is the run's own). */
    static boolean own(String name) {
        return name.equals(LAST) || name.equals(BEST) || name.equals(METRICS) || name.endsWith(".png");
    }

    /** Releases the locks of every folder this process trains into (at the end of a command). */
    public static void releaseAll() {
        synchronized (HELD) {
            for (FileLock l : HELD.values()) {
                try {
                    l.channel().close(); // releases the lock
                } catch (IOException ignored) {
                    // the lock goes with the process anyway
                }
            }
            HELD.clear();
        }
    }

    /**
     * Takes the folder's lock for this process (kept until it exits), or refuses when another
     * running process holds it; then removes the temporary files a killed run left of its own files.
     */
    private static void claim(Path out) {
        Path key = out.toAbsolutePath().normalize();
        synchronized (HELD) {
            if (!HELD.containsKey(key)) {
                FileLock lock;
                try {
                    FileChannel ch = FileChannel.open(key.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    lock = ch.tryLock();
                    if (lock == null) {
                        ch.close();
                        throw AppException.usage("'" + out + "' is in use by a training that is still running; wait for it to end "
                                + "or choose another --out");
                    }
                } catch (IOException e) {
                    throw new AppException("cannot lock the output folder '" + out + "': " + AppException.reason(e)
                            + ". Choose another --out.", e);
                }
                HELD.put(key, lock);
            }
        }
        AtomicFiles.removeLeftovers(out, RunFolder::own);
    }

    /**
     * Checks that {@code out} can take the run: without {@code resume} it must not hold a run yet;
     * with it, it must; and no other running process may be training into it. Before the checks,
     * temporary files a killed run left of its own files are removed; then the folder is created.
     * Returns {@code out/last.safetensors}.
     */
    public static Path prepare(Path out, boolean resume) {
        Path last = out.resolve(LAST);
        refuseFile(out);
        if (Files.isDirectory(out)) claim(out); // before the checks: a refused start cleans up after a killed run too
        if (resume) {
            if (!Files.exists(last)) {
                throw new AppException("nothing to resume in '" + out + "': it has no " + LAST
                        + ". Start a new run without --resume, or point --out at an earlier run's folder.");
            }
        } else if (Files.exists(last)) {
            throw AppException.usage("'" + out + "' already holds a run (" + LAST + "); pass --resume to continue it "
                    + "or choose another --out");
        }
        create(out);
        claim(out);
        return last;
    }

    /**
     * The output folder of a command that writes results but no run (the gradient lab: tables and
     * plots, rewritten on every start): checked and created before any work, so that a bad
     * {@code --out} is refused at once rather than after the experiments.
     */
    public static Path results(Path out) {
        refuseFile(out);
        create(out);
        return out;
    }

    private static void refuseFile(Path out) {
        if (out.toString().isEmpty()) {
            throw AppException.usage("--out is empty; give the folder to write into (for example runs/mine)");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw AppException.usage("--out '" + out + "' is a file, not a folder; choose another --out");
        }
    }

    private static void create(Path out) {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new AppException("cannot create the output folder '" + out + "': " + AppException.reason(e)
                    + ". Choose another --out.", e);
        }
    }
}
