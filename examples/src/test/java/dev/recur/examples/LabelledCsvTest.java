package dev.recur.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledCsvTest {
    @TempDir Path dir;

    @Test
    void readsTheShippedExampleWithItsQuotedFields() {
        List<LabelledCsv.Row> rows = LabelledCsv.read(TrainedModel.REVIEWS);
        assertEquals(240, rows.size());
        assertEquals(120, rows.stream().filter(r -> r.label().equals("positive")).count());
        assertEquals(120, rows.stream().filter(r -> r.label().equals("negative")).count());
        assertTrue(rows.stream().anyMatch(r -> r.text().contains("called it \"")), "doubled quotes become one quote");
        assertTrue(rows.stream().anyMatch(r -> r.text().contains("\n")), "a quoted field may span lines");
        assertTrue(rows.stream().allMatch(r -> r.text().contains(",") || r.text().split(" ").length > 3));
    }

    @Test
    void quotingCommasLineBreaksAndColumnOrder() throws IOException {
        Path f = write("id,LABEL,Text\n1,pos,\"Long, slow, and \"\"fun\"\"\"\n\n2, neg ,\"two\nlines\"\n3,pos,plain\n");
        List<LabelledCsv.Row> rows = LabelledCsv.read(f);
        assertEquals(List.of(new LabelledCsv.Row("Long, slow, and \"fun\"", "pos", 2),
                new LabelledCsv.Row("two\nlines", "neg", 4), new LabelledCsv.Row("plain", "pos", 6)), rows);
    }

    @Test
    void badFilesAreClearErrorsNamingTheLine() throws IOException {
        assertError("text,label\na,b\nc\n", " line 3: 1 field, the header has 2; put a text that holds commas in double quotes");
        assertError("text,label\na,b\n   ,c\n", " line 3: the text is empty");
        assertError("text,label\na,b\nc,\n", " line 3: the label is empty");
        assertError("words,class\na,b\n", " line 1: the header [words, class] lacks a text column; the first row must name "
                + "the columns, e.g. text,label");
        assertError("text,label\n\"a\"b,c\n", " line 2: malformed CSV (");
        Path empty = write("");
        assertEquals("data file '" + empty + "' is empty; it needs a header row text,label",
                assertThrows(ExampleException.class, () -> LabelledCsv.read(empty)).getMessage());
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, new byte[] {'t', 'e', 'x', 't', ',', 'l', 'a', 'b', 'e', 'l', '\n', 'c', 'a', 'f', (byte) 0xE9, ',', 'x', '\n'});
        assertEquals("data file '" + latin1 + "' is not valid UTF-8; save it as UTF-8 and retry",
                assertThrows(ExampleException.class, () -> LabelledCsv.read(latin1)).getMessage());
        assertEquals("data file '" + dir + "' is not a regular file; pass a CSV file with a header row text,label",
                assertThrows(ExampleException.class, () -> LabelledCsv.read(dir)).getMessage());
    }

    private void assertError(String csv, String expectedAfterFile) throws IOException {
        Path f = write(csv);
        String message = assertThrows(ExampleException.class, () -> LabelledCsv.read(f)).getMessage();
        assertTrue(message.startsWith(f + expectedAfterFile), message);
    }

    private Path write(String text) throws IOException {
        Path f = Files.createTempFile(dir, "data", ".csv");
        Files.writeString(f, text);
        return f;
    }
}
