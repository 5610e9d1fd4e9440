package dev.recur.app.repro;

import dev.recur.app.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the app in a separate, fresh JVM: the same {@code java} as the running test, the Vector API
 * module, the test's class path, {@link Main} as the main class. A fresh process is what a user
 * gets from {@code ./recur run}: cold JIT, new identity hash codes, a new heap layout.
 */
final class ChildJvm {
    private ChildJvm() {}

    /** How long one child may take before the test gives up on it (a hung child is killed). */
    static final Duration TIMEOUT = Duration.ofMinutes(3);

    /** One finished child: exit code and what it printed. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() { return "exit " + code + "\n--- out\n" + out + "\n--- err\n" + err; }
    }

    static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The command line that runs the app with {@code args}. */
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts the app with {@code args}; its stdout and stderr go to {@code logs}{@code .out}/{@code .err}. */
    static Process start(Path logs, String... args) throws IOException {
        return start(logs, ProcessBuilder.Redirect.PIPE, args);
    }

    /** As {@link #start(Path, String...)}, with standard input from {@code stdin} (PIPE: an empty one). */
    static Process start(Path logs, ProcessBuilder.Redirect stdin, String... args) throws IOException {
        Files.createDirectories(logs.getParent());
        ProcessBuilder pb = new ProcessBuilder(command(args))
                .redirectInput(stdin)
                .redirectOutput(logs.resolveSibling(logs.getFileName() + ".out").toFile())
                .redirectError(logs.resolveSibling(logs.getFileName() + ".err").toFile());
        Process p = pb.start();
        if (stdin == ProcessBuilder.Redirect.PIPE) p.getOutputStream().close(); // empty input: nothing to wait for
        return p;
    }

    /** Waits for {@code p} (killing it after {@link #TIMEOUT}) and collects what it printed to {@code logs}. */
    static Result finish(Process p, Path logs) throws IOException, InterruptedException {
        if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the child JVM did not finish in " + TIMEOUT + ": " + read(logs, ".err"));
        }
        return new Result(p.exitValue(), read(logs, ".out"), read(logs, ".err"));
    }

    private static String read(Path logs, String suffix) throws IOException {
        Path f = logs.resolveSibling(logs.getFileName() + suffix);
        return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
    }
}
