package dev.recur.app.tag;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.app.core.AppException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConllReaderTest {
    @TempDir Path dir;

    private Path write(String text) throws Exception {
        return Files.writeString(dir.resolve("data.txt"), text);
    }

    @Test
    void readsSentencesAndTheChosenColumn() throws Exception {
        Path f = write("Confidence NN B-NP\nin IN B-PP\n\n\nthe DT B-NP\npound NN I-NP\n");
        List<Sentence> pos = ConllReader.read(f, ConllReader.Column.POS);
        assertEquals(2, pos.size());
        assertEquals(List.of("Confidence", "in"), pos.get(0).words());
        assertEquals(List.of("NN", "IN"), pos.get(0).tags());
        assertEquals(5, pos.get(1).line());
        List<Sentence> chunk = ConllReader.read(f, ConllReader.Column.CHUNK);
        assertEquals(List.of("B-NP", "I-NP"), chunk.get(1).tags());
    }

    @Test
    void theShippedSampleReads() throws Exception {
        Path f = Path.of(getClass().getResource("/dev/recur/app/tag/tiny-train.txt").toURI());
        List<Sentence> s = ConllReader.read(f, ConllReader.Column.CHUNK);
        assertTrue(s.size() >= 20, "sentences: " + s.size());
        for (Sentence x : s) assertTrue(x.length() > 0);
    }

    @Test
    void malformedLineNamesFileAndLine() throws Exception {
        Path f = write("a DT B-NP\nb NN\n");
        AppException e = assertThrows(AppException.class, () -> ConllReader.read(f, ConllReader.Column.POS));
        assertTrue(e.getMessage().contains("data.txt:2:"), e.getMessage());
        assertTrue(e.getMessage().contains("found 2"), e.getMessage());
    }

    @Test
    void badChunkTagAndMissingOrEmptyFilesAreClearErrors() throws Exception {
        Path f = write("a DT NP\n");
        assertTrue(assertThrows(AppException.class, () -> ConllReader.read(f, ConllReader.Column.CHUNK))
                .getMessage().contains("data.txt:1:"));
        assertEquals(1, ConllReader.read(f, ConllReader.Column.POS).size()); // POS column does not care
        assertThrows(AppException.class, () -> ConllReader.read(dir.resolve("nope.txt"), ConllReader.Column.POS));
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertTrue(assertThrows(AppException.class, () -> ConllReader.read(empty, ConllReader.Column.POS))
                .getMessage().contains("no sentences"));
        assertEquals(AppException.USAGE,
                assertThrows(AppException.class, () -> ConllReader.Column.parse("ner")).exitCode());
    }

    @Test
    void invalidUtf8NamesTheLine() throws Exception {
        Path f = dir.resolve("latin.txt");
        Files.write(f, new byte[] {'a', ' ', 'D', ' ', 'O', '\n', (byte) 0xE9, ' ', 'N', ' ', 'O', '\n'});
        AppException e = assertThrows(AppException.class, () -> ConllReader.read(f, ConllReader.Column.POS));
        assertTrue(e.getMessage().contains("latin.txt' line 2 has bytes that are not UTF-8"), e.getMessage());
    }
}
