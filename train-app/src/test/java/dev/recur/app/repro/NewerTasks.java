package dev.recur.app.repro;

import dev.recur.app.translate.NumberTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny settings of the tasks with their own commands — translate, forecast, speech — for the
 * fresh-process checks: each run takes seconds and still goes through every random stream its task
 * has (dropout, teacher forcing, shuffling).
 */
final class NewerTasks {
    private NewerTasks() {}

    /** Writes a small parallel corpus of the generated number task ({@code train.*}, {@code valid.*}, {@code test.*}) under {@code root}. */
    static Path writeNumberPairs(Path root) throws IOException {
        Files.createDirectories(root);
        write(root, "train", NumberTask.generate(400, 1));
        write(root, "valid", NumberTask.generate(40, 2));
        write(root, "test", NumberTask.generate(40, 3));
        return root;
    }

    private static void write(Path root, String name, NumberTask.Sentences s) throws IOException {
        Files.write(root.resolve(name + ".src"), s.source());
        Files.write(root.resolve(name + ".tgt"), s.target());
    }

    /** translate on the pairs of {@link #writeNumberPairs}: a 2-layer encoder with dropout, input feeding, teacher forcing below 1. */
    static List<String> translate(Path pairs, int epochs) {
        List<String> a = new ArrayList<>(translateData(pairs));
        a.addAll(List.of("--embed", "8", "--hidden", "8", "--layers", "2", "--attention", "general", "--input-feeding", "--dropout", "0.2",
                "--teacher-forcing", "0.8", "--label-smoothing", "0.1", "--batch", "32", "--epochs", String.valueOf(epochs),
                "--patience", "0", "--beam", "2", "--seed", "5"));
        return a;
    }

    /** translate with only the files of {@link #writeNumberPairs}: what {@code --resume} needs besides {@code --out}. */
    static List<String> translateData(Path pairs) {
        return List.of("translate", "--source", pairs.resolve("train.src").toString(), "--target", pairs.resolve("train.tgt").toString(),
                "--valid-source", pairs.resolve("valid.src").toString(), "--valid-target", pairs.resolve("valid.tgt").toString(),
                "--test-source", pairs.resolve("test.src").toString(), "--test-target", pairs.resolve("test.tgt").toString());
    }

    /** forecast on its generated series, short windows; {@code more} picks the model. */
    static List<String> forecast(int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("forecast", "--lookback", "24", "--horizon", "12", "--hidden", "8", "--batch", "64",
                "--epochs", String.valueOf(epochs), "--patience", "0", "--seed", "6"));
        a.addAll(List.of(more));
        return a;
    }

    /** speech on its generated set: 2 bidirectional GRU layers with dropout. */
    static List<String> speech(int epochs) {
        return List.of("speech", "--hidden", "8", "--layers", "2", "--dropout", "0.2", "--epochs", String.valueOf(epochs), "--seed", "7");
    }
}
