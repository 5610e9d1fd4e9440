package dev.recur.app.forecast;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.app.core.AppException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeriesCsvTest {
    private static final SeriesCsv STRICT = new SeriesCsv(null, Fill.NONE);

    /** The one-line message of a refused input, checked to carry no Java internals. */
    static String error(Runnable r) {
        AppException e = assertThrows(AppException.class, r::run);
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertFalse(m.matches(".*(Exception|java\\.|org\\.apache|\\bat dev\\.).*"), "no Java internals: " + m);
        return m;
    }

    @Test
    void readsTimestampsAndNumbersWithQuotesBomSpacesAndBlankLines() {
        String csv = "\uFEFFdate,a,\"b\"\n2016-07-01 00:00:00,1.5, -2\n\n2016-07-01 01:00:00,\"3e2\",.25\r\n2016-07-01T02:30,+4,5.\n";
        TimeSeries s = STRICT.read(csv, "x.csv");
        assertEquals(List.of("a", "b"), s.names());
        assertEquals(3, s.rows());
        assertArrayEquals(new double[] {1.5, 300, 4}, s.columns()[0]);
        assertArrayEquals(new double[] {-2, 0.25, 5}, s.columns()[1]);
        assertEquals(LocalDateTime.of(2016, 7, 1, 2, 30), s.times()[2]);
        assertEquals(LocalDateTime.of(2016, 7, 1, 0, 0), STRICT.read("date,v\n2016-07-01,1\n", "d.csv").times()[0]);
    }

    @Test
    void timeColumnCanBeAnywhereAndNamed() {
        TimeSeries s = new SeriesCsv("when", Fill.NONE).read("x,when,y\n1,2020-01-01 00:00,2\n3,2020-01-01 01:00,4\n", "t.csv");
        assertEquals(List.of("x", "y"), s.names());
        assertArrayEquals(new double[] {2, 4}, s.columns()[1]);
        String m = error(() -> new SeriesCsv("time", Fill.NONE).read("x,when\n1,2020-01-01\n", "t.csv"));
        assertTrue(m.contains("no column 'time'") && m.contains("--time-column") && m.contains("x, when"), m);
        m = error(() -> STRICT.read("when,x\n2020-01-01,1\n", "t.csv"));
        assertTrue(m.contains("no column named 'date'") && m.contains("--time-column"), m);
    }

    @Test
    void aNonNumericCellNamesLineColumnAndValue() {
        String m = error(() -> STRICT.read("date,a,b\n2020-01-01,1,2\n2020-01-02,3,abc\n", "f.csv"));
        assertEquals("f.csv, line 3, column 'b': 'abc' is not a number", m);
        for (String bad : List.of("Infinity", "0x1p3", "1.5f", "1,5", "--1", "1e", "\u0000")) {
            String csv = "date,a\n2020-01-01,\"" + bad + "\"\n";
            String m2 = error(() -> STRICT.read(csv, "f.csv"));
            assertTrue(m2.contains("is not a number"), m2);
        }
        assertTrue(error(() -> STRICT.read("date,a\n2020-01-01,1e999\n", "f.csv")).contains("too large"));
    }

    @Test
    void raggedRowsAreRefusedWithTheirLine() {
        String m = error(() -> STRICT.read("date,a,b\n2020-01-01,1,2\n2020-01-02,3\n", "r.csv"));
        assertEquals("r.csv, line 3: 2 cells, the header has 3; every row needs one value per column", m);
        assertTrue(error(() -> STRICT.read("date,a\n2020-01-01,1,2\n", "r.csv")).contains("line 2: 3 cells"));
    }

    @Test
    void missingValuesAreRefusedByDefaultWithTheFirstPosition() {
        String csv = "date,a,b\n2020-01-01,1,10\n2020-01-02,,NaN\n2020-01-03,NA,30\n2020-01-04,4,40\n";
        String m = error(() -> STRICT.read(csv, "m.csv"));
        assertTrue(m.startsWith("m.csv, line 3, column 'a': missing value (the first one)") && m.contains("--fill"), m);
        TimeSeries prev = new SeriesCsv(null, Fill.PREVIOUS).read(csv, "m.csv");
        assertArrayEquals(new double[] {1, 1, 1, 4}, prev.columns()[0]);
        assertArrayEquals(new double[] {10, 10, 30, 40}, prev.columns()[1]);
        TimeSeries lin = new SeriesCsv(null, Fill.LINEAR).read(csv, "m.csv");
        assertArrayEquals(new double[] {1, 2, 3, 4}, lin.columns()[0], 1e-12);
        assertArrayEquals(new double[] {10, 20, 30, 40}, lin.columns()[1], 1e-12);
        String atStart = "date,a\n2020-01-01,\n2020-01-02,2\n";
        assertTrue(error(() -> new SeriesCsv(null, Fill.PREVIOUS).read(atStart, "m.csv")).contains("line 2, column 'a': missing value in the first row"));
        String atEnd = "date,a\n2020-01-01,1\n2020-01-02,null\n";
        assertTrue(error(() -> new SeriesCsv(null, Fill.LINEAR).read(atEnd, "m.csv")).contains("at the end"));
        assertArrayEquals(new double[] {1, 1}, new SeriesCsv(null, Fill.PREVIOUS).read(atEnd, "m.csv").columns()[0]);
    }

    @Test
    void timestampsMustBeValidIncreasingAndUnique() {
        String m = error(() -> STRICT.read("date,a\n2020-01-01 00:00,1\n2020-01-01 02:00,2\n2020-01-01 01:00,3\n", "o.csv"));
        assertEquals("o.csv, line 4: timestamp 2020-01-01 01:00 is before the previous row's 2020-01-01 02:00; "
                + "rows must be in increasing time order without repeats", m);
        m = error(() -> STRICT.read("date,a\n2020-01-01 00:00,1\n2020-01-01 00:00,2\n", "o.csv"));
        assertTrue(m.contains("line 3: timestamp 2020-01-01 00:00 repeats the previous row's"), m);
        m = error(() -> STRICT.read("date,a\n2020-02-30 00:00,1\n", "o.csv"));
        assertTrue(m.startsWith("o.csv, line 2, column 'date': '2020-02-30 00:00' is not a timestamp (expected"), m);
        assertTrue(error(() -> STRICT.read("date,a\n,1\n", "o.csv")).contains("missing timestamp"));
        assertTrue(error(() -> STRICT.read("date,a\n01/02/2020,1\n", "o.csv")).contains("is not a timestamp"));
    }

    @Test
    void brokenFilesGiveOneLine(@TempDir Path dir) throws IOException {
        assertTrue(error(() -> STRICT.read("", "e.csv")).contains("is empty"));
        assertTrue(error(() -> STRICT.read("date,a\n", "e.csv")).contains("no data rows"));
        assertTrue(error(() -> STRICT.read("date\n2020-01-01\n", "e.csv")).contains("no numeric column"));
        assertTrue(error(() -> STRICT.read("date,a,a\n2020-01-01,1,2\n", "e.csv")).contains("'a' appears twice"));
        assertTrue(error(() -> STRICT.read("date,,b\n2020-01-01,1,2\n", "e.csv")).contains("column 2 has no name"));
        String quote = error(() -> STRICT.read("date,a\n2020-01-01,\"1\n", "e.csv"));
        assertEquals("e.csv, line 2: malformed CSV: a quoted field is not closed (a \" without its closing \")", quote);
        String after = error(() -> STRICT.read("date,a\n2020-01-01,\"1\"x\n", "e.csv"));
        assertTrue(after.startsWith("e.csv, line 2: malformed CSV: text after a closing quote"), after);
        assertTrue(error(() -> STRICT.read("x".repeat(SeriesCsv.MAX_LINE + 1), "e.csv")).contains("longer than"));
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, new byte[] {'d', 'a', 't', 'e', ',', (byte) 0xE9, '\n'});
        assertTrue(error(() -> STRICT.read(latin1, "--data")).contains("line 1 has bytes that are not UTF-8 at byte offset 5 (0xE9)"));
        assertTrue(error(() -> STRICT.read(dir.resolve("none.csv"), "--data")).endsWith("none.csv: no such file; check --data"));
        assertTrue(error(() -> STRICT.read(dir, "--data")).contains("is a folder"));
        Path ok = dir.resolve("ok.csv");
        Files.writeString(ok, "\uFEFFdate,v\n2020-01-01,1\n2020-01-02,2\n");
        TimeSeries s = STRICT.read(ok, "--data");
        assertEquals("ok.csv", s.source());
        assertArrayEquals(new double[] {1, 2}, s.columns()[0]);
    }

    @Test
    void formatThenReadGivesTheSameSeries() {
        TimeSeries s = SyntheticSeries.generate(300, 3);
        TimeSeries back = STRICT.read(SeriesCsv.format(s), "s.csv");
        assertEquals(s.names(), back.names());
        assertArrayEquals(s.times(), back.times());
        for (int c = 0; c < s.columnCount(); c++) assertArrayEquals(s.columns()[c], back.columns()[c], 0.0);
    }
}
