package dev.recur.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The example model, trained once per test JVM by running {@link TrainCsvClassifier} on the shipped CSV. */
final class TrainedModel {
    static final Path REVIEWS = Path.of("data/reviews.csv");
    static final Path TEXTS = Path.of("data/texts.txt");

    private static Path file;
    private static String output;

    private TrainedModel() {}

    /** The checkpoint file (deleted when the JVM exits). */
    static synchronized Path file() {
        if (file == null) {
            try {
                Path dir = Files.createTempDirectory("recur-examples");
                dir.toFile().deleteOnExit();
                Path f = dir.resolve("reviews.safetensors");
                ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
                int status = TrainCsvClassifier.run(new String[] {REVIEWS.toString(), f.toString(), "--epochs", "8"},
                        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
                if (status != 0) throw new IllegalStateException("training failed with status " + status + ": " + err);
                f.toFile().deleteOnExit();
                output = out.toString(StandardCharsets.UTF_8);
                file = f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** What the training run printed. */
    static synchronized String output() {
        file();
        return output;
    }
}
