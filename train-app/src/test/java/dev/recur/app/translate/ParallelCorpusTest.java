package dev.recur.app.translate;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.app.core.AppException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelCorpusTest {
    @TempDir Path dir;
    final TranslationTokenizer tok = new TranslationTokenizer(true);

    Path write(String name, String text) throws IOException {
        return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    ParallelCorpus read(Path s, Path t, int maxLength) { return ParallelCorpus.read(s, t, tok, maxLength, 1 << 20); }

    @Test
    void readsPairsAndSkipsPlaceholdersEmptySidesAndLongOnesCounted() throws IOException {
        // Multi30k's oddities: a "@@" placeholder German line, a TAB inside a sentence, a trailing space; plus CRLF
        Path de = write("train.de", "Zwei Männer .\n@@\n\"Eine\tFrau.\" \nEin Hund\r\n\nsehr sehr sehr sehr sehr lang\n");
        Path en = write("train.en", "Two men.\nA dog runs.\n\"A woman.\"\nA dog\r\nAn empty source.\nvery long\n");
        ParallelCorpus c = read(de, en, 5);
        assertEquals(6, c.lines());
        assertEquals(2, c.skippedNoWords(), "the placeholder and the empty line");
        assertEquals(1, c.skippedTooLong());
        List<SentencePair> p = c.pairs();
        assertEquals(3, p.size());
        assertEquals(new SentencePair(List.of("zwei", "männer", "."), List.of("two", "men", "."), 1), p.get(0));
        assertEquals(List.of("\"", "eine", "frau", ".", "\""), p.get(1).source());
        assertEquals(3, p.get(1).line());
        assertEquals(List.of("a", "dog"), p.get(2).target(), "\\r before \\n dropped");
        assertEquals(4, p.get(2).line());
    }

    @Test
    void differentLineCountsNameBothFilesAndCounts() throws IOException {
        Path de = write("val.de", "a\nb\nc\n"), en = write("val.en", "a\nb\n");
        AppException e = assertThrows(AppException.class, () -> read(de, en, 10));
        assertTrue(e.getMessage().contains(de + " has 3 lines but " + en + " has 2"), e.getMessage());
    }

    @Test
    void bytesThatAreNotUtf8NameTheFileAndTheByteOffset() throws IOException {
        Path de = Files.write(dir.resolve("bad.de"), new byte[] {'a', '\n', 'M', (byte) 0xE4, 'n', 'n', 'e', 'r', '\n'});
        Path en = write("bad.en", "a\nmen\n");
        AppException e = assertThrows(AppException.class, () -> read(de, en, 10));
        assertTrue(e.getMessage().contains(de.toString()) && e.getMessage().contains("line 2")
                && e.getMessage().contains("byte offset 3 (0xE4)"), e.getMessage());
    }

    @Test
    void emptyAndMissingFilesAreRefusedByName() throws IOException {
        Path empty = write("empty.de", ""), en = write("x.en", "a\n");
        AppException e = assertThrows(AppException.class, () -> read(empty, en, 10));
        assertEquals(empty + ": is empty; give a text file with one sentence per line with --source", e.getMessage());
        e = assertThrows(AppException.class, () -> read(en, dir.resolve("missing.en"), 10));
        assertTrue(e.getMessage().contains("missing.en: no such file; check --target"), e.getMessage());
    }

    @Test
    void aFinalLineWithoutNewlineCounts() throws IOException {
        ParallelCorpus c = read(write("a.de", "eins\nzwei"), write("a.en", "one\ntwo\n"), 10);
        assertEquals(2, c.pairs().size());
    }
}
