package dev.recur.app.forecast;

import dev.recur.app.core.AppException;
import dev.recur.app.data.TextFiles;
import dev.recur.app.data.Utf8;
import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a time series from CSV, strictly: a header line; one timestamp column; every other column
 * numeric; rows in strictly increasing time order. Any deviation is a one-line {@link AppException}
 * that names the line, the column and the value. See docs/forecast.md for the rules.
 *
 * <p>Fields are RFC 4180 (Commons CSV): comma-separated, optionally double-quoted, surrounding
 * white space stripped; blank lines are skipped. Line numbers in messages count the header as line 1.
 */
public final class SeriesCsv {
    /** The timestamp column when none is named: the first column called this. */
    public static final String DEFAULT_TIME_COLUMN = "date";
    /** How timestamps are written: {@code YYYY-MM-DD HH:MM:SS}. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);
    /** Longest line accepted, so that a file without line ends gives an error, not an out-of-memory. */
    static final int MAX_LINE = 1 << 20;

    /** Cells that mean "no value" (compared ignoring case), as pandas' default NA strings. */
    private static final Set<String> MISSING = Set.of("", "nan", "na", "n/a", "null", "none", "-nan", "#n/a");
    /** A decimal number: no hex, no {@code Infinity}, no Java suffixes like {@code 1.5f}. */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final String TIME_FORMATS = "YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS[.fff]] or with a T between date and time";

    private final String timeColumn;
    private final Fill fill;

    /**
     * @param timeColumn the timestamp column's name, or null for the first column named {@value #DEFAULT_TIME_COLUMN}
     * @param fill       what to do with missing values
     */
    public SeriesCsv(String timeColumn, Fill fill) {
        this.timeColumn = timeColumn;
        this.fill = fill;
    }

    /** Largest file read, 256 MiB: above the long-term forecasting benchmarks (traffic.csv is about 130 MB), and the text fits in a default heap. */
    public static final long MAX_BYTES = 256L << 20;

    /**
     * Reads a UTF-8 file (a regular file of at most {@link #MAX_BYTES}, read and decoded by the
     * app's shared {@link TextFiles} and {@link Utf8}); {@code option} names the option that gave it.
     */
    public TimeSeries read(Path file, String option) {
        String text = Utf8.decode(TextFiles.read(file, MAX_BYTES, option), file.toString());
        return read(text, file.getFileName().toString());
    }

    /** Reads CSV text; {@code source} names it in messages. */
    public TimeSeries read(String csv, String source) {
        return read(new StringReader(csv), source);
    }

    /** Reads CSV from {@code in}, which it closes; {@code source} names it in messages. */
    public TimeSeries read(Reader in, String source) {
        CSVFormat format = CSVFormat.DEFAULT.builder().setTrim(false).setIgnoreEmptyLines(false).get();
        try (CSVParser parser = CSVParser.builder().setReader(new LineLimit(in, source)).setFormat(format).get()) {
            return parse(parser, source);
        } catch (UncheckedIOException e) {
            throw readError(source, e.getCause());
        } catch (IOException e) {
            throw readError(source, e);
        }
    }

    /** Commons CSV's ways of giving the line: "(line N) …", "(startline N) …", "… at line: N, position: P". */
    private static final Pattern LIBRARY_LINE = Pattern.compile("^\\((?:start)?line (\\d+)\\) ?(.*)$|^(.*) at line: (\\d+), position: \\d+$");

    /** Turns a read failure (Commons CSV reports a broken quote as an IOException) into one line. */
    private static AppException readError(String source, IOException e) {
        String m = String.valueOf(e.getMessage());
        var matcher = LIBRARY_LINE.matcher(m);
        if (matcher.matches()) {
            String line = matcher.group(1) != null ? matcher.group(1) : matcher.group(4);
            String what = matcher.group(1) != null ? matcher.group(2) : matcher.group(3);
            if (what.startsWith("EOF reached before encapsulated token finished")) {
                what = "a quoted field is not closed (a \" without its closing \")";
            } else if (what.startsWith("Invalid character between encapsulated token and delimiter")) {
                what = "text after a closing quote (write a quote inside a quoted field as \"\")";
            }
            return new AppException(source + ", line " + line + ": malformed CSV: " + what);
        }
        return new AppException("cannot read " + source + ": " + m, e);
    }

