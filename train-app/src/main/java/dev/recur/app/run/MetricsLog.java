package dev.recur.app.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.recur.app.core.AppException;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per line, each written and flushed at once, so a crash
 * loses at most the line being written. {@link #rewrite} replaces the whole file atomically (used
 * when resuming, to drop lines past the checkpoint being resumed).
 */
public final class MetricsLog implements AutoCloseable {
    static final ObjectMapper JSON = Json.MAPPER;

    private final Path file;
    private final Writer writer;

    private MetricsLog(Path file, Writer writer) {
        this.file = file;
        this.writer = writer;
    }

    /** Opens {@code file} for appending (creating it). */
    public static MetricsLog append(Path file) {
        try {
            return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new AppException("cannot write metrics file '" + file + "': " + e.getMessage()
                    + ". Choose another --out folder.", e);
        }
    }

    /** Replaces {@code file} atomically with exactly these records, one per line. */
    public static void rewrite(Path file, List<? extends Map<String, ?>> records) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, ?> r : records) sb.append(Json.write(r)).append('\n');
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the records of {@code file} back (an absent file has none; a line cut short by a kill is dropped). */
    public static List<Map<String, Object>> read(Path file) {
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        if (!Files.exists(file)) return out;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                try {
                    out.add(JSON.readValue(line, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}));
                } catch (IOException e) {
                    // a line cut short by a kill: what follows it is rewritten by the resumed run
                }
            }
        } catch (IOException e) {
            throw new AppException("cannot read metrics file '" + file + "': " + e.getMessage(), e);
        }
        return out;
    }

    /** Writes one record as a line and flushes it. */
    public void write(Map<String, ?> record) {
        try {
            writer.write(JSON.writeValueAsString(record));
            writer.write('\n');
            writer.flush();
        } catch (IOException e) {
            throw new AppException("cannot write metrics file '" + file + "': " + e.getMessage(), e);
        }
    }

    public Path file() { return file; }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new AppException("cannot close metrics file '" + file + "': " + e.getMessage(), e);
        }
    }
}
