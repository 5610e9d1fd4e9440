package dev.recur.spark;

import dev.recur.app.data.ImdbDataset;
import dev.recur.app.data.Review;
import dev.recur.app.data.Review.Split;
import dev.recur.app.run.Choices.FreezeKind;
import dev.recur.app.run.Choices.LrScheduleKind;
import dev.recur.app.run.Choices.ModelKind;
import dev.recur.app.run.Choices.OptimizerKind;
import dev.recur.app.run.Choices.PoolKind;
import dev.recur.app.run.Choices.TruncateKind;
import dev.recur.app.sentiment.TrainConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

/** A small IMDB folder cut from the sample embedded in the app, and a small model's configuration. */
final class TinyImdb {
    private TinyImdb() {}

    /** Writes the first {@code train} training and {@code test} test reviews of the sample under {@code dir}. */
    static Path write(Path dir, int train, int test) {
        ImdbDataset ds = ImdbDataset.loadEmbeddedSample(EnumSet.of(Split.TRAIN, Split.TEST));
        try {
            write(dir, balanced(ds.train(), train));
            write(dir, balanced(ds.test(), test));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** The first n/2 positive and the first n/2 negative reviews. */
    static List<Review> balanced(List<Review> reviews, int n) {
        List<Review> pos = reviews.stream().filter(Review::positive).limit(n / 2).toList();
        List<Review> neg = reviews.stream().filter(r -> !r.positive()).limit(n - n / 2).toList();
        return java.util.stream.Stream.concat(pos.stream(), neg.stream()).toList();
    }

    private static void write(Path dir, List<Review> reviews) throws IOException {
        for (Review r : reviews) {
            Path f = dir.resolve(r.path());
            Files.createDirectories(f.getParent());
            Files.writeString(f, r.text(), StandardCharsets.UTF_8);
        }
    }

    /** A small LSTM run: no dropout (masks depend on a sequence's row in its batch), 2 epochs. */
    static TrainConfig config(double dropout, int epochs) {
        return new TrainConfig(ModelKind.lstm, 1, false, 16, 16, 400, PoolKind.max, dropout, 60, TruncateKind.end, 32,
                epochs, 0.004, OptimizerKind.adamw, 0.9, 0.3, 5.0, 0, 0, 42, 1, 0.1, "tiny", LrScheduleKind.cosine, null,
                FreezeKind.none, 0, 0, 4, 0.8);
    }
}
