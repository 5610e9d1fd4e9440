package dev.recur.app.tag;

import dev.recur.app.core.AppException;
import dev.recur.app.data.TextFiles;
import dev.recur.app.data.Utf8;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the CoNLL-2000 chunking format: one token per line as {@code WORD POS CHUNK} separated by
 * spaces (or tabs), a blank line between sentences. One column is kept as the tag. Lines starting
 * with {@code -DOCSTART-} are treated as sentence breaks. Malformed lines are errors naming
 * {@code file:line}.
 */
public final class ConllReader {

    /** Which column becomes the tag. */
    public enum Column {
        /** Part-of-speech tag, the second field. */
        POS(1),
        /** IOB2 chunk tag, the third field. */
        CHUNK(2);

        final int index;

        Column(int index) { this.index = index; }

        /** Parses {@code pos} or {@code chunk} (any case). */
        public static Column parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "pos" -> POS;
                case "chunk" -> CHUNK;
                default -> throw AppException.usage("--column must be pos or chunk, got '" + s + "'");
            };
        }
    }

    private static final int FIELDS = 3;

    /** Largest file read (1 GiB; CoNLL-2000's training file is 2.8 MB). */
    public static final long MAX_BYTES = 1L << 30;

    private ConllReader() { }

    /** Reads every sentence of {@code file}. */
    public static List<Sentence> read(Path file, Column column) {
        if (!Files.exists(file)) {
            throw new AppException(file + ": no such file; expected a CoNLL-2000 file "
                    + "(WORD POS CHUNK per line, blank line between sentences)");
        }
        String text = Utf8.decode(TextFiles.read(file, MAX_BYTES, "--train/--test"), file.toString());
        return parse(file.toString(), text, column);
    }

    /** Parses CoNLL text; {@code name} stands for the file in errors ({@code name:line: ...}). */
    public static List<Sentence> parse(String file, String text, Column column) {
        List<Sentence> out = new ArrayList<>();
        List<String> words = new ArrayList<>();
        List<String> pos = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        int first = 0;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("-DOCSTART-")) {
                if (!words.isEmpty()) out.add(new Sentence(words, pos, tags, first));
                words.clear();
                pos.clear();
                tags.clear();
                continue;
            }
            String[] f = trimmed.split("[ \\t]+");
            if (f.length != FIELDS) {
                throw new AppException(file + ":" + lineNo + ": expected 3 fields 'WORD POS CHUNK', found "
                        + f.length + " in \"" + abbreviate(trimmed) + "\"; fix the line or check the file format");
            }
            if (column == Column.CHUNK && !validChunkTag(f[2])) {
                throw new AppException(file + ":" + lineNo + ": chunk tag '" + f[2]
                        + "' is not IOB (O, B-TYPE or I-TYPE)");
            }
            if (words.isEmpty()) first = lineNo;
            words.add(f[0]);
            pos.add(f[1]);
            tags.add(f[column.index]);
        }
        if (!words.isEmpty()) out.add(new Sentence(words, pos, tags, first));
        if (out.isEmpty()) {
            throw new AppException(file + ": holds no sentences; expected a CoNLL-2000 file");
        }
        return out;
    }

    static boolean validChunkTag(String t) {
        return t.equals("O") || (t.length() > 2 && (t.startsWith("B-") || t.startsWith("I-")));
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
