package dev.recur.app.lab;

import dev.recur.app.run.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A small table written as CSV (comma-separated, header first, written atomically). */
public final class CsvTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public CsvTable(String... header) {
        this.header = List.of(header);
    }

    /** Adds a row; numbers are written with {@link Locale#ROOT} and full precision. */
    public CsvTable add(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header has " + header.size());
        }
        List<String> row = new ArrayList<>(cells.length);
        for (Object c : cells) row.add(format(c));
        rows.add(row);
        return this;
    }

    public int size() { return rows.size(); }

    static String format(Object c) {
        if (c instanceof Double d) return Double.isNaN(d) ? "NaN" : String.format(Locale.ROOT, "%.6g", d);
        if (c instanceof Float f) return format(f.doubleValue());
        String s = String.valueOf(c);
        if (s.contains(",") || s.contains("\"")) s = '"' + s.replace("\"", "\"\"") + '"';
        return s;
    }

    /** The CSV text. */
    public String text() {
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (List<String> r : rows) sb.append(String.join(",", r)).append('\n');
        return sb.toString();
    }

    /** Writes to a temporary file beside {@code path}, then renames it. */
    public void write(Path path) {
        AtomicFiles.write(path, text().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
