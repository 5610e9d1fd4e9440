package dev.recur.app.data;

import dev.recur.app.core.AppException;
import dev.recur.app.data.Review.Split;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The IMDB Large Movie Review dataset (aclImdb v1) in its own distribution layout, read from a
 * folder or straight from the {@code .tar.gz} archive (streamed, nothing unpacked to disk).
 *
 * <p>Only {@code train/pos}, {@code train/neg}, {@code test/pos} and {@code test/neg} files named
 * {@code ID_RATING.txt} are read; {@code train/unsup}, {@code imdb.vocab}, the {@code .feat} files
 * and anything else are ignored. The layout may sit at the top of the folder or archive or under
 * one level such as {@code aclImdb/}.
 *
 * <p>Text is UTF-8. Bytes that are not valid UTF-8 are <b>rejected</b> with the file and byte offset
 * named: the official dataset is valid UTF-8 throughout, so such bytes mean a damaged or
 * re-encoded copy, and silently replacing them would hide that. A review larger than
 * {@link #MAX_REVIEW_BYTES} is rejected too (the largest official review is under 14 KB).
 *
 * <p>Reviews come out in a fixed order (split, then negative before positive, then id), whatever
 * the order of the archive or the file system.
 */
public final class ImdbDataset {

    /** Largest review accepted, in bytes (1 MiB; the official reviews are at most 13,704 bytes). */
    public static final int MAX_REVIEW_BYTES = 1 << 20;

    /** Class-path location of the sample embedded in the jar. */
    public static final String EMBEDDED_SAMPLE = "/imdb-sample.tar.gz";

    /** Where users download the dataset. */
    public static final String DOWNLOAD_URL = "https://ai.stanford.edu/~amaas/data/sentiment/";

    private static final Pattern ENTRY = Pattern.compile("(?:^|.*/)(train|test)/(pos|neg)/(\\d{1,9})_(\\d{1,2})\\.txt");
    private static final Pattern FILE = Pattern.compile("(\\d{1,9})_(\\d{1,2})\\.txt");

    private final String source;
    private final List<Review> train;
    private final List<Review> test;

    private ImdbDataset(String source, List<Review> train, List<Review> test) {
        this.source = source;
        this.train = List.copyOf(train);
        this.test = List.copyOf(test);
    }

    /** A description of where the data came from, for messages and metrics. */
    public String source() { return source; }

    /** The training reviews (empty if that split was not requested). */
    public List<Review> train() { return train; }

    /** The test reviews (empty if that split was not requested). */
    public List<Review> test() { return test; }

    public List<Review> split(Split s) { return s == Split.TRAIN ? train : test; }

    /**
     * Loads the given splits from {@code path} (an {@code aclImdb/} folder, a folder containing
     * one, or a {@code .tar.gz}/{@code .tgz}/{@code .tar} archive), or from the embedded sample when
     * {@code path} is null. Every requested split must hold both positive and negative reviews.
     *
     * @throws AppException with a message naming the file and what to do, for any bad input
     */
    public static ImdbDataset load(Path path, Set<Split> splits) {
        if (path == null) return loadEmbeddedSample(splits);
        if (!Files.exists(path)) {
            throw new AppException("data path '" + path + "' does not exist. Pass --data with the aclImdb/ folder "
                    + "or the aclImdb_v1.tar.gz archive (download it from " + DOWNLOAD_URL + "), or leave --data "
                    + "out to use the small sample embedded in the jar.");
        }
        if (Files.isDirectory(path)) return readFolder(path, splits);
        if (!Files.isRegularFile(path)) {
            throw new AppException("data path '" + path + "' is not a regular file or folder (a pipe or a device?); "
                    + "pass --data with the aclImdb/ folder or the aclImdb_v1.tar.gz archive");
        }
        if (!Files.isReadable(path)) throw unreadable(path);
        try (InputStream in = Files.newInputStream(path)) {
            return readArchive(in, path.toString(), splits);
        } catch (AccessDeniedException e) {
            throw unreadable(path);
        } catch (IOException e) {
            throw new AppException("cannot read '" + path + "': " + e.getMessage(), e);
        }
    }

    /** Loads the sample embedded in the jar (a few thousand reviews drawn from the full dataset). */
    public static ImdbDataset loadEmbeddedSample(Set<Split> splits) {
        InputStream in = ImdbDataset.class.getResourceAsStream(EMBEDDED_SAMPLE);
        if (in == null) {
            throw new AppException("the embedded IMDB sample (" + EMBEDDED_SAMPLE + ") is missing from the class path; "
                    + "rebuild the jar, or pass --data with the aclImdb_v1.tar.gz archive");
        }
        try (in) {
            return readArchive(in, "embedded sample", splits);
        } catch (IOException e) {
            throw new AppException("cannot read the embedded IMDB sample: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- archive

    /**
     * Reads an archive stream: gzip-compressed tar (detected by its magic bytes) or plain tar.
     * The stream is read to its end so that the gzip checksum is verified.
     */
    static ImdbDataset readArchive(InputStream raw, String name, Set<Split> splits) {
        Collected c = new Collected();
        try {
            BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
            buffered.mark(2);
            int b0 = buffered.read(), b1 = buffered.read();
            buffered.reset();
            if (b0 < 0) throw new AppException("archive '" + name + "' is empty (0 bytes); download aclImdb_v1.tar.gz again from " + DOWNLOAD_URL);
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            InputStream body = gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
            TarArchiveInputStream tar = new TarArchiveInputStream(body);
            boolean sawEntry = false;
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                sawEntry = true;
                if (!entry.isFile()) continue;
                Matcher m = ENTRY.matcher(entry.getName());
                if (!m.matches()) continue;
                Split split = m.group(1).equals("train") ? Split.TRAIN : Split.TEST;
                if (!splits.contains(split)) continue;
                long size = entry.getSize();
                if (size > MAX_REVIEW_BYTES) throw tooLarge(name + "!" + entry.getName(), size);
                byte[] bytes = tar.readNBytes((int) size);
                if (bytes.length != size) throw new EOFException("entry " + entry.getName() + " is cut short");
                c.add(split, m.group(2).equals("pos"), m.group(3), m.group(4), bytes, name + "!" + entry.getName());
            }
            if (!sawEntry) {
                throw new AppException("'" + name + "' is not a tar archive (or is empty). Expected aclImdb_v1.tar.gz "
                        + "from " + DOWNLOAD_URL + " or an aclImdb/ folder.");
            }
            body.transferTo(OutputSink.INSTANCE); // reach the gzip trailer: verifies CRC and length
        } catch (ZipException | EOFException e) {
            throw corrupt(name, e);
        } catch (IOException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("runcated") || msg.contains("parse") || msg.contains("header") || msg.contains("record")
                    || msg.contains("checksum")) {
                throw corrupt(name, e);
            }
            throw new AppException("cannot read archive '" + name + "': " + msg, e);
        } catch (IllegalArgumentException e) { // commons-compress reports some bad headers this way
            throw corrupt(name, e);
        }
        return c.finish(name, splits, "entries like aclImdb/train/pos/0_9.txt");
    }

    private static AppException corrupt(String name, Exception e) {
        return new AppException("archive '" + name + "' is corrupt or truncated (" + e.getMessage() + "). "
                + "Download aclImdb_v1.tar.gz again from " + DOWNLOAD_URL + " and check its size and SHA-256.", e);
    }

    /** Discards bytes (for draining a stream to its end). */
    private static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();
        @Override public void write(int b) {}
        @Override public void write(byte[] b, int off, int len) {}
    }

    // ---------------------------------------------------------------- folder

    static ImdbDataset readFolder(Path dir, Set<Split> splits) {
        Path root = dir;
        if (!Files.isDirectory(root.resolve("train")) && !Files.isDirectory(root.resolve("test"))
                && Files.isDirectory(root.resolve("aclImdb"))) {
            root = root.resolve("aclImdb");
        }
        if (!Files.isDirectory(root.resolve("train")) && !Files.isDirectory(root.resolve("test"))) {
            throw new AppException("folder '" + dir + "' does not have the aclImdb layout: expected train/pos, "
                    + "train/neg, test/pos and test/neg holding ID_RATING.txt files (in it or in " + dir.resolve("aclImdb")
                    + "). Point --data at the unpacked aclImdb/ folder or at aclImdb_v1.tar.gz itself.");
        }
        Collected c = new Collected();
        for (Split split : splits) {
            for (String label : new String[] {"neg", "pos"}) {
                Path folder = root.resolve(split.folder()).resolve(label);
                if (!Files.isDirectory(folder)) continue; // reported as an empty split below
                List<Path> files;
                try (Stream<Path> s = Files.list(folder)) {
                    files = s.filter(p -> FILE.matcher(p.getFileName().toString()).matches()).toList();
                } catch (AccessDeniedException e) {
                    throw unreadable(folder);
                } catch (IOException e) {
                    throw new AppException("cannot list folder '" + folder + "': " + e.getMessage(), e);
                }
                for (Path f : files) {
                    Matcher m = FILE.matcher(f.getFileName().toString());
                    if (!m.matches()) continue;
                    if (!Files.isRegularFile(f)) { // a FIFO named like a review would block the reader for ever
                        throw new AppException("cannot read '" + f + "': it is not a regular file (a folder, pipe or device); a review must be "
                                + "a text file: remove or replace it");
                    }
                    byte[] bytes;
                    try {
                        long size = Files.size(f);
                        if (size > MAX_REVIEW_BYTES) throw tooLarge(f.toString(), size);
                        bytes = Files.readAllBytes(f);
                    } catch (AccessDeniedException e) {
                        throw unreadable(f);
                    } catch (NoSuchFileException e) {
                        throw new AppException("file '" + f + "' disappeared while reading the dataset; run again", e);
                    } catch (IOException e) {
                        if (!Files.isReadable(f)) throw unreadable(f);
                        throw new AppException("cannot read '" + f + "': " + e.getMessage(), e);
                    }
                    c.add(split, label.equals("pos"), m.group(1), m.group(2), bytes, f.toString());
                }
            }
        }
        return c.finish(dir.toString(), splits, "files like train/pos/0_9.txt");
    }

    private static AppException unreadable(Path p) {
        return new AppException("cannot read '" + p + "': permission denied. Make it readable (chmod) or copy "
                + "the dataset somewhere you can read it.");
    }

    private static AppException tooLarge(String where, long size) {
        return new AppException("review '" + where + "' is " + size + " bytes, more than the " + MAX_REVIEW_BYTES
                + "-byte limit for one review (official IMDB reviews are under 14 KB). Check that --data points at "
                + "the IMDB dataset, or remove that file.");
    }

    // ---------------------------------------------------------------- decoding and checks

    static String decodeUtf8(byte[] bytes, String where) { return Utf8.decode(bytes, where); }

    /** Gathers reviews and checks at the end that every requested split has both classes. */
    private static final class Collected {
        final List<Review> train = new ArrayList<>();
        final List<Review> test = new ArrayList<>();

        void add(Split split, boolean pos, String id, String rating, byte[] bytes, String where) {
            String text = decodeUtf8(bytes, where);
            (split == Split.TRAIN ? train : test).add(new Review(split, pos, Integer.parseInt(id),
                    Integer.parseInt(rating), text));
        }

        ImdbDataset finish(String name, Set<Split> splits, String example) {
            Comparator<Review> order = Comparator.comparing(Review::positive).thenComparingInt(Review::id)
                    .thenComparingInt(Review::rating);
            train.sort(order);
            test.sort(order);
            if (train.isEmpty() && test.isEmpty()) {
                throw new AppException("'" + name + "' holds no IMDB reviews (expected " + example + "). Point --data at "
                        + "the aclImdb/ folder or at aclImdb_v1.tar.gz from " + DOWNLOAD_URL + ".");
            }
            for (Split s : EnumSet.copyOf(splits)) {
                List<Review> list = s == Split.TRAIN ? train : test;
                long pos = list.stream().filter(Review::positive).count();
                long neg = list.size() - pos;
                if (pos == 0 || neg == 0) {
                    String missing = pos == 0 && neg == 0 ? s.folder() + "/pos and " + s.folder() + "/neg"
                            : pos == 0 ? s.folder() + "/pos" : s.folder() + "/neg";
                    throw new AppException("empty split: '" + name + "' has no reviews in " + missing
                            + " (found " + pos + " positive and " + neg + " negative " + s.folder() + " reviews). "
                            + "Both classes of every split used are needed; check that the dataset is complete.");
                }
            }
            return new ImdbDataset(name, train, test);
        }
    }
}
