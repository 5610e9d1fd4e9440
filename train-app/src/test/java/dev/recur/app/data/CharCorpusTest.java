package dev.recur.app.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.app.core.AppException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharCorpusTest {
    @TempDir Path dir;

    @Test
    void splitsValidationFromTheEndAndSharesOneVocabulary() {
        CharCorpus c = CharCorpus.fromText("t", "abcabcabcz", 0.2);
        assertEquals("abcz", c.vocabulary().asString());
        assertEquals(8, c.train().length);
        assertEquals("cz", c.vocabulary().decode(c.validation())); // last 20 % of the text
        assertEquals("abcabcab", c.vocabulary().decode(c.train()));
    }

    @Test
    void readsUtf8WithMultiByteCharactersAndDropsTheByteOrderMark() throws Exception {
        Path f = dir.resolve("t.txt");
        Files.write(f, "\uFEFFhéllo wörld 𝄞!".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        CharCorpus c = CharCorpus.read(f, 0.25);
        String all = c.vocabulary().decode(c.train()) + c.vocabulary().decode(c.validation());
        assertEquals("héllo wörld 𝄞!", all);
        assertTrue(c.vocabulary().id("𝄞".codePointAt(0)) >= 0);
    }

    @Test
    void rejectsInvalidUtf8NamingTheLine() throws Exception {
        Path f = dir.resolve("bad.txt");
        Files.write(f, new byte[] {'a', '\n', 'b', '\n', (byte) 0xE9, 'x', '\n'});
        AppException e = assertThrows(AppException.class, () -> CharCorpus.read(f, 0.1));
        assertTrue(e.getMessage().contains("bad.txt' line 3 has bytes that are not UTF-8"), e.getMessage());
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void rejectsMissingEmptyAndTooShortFiles() throws Exception {
        assertTrue(assertThrows(AppException.class, () -> CharCorpus.read(dir.resolve("none.txt"), 0.1))
                .getMessage().contains("no such file"));
        Path empty = Files.writeString(dir.resolve("e.txt"), "");
        assertTrue(assertThrows(AppException.class, () -> CharCorpus.read(empty, 0.1)).getMessage().contains("empty"));
        assertThrows(AppException.class, () -> CharCorpus.fromText("t", "abc", 0.1));
        assertEquals(AppException.USAGE,
                assertThrows(AppException.class, () -> CharCorpus.fromText("t", "abcdef", 1.0)).exitCode());
    }

    @Test
    void vocabularyRoundTripsAndRejectsUnknownCharacters() {
        CharVocabulary v = CharVocabulary.of("hello");
        assertEquals("ehlo", v.asString());
        assertEquals(v.asString(), CharVocabulary.fromString(v.asString()).asString());
        assertArrayEquals(new int[] {1, 0, 1}, v.encode("heh"));
        AppException e = assertThrows(AppException.class, () -> v.encode("hex"));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        assertThrows(AppException.class, () -> CharVocabulary.fromString("ba"));
    }
}