    private TimeSeries parse(CSVParser parser, String source) throws IOException {
        Iterator<CSVRecord> records = parser.iterator();
        if (!records.hasNext()) throw new AppException(source + " is empty; expected a header line such as date,value");
        List<String> header = new ArrayList<>(records.next().stream().map(String::strip).toList());
        if (!header.isEmpty() && header.getFirst().startsWith("\uFEFF")) header.set(0, header.getFirst().substring(1));
        int time = timeColumn(header, source);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            String name = header.get(c);
            if (name.isEmpty()) throw new AppException(source + ", line 1: column " + (c + 1) + " has no name; every column needs a header");
            int first = header.indexOf(name);
            if (first != c) throw new AppException(source + ", line 1: column name '" + name + "' appears twice (columns " + (first + 1) + " and " + (c + 1) + ")");
            if (c != time) names.add(name);
        }
        if (names.isEmpty()) throw new AppException(source + " has no numeric column besides '" + header.get(time) + "'");
        int width = header.size();
        List<LocalDateTime> times = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        List<int[]> missingAt = new ArrayList<>();
        while (true) {
            long line = parser.getCurrentLineNumber() + 1;
            if (!records.hasNext()) break;
            CSVRecord r = records.next();
            if (r.size() == 1 && r.get(0).isBlank()) continue; // a blank line
            if (r.size() != width) {
                throw new AppException(source + ", line " + line + ": " + r.size() + (r.size() == 1 ? " cell" : " cells")
                        + ", the header has " + width + "; every row needs one value per column");
            }
            String stamp = r.get(time).strip();
            LocalDateTime t = timestamp(stamp, source, line, header.get(time));
            if (!times.isEmpty()) {
                LocalDateTime prev = times.getLast();
                if (!t.isAfter(prev)) {
                    throw new AppException(source + ", line " + line + ": timestamp " + stamp
                            + (t.equals(prev) ? " repeats the previous row's" : " is before the previous row's " + prev.toString().replace('T', ' '))
                            + "; rows must be in increasing time order without repeats");
                }
            }
            double[] values = new double[names.size()];
            for (int c = 0, k = 0; c < width; c++) {
                if (c == time) continue;
                String cell = r.get(c).strip();
                if (MISSING.contains(cell.toLowerCase(Locale.ROOT))) {
                    if (fill == Fill.NONE) {
                        throw new AppException(source + ", line " + line + ", column '" + header.get(c) + "': missing value"
                                + (cell.isEmpty() ? "" : " '" + cell + "'") + " (the first one); fix the file or use --fill previous or --fill linear");
                    }
                    values[k] = Double.NaN;
                    missingAt.add(new int[] {rows.size(), k, (int) line});
                } else {
                    values[k] = number(cell, source, line, header.get(c));
                }
                k++;
            }
            times.add(t);
            rows.add(values);
        }
        if (rows.isEmpty()) throw new AppException(source + " has a header but no data rows");
        double[][] columns = new double[names.size()][rows.size()];
        for (int i = 0; i < rows.size(); i++) for (int c = 0; c < names.size(); c++) columns[c][i] = rows.get(i)[c];
        for (int[] m : missingAt) fillGap(columns[m[1]], m[0], fill, source, m[2], names.get(m[1]));
        return new TimeSeries(source, times.toArray(new LocalDateTime[0]), names, columns);
    }

    private int timeColumn(List<String> header, String source) {
        String wanted = timeColumn != null ? timeColumn : DEFAULT_TIME_COLUMN;
        int i = header.indexOf(wanted);
        if (i >= 0) return i;
        if (timeColumn != null) {
            throw new AppException("no column '" + timeColumn + "' in " + source + " for --time-column; the columns are: " + String.join(", ", header));
        }
        throw new AppException(source + " has no column named '" + DEFAULT_TIME_COLUMN + "'; name its timestamp column with --time-column (the columns are: "
                + String.join(", ", header) + ")");
    }

    /**
     * Writes a series as CSV that {@link #read} takes back unchanged: header {@code date,<names>},
     * timestamps {@code YYYY-MM-DD HH:MM:SS}, values in Java's shortest round-trip form.
     */
    public static String format(TimeSeries series) {
        StringBuilder b = new StringBuilder(series.rows() * 16 * (series.columnCount() + 1));
        b.append(DEFAULT_TIME_COLUMN);
        for (String n : series.names()) b.append(',').append(n);
        b.append('\n');
        for (int r = 0; r < series.rows(); r++) {
            b.append(TIMESTAMP.format(series.times()[r]));
            for (double[] col : series.columns()) b.append(',').append(col[r]);
            b.append('\n');
        }
        return b.toString();
    }

    /** Parses a timestamp: ISO date, optionally a space or T and an ISO time. */
    static LocalDateTime timestamp(String cell, String source, long line, String column) {
        try {
            if (cell.length() == 10) return LocalDate.parse(cell, DateTimeFormatter.ISO_LOCAL_DATE).atStartOfDay();
            if (cell.length() > 11 && (cell.charAt(10) == ' ' || cell.charAt(10) == 'T')) {
                return LocalDateTime.of(LocalDate.parse(cell.substring(0, 10), DateTimeFormatter.ISO_LOCAL_DATE),
                        LocalTime.parse(cell.substring(11), DateTimeFormatter.ISO_LOCAL_TIME));
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        String what = cell.isEmpty() ? "missing timestamp" : "'" + cell + "' is not a timestamp";
        throw new AppException(source + ", line " + line + ", column '" + column + "': " + what + " (expected " + TIME_FORMATS + ")");
    }

    /** Parses a finite decimal number. */
    static double number(String cell, String source, long line, String column) {
        if (NUMBER.matcher(cell).matches()) {
            double v = Double.parseDouble(cell);
            if (Double.isFinite(v)) return v;
            throw new AppException(source + ", line " + line + ", column '" + column + "': " + cell + " is too large for a number");
        }
        String shown = cell.length() > 40 ? cell.substring(0, 40) + "…" : cell;
        throw new AppException(source + ", line " + line + ", column '" + column + "': '" + printable(shown) + "' is not a number");
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) b.append(Character.isISOControl(ch) ? String.format(Locale.ROOT, "\\u%04x", (int) ch) : String.valueOf(ch));
        return b.toString();
    }

    /** Fills the missing value at {@code row} (NaN) by the policy; refuses a gap that has no value on the side it needs. */
    private static void fillGap(double[] col, int row, Fill fill, String source, int line, String column) {
        int before = row - 1;
        if (before < 0) {
            throw new AppException(source + ", line " + line + ", column '" + column + "': missing value in the first row, with no earlier value to fill it from; fix the file");
        }
        if (fill == Fill.PREVIOUS) {
            col[row] = col[before]; // filled in row order, so col[before] is known
            return;
        }
        int after = row + 1;
        while (after < col.length && Double.isNaN(col[after])) after++;
        if (after == col.length) {
            throw new AppException(source + ", line " + line + ", column '" + column + "': missing value at the end, with no later value to interpolate to; use --fill previous or fix the file");
        }
        double f = 1.0 / (after - before);
        col[row] = col[before] + (col[after] - col[before]) * f;
    }

    /** Fails a line longer than {@link #MAX_LINE} characters (a binary file, a file without line ends). */
    private static final class LineLimit extends FilterReader {
        private final String source;
        private int sinceNewline;

        LineLimit(Reader in, String source) {
            super(in);
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            count(c);
            return c;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            for (int i = 0; i < n; i++) count(buf[off + i]);
            return n;
        }

        private void count(int c) {
            if (c == '\n' || c == '\r') {
                sinceNewline = 0;
            } else if (c >= 0 && ++sinceNewline > MAX_LINE) {
                throw new AppException(source + " has a line longer than " + MAX_LINE + " characters; is it a CSV file?");
            }
        }
    }
}
