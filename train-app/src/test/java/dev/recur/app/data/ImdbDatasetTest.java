package dev.recur.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.core.AppException;
import dev.recur.app.TinyImdb;
import dev.recur.app.data.Review.Split;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImdbDatasetTest {
    @TempDir Path dir;

    private static final EnumSet<Split> BOTH = EnumSet.allOf(Split.class);

    @Test
    void folderAndArchiveGiveTheSameReviewsInAFixedOrder() throws Exception {
        Path folder = TinyImdb.writeFolder(dir.resolve("unpacked/aclImdb"), TinyImdb.entries());
        Path archive = TinyImdb.archive(dir);
        ImdbDataset a = ImdbDataset.load(folder, BOTH);
        ImdbDataset b = ImdbDataset.load(dir.resolve("unpacked"), BOTH); // parent of aclImdb/ works too
        ImdbDataset c = ImdbDataset.load(archive, BOTH);
        assertEquals(12, a.train().size());
        assertEquals(12, a.test().size());
        assertEquals(a.train(), b.train());
        assertEquals(a.train(), c.train());
        assertEquals(a.test(), c.test());
        Review first = c.train().get(0);
        assertEquals(false, first.positive());
        assertEquals(0, first.id());
        assertEquals(1, first.rating());
        assertEquals("train/neg/0_1.txt", first.path());
        assertTrue(c.train().stream().noneMatch(r -> r.text().contains("unlabelled")), "train/unsup must be ignored");
    }

    @Test
    void onlyTheRequestedSplitIsRead() throws Exception {
        ImdbDataset d = ImdbDataset.load(TinyImdb.archive(dir), EnumSet.of(Split.TEST));
        assertEquals(0, d.train().size());
        assertEquals(12, d.test().size());
    }

    @Test
    void missingPathSaysWhereToGetTheData() {
        AppException e = assertThrows(AppException.class, () -> ImdbDataset.load(dir.resolve("nope.tar.gz"), BOTH));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains(ImdbDataset.DOWNLOAD_URL), e.getMessage());
    }

    @Test
    void folderWithoutTheLayoutIsNamed() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "hello");
        AppException e = assertThrows(AppException.class, () -> ImdbDataset.load(dir, BOTH));
        assertTrue(e.getMessage().contains("does not have the aclImdb layout"), e.getMessage());
    }

    @Test
    void emptySplitIsAnError() throws Exception {
        Map<String, byte[]> entries = TinyImdb.entries();
        entries.keySet().removeIf(k -> k.startsWith("test/neg/"));
        Path folder = TinyImdb.writeFolder(dir.resolve("aclImdb"), entries);
        Files.createDirectories(folder.resolve("test/neg"));
        AppException e = assertThrows(AppException.class, () -> ImdbDataset.load(folder, BOTH));
        assertTrue(e.getMessage().contains("empty split") && e.getMessage().contains("test/neg"), e.getMessage());
        // the train split alone is still fine
        assertEquals(12, ImdbDataset.load(folder, EnumSet.of(Split.TRAIN)).train().size());
    }

    @Test
    void truncatedArchiveIsCorrupt() throws Exception {
        byte[] full = TinyImdb.tarGz("aclImdb/", TinyImdb.entries());
        Path f = dir.resolve("cut.tar.gz");
        Files.write(f, Arrays.copyOf(full, full.length / 2));
        AppException e = assertThrows(AppException.class, () -> ImdbDataset.load(f, BOTH));
        assertTrue(e.getMessage().contains("corrupt or truncated"), e.getMessage());
    }

    @Test
    void damagedCompressedBytesAreCorrupt() throws Exception {
        byte[] full = TinyImdb.tarGz("aclImdb/", TinyImdb.entries());
        for (int i = 40; i < full.length - 20; i += 7) full[i] ^= 0x5a;
        Path f = dir.resolve("bad.tar.gz");
        Files.write(f, full);
        AppException e = assertThrows(AppException.class, () -> ImdbDataset.load(f, BOTH));
        assertTrue(e.getMessage().contains("corrupt or truncated"), e.getMessage());
    }

    @Test
    void aFileThatIsNotAnArchiveIsNamed() throws Exception {
        Path f = dir.resolve("reviews.tar.gz");
        Files.writeString(f, "this is plain text, not a tar archive at all, and it goes on for a while...".repeat(20));
        AppException e = assertThrows(AppException.class, () -> ImdbDataset.load(f, BOTH));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void bytesThatAreNotUtf8AreRejectedWithFileAndOffset() throws Exception {
        Map<String, byte[]> entries = TinyImdb.entries();
        byte[] latin1 = "Caf\u00e9 au lait, a lovely film".getBytes(StandardCharsets.ISO_8859_1);
        entries.put("train/pos/99_9.txt", latin1);
        Path archive = dir.resolve("latin1.tar.gz");
        Files.write(archive, TinyImdb.tarGz("aclImdb/", entries));
        AppException e = assertThrows(AppException.class, () -> ImdbDataset.load(archive, BOTH));
        assertTrue(e.getMessage().contains("train/pos/99_9.txt"), e.getMessage());
        assertTrue(e.getMessage().contains("not UTF-8 at byte offset 3 (0xE9)"), e.getMessage());
        Path folder = TinyImdb.writeFolder(dir.resolve("f/aclImdb"), entries);
        AppException e2 = assertThrows(AppException.class, () -> ImdbDataset.load(folder, BOTH));
        assertTrue(e2.getMessage().contains("99_9.txt") && e2.getMessage().contains("offset 3"), e2.getMessage());
    }

    @Test
    void enormousReviewIsRejectedBeforeReadingIt() throws Exception {
        Map<String, byte[]> entries = TinyImdb.entries();
        byte[] huge = new byte[ImdbDataset.MAX_REVIEW_BYTES + 1];
        Arrays.fill(huge, (byte) 'a');
        entries.put("train/pos/98_8.txt", huge);
        Path folder = TinyImdb.writeFolder(dir.resolve("aclImdb"), entries);
        AppException e = assertThrows(AppException.class, () -> ImdbDataset.load(folder, BOTH));
        assertTrue(e.getMessage().contains("98_8.txt") && e.getMessage().contains("limit"), e.getMessage());
        Path archive = dir.resolve("huge.tar.gz");
        Files.write(archive, TinyImdb.tarGz("", entries));
        AppException e2 = assertThrows(AppException.class, () -> ImdbDataset.load(archive, BOTH));
        assertTrue(e2.getMessage().contains("98_8.txt") && e2.getMessage().contains("limit"), e2.getMessage());
    }

    @Test
    void unreadableFileIsNamed() throws Exception {
        // A review "file" that cannot be read (here: a folder with a review's name; works even as root,
        // where permission bits are not enforced).
        Path folder = TinyImdb.writeFolder(dir.resolve("aclImdb"), TinyImdb.entries());
        Files.createDirectories(folder.resolve("train/pos/77_7.txt"));
        AppException e = assertThrows(AppException.class, () -> ImdbDataset.load(folder, BOTH));
        assertTrue(e.getMessage().contains("cannot read") && e.getMessage().contains("77_7.txt"), e.getMessage());
    }

    @Test
    void embeddedSampleHasBothSplitsAndClasses() {
        ImdbDataset d = ImdbDataset.loadEmbeddedSample(BOTH);
        assertEquals(4000, d.train().size());
        assertEquals(1000, d.test().size());
        assertEquals(2000, d.train().stream().filter(Review::positive).count());
        assertEquals(500, d.test().stream().filter(Review::positive).count());
        for (Review r : d.train()) assertTrue(r.positive() ? r.rating() >= 7 : r.rating() <= 4, r.path());
    }
}
