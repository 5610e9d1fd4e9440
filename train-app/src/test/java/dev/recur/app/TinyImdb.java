package dev.recur.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Hand-made miniature IMDB datasets for tests: a few obviously positive and negative reviews in
 * the official layout, as a folder or a tar.gz, and damaged variants.
 */
public final class TinyImdb {
    private TinyImdb() {}

    static final String[] GOOD = {
        "A wonderful film, great acting and a great story. I loved it!",
        "Brilliant and moving. The best movie of the year, wonderful music.",
        "Great fun, excellent cast, loved every minute. Highly recommended.",
        "An excellent, beautiful film. Wonderful!<br /><br />Go see it.",
        "Superb direction and a great script; I loved the ending.",
        "Beautiful, funny and wonderful. Excellent performances all round.",
    };
    static final String[] BAD = {
        "A terrible film, awful acting and a boring story. I hated it.",
        "Dreadful and dull. The worst movie of the year, awful music.",
        "Boring, bad cast, I hated every minute. Avoid it.",
        "An awful, ugly film. Terrible!<br /><br />Do not see it.",
        "Poor direction and a bad script; I hated the ending.",
        "Ugly, dull and awful. Terrible performances all round.",
    };

    /** The entries (path in layout → text) of a tiny dataset: every review in train and test, with an unsup file. */
    public static Map<String, byte[]> entries() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (String split : new String[] {"train", "test"}) {
            for (int i = 0; i < GOOD.length; i++) {
                m.put(split + "/pos/" + i + "_" + (7 + i % 4) + ".txt", GOOD[i].getBytes(StandardCharsets.UTF_8));
                m.put(split + "/neg/" + i + "_" + (1 + i % 4) + ".txt", BAD[i].getBytes(StandardCharsets.UTF_8));
            }
        }
        m.put("train/unsup/0_0.txt", "unlabelled, must be ignored".getBytes(StandardCharsets.UTF_8));
        m.put("imdb.vocab", "the\nand\n".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    /** Writes {@code entries} under {@code root} (creating folders). */
    public static Path writeFolder(Path root, Map<String, byte[]> entries) throws IOException {
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            Path f = root.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
        return root;
    }

    /** A gzip tar of {@code entries}, each under {@code prefix} (e.g. "aclImdb/"). */
    public static byte[] tarGz(String prefix, Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry te = new TarArchiveEntry(prefix + e.getKey());
                te.setSize(e.getValue().length);
                tar.putArchiveEntry(te);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** Writes a valid tiny aclImdb_v1.tar.gz into {@code dir}. */
    public static Path archive(Path dir) throws IOException {
        Path f = dir.resolve("aclImdb_v1.tar.gz");
        Files.write(f, tarGz("aclImdb/", entries()));
        return f;
    }
}
