package dev.recur.app.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.Run;
import dev.recur.app.TinyImdb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Special files given to the app as a user gives them, each command in its own JVM so that a hang
 * is caught by the child's timeout instead of hanging the test run: a FIFO (which blocks a reader
 * until a writer comes), {@code /dev/zero} (an endless stream of NUL bytes) as data, a FIFO inside
 * an IMDB folder, and {@code /dev/zero} as {@code predict}'s standard input. Each must end at once
 * with exit code 1 and a one-line message, with no Java internals. (The in-process checks of the
 * same guarantees are in {@code dev.recur.app.CarelessUserTest}.)
 */
class SpecialFilesInFreshProcessesTest {
    @TempDir Path dir;

    @Test
    void fifosAndEndlessStreamsGiveABoundedClearError() throws Exception {
        Path fifo = mkfifo(dir.resolve("fifo"));
        Path imdbWithFifo = TinyImdb.writeFolder(dir.resolve("imdb-with-fifo"), TinyImdb.entries());
        mkfifo(imdbWithFifo.resolve("train/pos/99_9.txt"));
        Path imdb = TinyImdb.archive(dir);
        Path run = dir.resolve("run");
        assertEquals(0, Run.of(Run.tiny("train", "--data", imdb.toString(), "--out", run.toString(), "--epochs", "1")).code());
        String zero = "/dev/zero";
        List<String[]> cases = List.of(
                new String[] {"train", "--data", fifo.toString(), "--out", dir.resolve("s1").toString()},
                new String[] {"train", "--data", zero, "--out", dir.resolve("s2").toString()},
                new String[] {"train", "--data", imdbWithFifo.toString(), "--out", dir.resolve("s3").toString()},
                new String[] {"lm", "--data", fifo.toString(), "--out", dir.resolve("s4").toString()},
                new String[] {"lm", "--data", zero, "--out", dir.resolve("s5").toString()},
                new String[] {"tag", "--train", fifo.toString(), "--out", dir.resolve("s6").toString()},
                new String[] {"tag", "--train", zero, "--out", dir.resolve("s7").toString()},
                new String[] {"eval", "--checkpoint", run.resolve("best.safetensors").toString(), "--data", fifo.toString()});
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) ps.add(ChildJvm.start(dir.resolve("logs/special-" + i), cases.get(i)));
        Process predict = ChildJvm.start(dir.resolve("logs/predict"), ProcessBuilder.Redirect.from(Path.of(zero).toFile()),
                "predict", "--checkpoint", run.resolve("best.safetensors").toString());
        for (int i = 0; i < cases.size(); i++) {
            assertOneLineError(ChildJvm.finish(ps.get(i), dir.resolve("logs/special-" + i)), String.join(" ", cases.get(i)),
                    "not a regular file");
        }
        assertOneLineError(ChildJvm.finish(predict, dir.resolve("logs/predict")), "predict < /dev/zero", "standard input");
    }

    private static Path mkfifo(Path p) throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor(), "mkfifo " + p);
        return p;
    }

    /** Exit code 1; standard error one line "error: …" holding {@code words}; no Java internals. */
    static void assertOneLineError(ChildJvm.Result r, String what, String... words) {
        assertEquals(1, r.code(), what + ": " + r);
        List<String> lines = r.err().lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING:")).toList();
        assertEquals(1, lines.size(), what + ": one line of error: " + r);
        String line = lines.get(0);
        assertTrue(line.startsWith("error: "), what + ": " + line);
        for (String w : words) assertTrue(line.contains(w), what + ": the message names '" + w + "': " + line);
        for (String internal : List.of("Exception", "\tat ", "dev.recur.", "java.", "jdk.")) {
            assertFalse(line.contains(internal), what + ": no Java internals (" + internal + ") in: " + line);
        }
    }
}
