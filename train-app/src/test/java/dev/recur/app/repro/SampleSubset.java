package dev.recur.app.repro;

import dev.recur.app.data.ImdbDataset;
import dev.recur.app.data.Review;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

/**
 * The first reviews of the embedded IMDB sample, written as a small folder in the official layout:
 * real text (real word frequencies and review lengths, which is what exposes last-bit differences
 * between JIT tiers; made-up text did not), and small enough that a child JVM reads it at once.
 */
final class SampleSubset {
    private SampleSubset() {}

    /** Writes {@code trainPerClass} positive and negative train reviews and {@code testPerClass} test ones under {@code root}. */
    static Path write(Path root, int trainPerClass, int testPerClass) throws IOException {
        ImdbDataset sample = ImdbDataset.loadEmbeddedSample(EnumSet.of(Review.Split.TRAIN, Review.Split.TEST));
        writeSplit(root, sample.train(), trainPerClass);
        writeSplit(root, sample.test(), testPerClass);
        return root;
    }

    private static void writeSplit(Path root, List<Review> reviews, int perClass) throws IOException {
        int pos = 0, neg = 0;
        for (Review r : reviews) {
            if (r.positive() ? pos++ >= perClass : neg++ >= perClass) continue;
            Path f = root.resolve(r.path());
            Files.createDirectories(f.getParent());
            Files.writeString(f, r.text());
        }
    }
}
