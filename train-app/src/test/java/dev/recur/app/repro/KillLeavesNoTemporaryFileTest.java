package dev.recur.app.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * No temporary file outlives a kill: a {@code kill} (SIGTERM, {@link Process#destroy}) that lands
 * while a checkpoint is being written leaves none (the shutdown hook deletes it), and the one a
 * {@code kill -9} leaves is removed by the next start in that folder, be it {@code --resume} or a
 * second run that is refused. A start while another process still trains into the folder is
 * refused and touches nothing. The runs that are killed or that hold the folder are child JVMs;
 * the starts that follow them run in this JVM ({@link Run}), another process all the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillLeavesNoTemporaryFileTest {
    Path dir;
    Path imdb;

    /** A run whose checkpoint is a few MB, so that its write takes long enough to be caught. */
    List<String> command(Path out) {
        return List.of("train", "--data", imdb.toString(), "--out", out.toString(), "--embed", "48", "--hidden", "16",
                "--vocab-size", "5000", "--max-len", "40", "--batch", "32", "--epochs", "3", "--seed", "11",
                "--validation-split", "0.1", "--threads", "1");
    }

    @BeforeAll
    void data(@TempDir Path tmp) throws Exception {
        dir = tmp;
        imdb = SampleSubset.write(dir.resolve("imdb"), 400, 50);
    }

    /** Starts a run and returns it the moment a temporary file of its checkpoint appears (after its first checkpoint). */
    private Process startAndCatchWrite(Path out, String name) throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            Process p = ChildJvm.start(dir.resolve("logs/" + name + "-" + attempt), command(out).toArray(String[]::new));
            while (p.isAlive() && !writing(out)) java.util.concurrent.locks.LockSupport.parkNanos(50_000);
            if (p.isAlive()) return p;
            p.waitFor();
            deleteTree(out); // finished before a write was caught: try again from scratch
        }
        throw new AssertionError("no checkpoint write caught in 5 runs");
    }

    @Test
    void sigtermDuringACheckpointWriteLeavesNoTemporaryFile() throws Exception {
        Path out = dir.resolve("sigterm");
        Process p = startAndCatchWrite(out, "sigterm");
        p.destroy(); // SIGTERM: shutdown hooks run
        p.waitFor();
        assertEquals(List.of(), temporaries(out), "no temporary file after SIGTERM in " + out);
    }

    @Test
    void aStaleTemporaryFileIsRemovedByTheNextStartRefusedOrResumed() throws Exception {
        Path out = dir.resolve("sigkill");
        Process p = startAndCatchWrite(out, "sigkill");
        p.destroyForcibly().waitFor(); // SIGKILL: nothing runs; plant a leftover in case the rename won the race
        if (temporaries(out).isEmpty()) Files.write(out.resolve(".last.safetensors.tmp"), new byte[] {1, 2, 3});
        Files.write(out.resolve(".notes.txt.tmp"), new byte[] {4}); // not a file of the run: left alone
        assertTrue(Files.exists(out.resolve("last.safetensors")), "the run had written a checkpoint");

        Run refused = Run.of(command(out).toArray(String[]::new));
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().contains("already holds a run"), refused.toString());
        assertEquals(List.of(".notes.txt.tmp"), temporaries(out), "the refused start removed the run's stale temporary files");

        Files.write(out.resolve(".best.safetensors.tmp"), new byte[] {5});
        Run resumed = Run.of("train", "--resume", "--out", out.toString());
        assertEquals(0, resumed.code(), resumed.toString());
        assertEquals(List.of(".notes.txt.tmp"), temporaries(out), "the resumed run removed the stale temporary file");
    }

    @Test
    void aStartWhileAnotherProcessTrainsIntoTheFolderIsRefusedAndTouchesNothing() throws Exception {
        Path out = dir.resolve("live");
        Process p = ChildJvm.start(dir.resolve("logs/live"), command(out).toArray(String[]::new));
        try {
            while (p.isAlive() && !Files.exists(out.resolve("last.safetensors"))) Thread.sleep(1);
            assertTrue(p.isAlive(), "the first run is still training");
            Run second = Run.of("train", "--resume", "--out", out.toString());
            assertEquals(2, second.code(), second.toString());
            assertTrue(second.err().contains("in use by a training that is still running"), second.toString());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private static boolean writing(Path out) throws IOException {
        return Files.exists(out.resolve("last.safetensors"))
                && temporaries(out).stream().anyMatch(n -> n.startsWith(".last.safetensors") || n.startsWith(".best.safetensors"));
    }

    /** Temporary files in {@code out}: {@code .NAME.tmp}. */
    private static List<String> temporaries(Path out) throws IOException {
        if (!Files.isDirectory(out)) return List.of();
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).sorted().forEach(names::add);
        } catch (java.nio.file.NoSuchFileException | java.io.UncheckedIOException e) {
            return temporaries(out); // a file vanished while listing: a rename in progress
        }
        return names;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
