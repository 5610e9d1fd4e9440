package dev.recur.examples;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads labelled texts from a CSV file (RFC 4180, UTF-8): a header row naming a {@code text} and a
 * {@code label} column (any order, any case, other columns ignored), then one row per example. A
 * field that holds commas, quotes or line breaks is written in double quotes, a quote inside it
 * doubled: {@code "Long, slow, and ""fun""",negative}. Blank lines are skipped.
 *
 * <p>Every problem is an {@link ExampleException} naming the file and line: a row with more or fewer
 * fields than the header, an unclosed quote, an empty text or label, bytes that are not UTF-8.
 */
public final class LabelledCsv {
    /** One example: its text, its label as written, and the line of the file where its row starts. */
    public record Row(String text, String label, long line) {}

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();

    private LabelledCsv() {}

    /** The rows of {@code file}, in file order; at least one. */
    public static List<Row> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ExampleException("data file '" + file + "' " + (Files.exists(file) ? "is not a regular file" : "does not exist")
                    + "; pass a CSV file with a header row text,label");
        }
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (Reader in = new InputStreamReader(Files.newInputStream(file), decoder);
             CSVParser parser = CSVParser.builder().setReader(in).setFormat(FORMAT).get()) {
            return rows(file, parser);
        } catch (NoSuchFileException e) {
            throw new ExampleException("data file '" + file + "' does not exist", e);
        } catch (AccessDeniedException e) {
            throw new ExampleException("cannot read data file '" + file + "': permission denied", e);
        } catch (CharacterCodingException e) {
            throw new ExampleException("data file '" + file + "' is not valid UTF-8; save it as UTF-8 and retry", e);
        } catch (IOException e) {
            throw new ExampleException("cannot read data file '" + file + "': " + e.getMessage(), e);
        }
    }

    private static List<Row> rows(Path file, CSVParser parser) throws IOException {
        Iterator<CSVRecord> records = parser.iterator();
        CSVRecord header = next(file, records, 1);
        if (header == null) throw new ExampleException("data file '" + file + "' is empty; it needs a header row text,label");
        int textColumn = -1, labelColumn = -1;
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).strip().toLowerCase(Locale.ROOT);
            if (name.startsWith("\uFEFF")) name = name.substring(1); // a byte order mark some editors write
            if (name.equals("text") && textColumn < 0) textColumn = i;
            else if (name.equals("label") && labelColumn < 0) labelColumn = i;
        }
        if (textColumn < 0 || labelColumn < 0) {
            throw new ExampleException(file + " line " + (parser.getCurrentLineNumber() - lineBreaks(header)) + ": the header " + header.toList()
                    + " lacks a " + (textColumn < 0 ? "text" : "label") + " column; the first row must name the columns, e.g. text,label");
        }
        List<Row> rows = new ArrayList<>();
        for (CSVRecord r; (r = next(file, records, parser.getCurrentLineNumber() + 1)) != null; ) {
            // the record ends on the parser's current line; it starts as many lines earlier as its fields hold line breaks
            long line = parser.getCurrentLineNumber() - lineBreaks(r);
            if (r.size() != header.size()) {
                throw new ExampleException(file + " line " + line + ": " + r.size() + " field" + (r.size() == 1 ? "" : "s")
                        + ", the header has " + header.size() + "; put a text that holds commas in double quotes");
            }
            String text = r.get(textColumn);
            String label = r.get(labelColumn).strip();
            if (text.isBlank()) throw new ExampleException(file + " line " + line + ": the text is empty");
            if (label.isEmpty()) throw new ExampleException(file + " line " + line + ": the label is empty");
            if (label.contains("\n") || label.contains("\r")) {
                throw new ExampleException(file + " line " + line + ": the label contains a line break");
            }
            rows.add(new Row(text, label, line));
        }
        if (rows.isEmpty()) throw new ExampleException("data file '" + file + "' has a header but no rows");
        return rows;
    }

    /** Line breaks inside the record's fields (CR LF counts once). */
    private static long lineBreaks(CSVRecord r) {
        long n = 0;
        for (String field : r) {
            for (int i = 0; i < field.length(); i++) {
                char c = field.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 == field.length() || field.charAt(i + 1) != '\n'))) n++;
            }
        }
        return n;
    }

    private static final Pattern PARSER_LINE = Pattern.compile("\\(startline (\\d+)\\) |at line: (\\d+)");

    /**
     * The next record, or null at the end. A malformed record is a clear error naming its line (the
     * parser's own when it gives one, else {@code line}, where the record was expected to start).
     */
    private static CSVRecord next(Path file, Iterator<CSVRecord> records, long line) throws IOException {
        try {
            return records.hasNext() ? records.next() : null;
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException c) throw c;
            String problem = String.valueOf(e.getCause().getMessage());
            Matcher m = PARSER_LINE.matcher(problem);
            if (m.find()) {
                line = Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2));
                if (m.group(1) != null) problem = problem.substring(m.end());
            }
            throw new ExampleException(file + " line " + line + ": malformed CSV (" + problem + "); a field that holds quotes "
                    + "must be quoted as a whole, with each inner quote doubled (\"\")", e);
        } catch (IllegalStateException e) { // Commons CSV reports some malformed input this way
            throw new ExampleException(file + " line " + line + ": malformed CSV (" + e.getMessage() + ")", e);
        }
    }
}
