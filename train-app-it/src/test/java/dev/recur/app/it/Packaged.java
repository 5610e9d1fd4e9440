package dev.recur.app.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The packaged {@code train-app.jar} and short runs of each task on the embedded data, for the integration tests. */
final class Packaged {
    private Packaged() {}

    static Path jar() {
        // set by failsafe (train-app-it/pom.xml): the jar the train-app module packaged
        Path jar = Path.of(System.getProperty("recur.app.jar", "../train-app/target/train-app.jar")).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: the integration tests run after train-app's 'mvn package'");
        return jar;
    }

    /** {@code java} with the app's flags, the launcher property when given, and the jar. */
    static List<String> java(String launcher) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        if (launcher != null) cmd.add("-Drecur.launcher=" + launcher);
        cmd.addAll(List.of("-jar", jar().toString()));
        return cmd;
    }

    /** The tasks as short runs on the embedded data, each into {@code out}: name → arguments. */
    static List<List<String>> tasks(Path out) {
        return List.of(
                List.of("train", "--epochs", "1", "--embed", "16", "--hidden", "16", "--max-len", "64", "--threads", "1",
                        "--out", out.resolve("train").toString()),
                List.of("lm", "--epochs", "2", "--layers", "1", "--hidden", "24", "--embed", "8", "--batch", "8",
                        "--tbptt", "24", "--eval-every", "25", "--sample-length", "60", "--threads", "1",
                        "--out", out.resolve("lm").toString()),
                List.of("tag", "--epochs", "2", "--hidden", "16", "--word-dim", "16", "--feature-dim", "8", "--batch", "8",
                        "--threads", "1", "--out", out.resolve("tag").toString()),
                List.of("forecast", "--epochs", "2", "--hidden", "8", "--lookback", "24", "--horizon", "12",
                        "--threads", "1", "--out", out.resolve("forecast").toString()),
                List.of("speech", "--epochs", "2", "--hidden", "16", "--threads", "1", "--out", out.resolve("speech").toString()));
    }
}
