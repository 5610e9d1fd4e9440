package dev.recur.app.tools;

import dev.recur.app.data.ImdbDataset;
import dev.recur.app.data.Review;
import dev.recur.app.data.Review.Split;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Draws the IMDB sample that is embedded in the jar, reproducibly: from the full dataset it picks
 * {@code trainPerClass} positive and as many negative training reviews, and {@code testPerClass} of
 * each class from the test part, with a seeded shuffle, and writes them as a gzip tar in the
 * official layout ({@code aclImdb/train/pos/ID_RATING.txt} …), so the same reader reads it. The
 * output is byte-for-byte the same for the same input and arguments (fixed order, times, owners).
 *
 * <pre>
 * ./recur java -cp train-app/target/train-app.jar dev.recur.app.tools.MakeImdbSample \
 *     ../shared/data/imdb/aclImdb_v1.tar.gz train-app/src/main/resources/imdb-sample.tar.gz [2000 500 20251125]
 * </pre>
 */
public final class MakeImdbSample {
    private MakeImdbSample() {}

    /** Default sizes and seed of the embedded sample. */
    public static final int TRAIN_PER_CLASS = 2000;
    public static final int TEST_PER_CLASS = 500;
    public static final long SEED = 20251125L;

    /** The time stamp of every entry: the date of the official archive's files. */
    private static final long MTIME = 1306886400000L; // 2011-06-01T00:00:00Z

    public static void main(String[] args) throws IOException {
        if (args.length != 2 && args.length != 5) {
            System.err.println("usage: MakeImdbSample FULL_ARCHIVE_OR_FOLDER OUTPUT.tar.gz [TRAIN_PER_CLASS TEST_PER_CLASS SEED]");
            System.exit(2);
        }
        int trainPer = args.length == 5 ? Integer.parseInt(args[2]) : TRAIN_PER_CLASS;
        int testPer = args.length == 5 ? Integer.parseInt(args[3]) : TEST_PER_CLASS;
        long seed = args.length == 5 ? Long.parseLong(args[4]) : SEED;
        ImdbDataset full = ImdbDataset.load(Path.of(args[0]), EnumSet.allOf(Split.class));
        List<Review> chosen = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(seed);
        for (Split split : Split.values()) {
            int per = split == Split.TRAIN ? trainPer : testPer;
            for (boolean positive : new boolean[] {false, true}) {
                List<Review> pool = new ArrayList<>(full.split(split).stream().filter(r -> r.positive() == positive).toList());
                for (int i = 0; i < per && i < pool.size(); i++) { // partial Fisher–Yates
                    int j = i + rng.nextInt(pool.size() - i);
                    Review t = pool.get(i);
                    pool.set(i, pool.get(j));
                    pool.set(j, t);
                }
                List<Review> pick = new ArrayList<>(pool.subList(0, Math.min(per, pool.size())));
                pick.sort(Comparator.comparingInt(Review::id));
                chosen.addAll(pick);
            }
        }
        Path out = Path.of(args[1]);
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp));
             GZIPOutputStream gz = new GZIPOutputStream(file, 1 << 16);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            put(tar, "aclImdb/README", readme(chosen.size(), trainPer, testPer, seed));
            for (Review r : chosen) put(tar, "aclImdb/" + r.path(), r.text());
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("wrote " + chosen.size() + " reviews to " + out + " (" + Files.size(out) + " bytes)");
    }

    private static void put(TarArchiveOutputStream tar, String name, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        e.setModTime(MTIME);
        e.setMode(0644);
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static String readme(int n, int trainPer, int testPer, long seed) {
        return "Sample of the Large Movie Review Dataset v1.0 (aclImdb), drawn by Recur's MakeImdbSample\n"
                + "with seed " + seed + ": " + trainPer + " positive and " + trainPer + " negative train reviews, "
                + testPer + " positive and " + testPer + " negative test reviews (" + n + " in all).\n\n"
                + "Source: " + ImdbDataset.DOWNLOAD_URL + "\n"
                + "Andrew L. Maas, Raymond E. Daly, Peter T. Pham, Dan Huang, Andrew Y. Ng and Christopher Potts,\n"
                + "\"Learning Word Vectors for Sentiment Analysis\", ACL 2011.\n";
    }
}
