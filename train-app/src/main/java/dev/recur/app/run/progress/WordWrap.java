package dev.recur.app.run.progress;

import java.util.ArrayList;
import java.util.List;

/** Breaks a line of text at spaces so that no piece is wider than a given number of columns. */
final class WordWrap {
    private WordWrap() {}

    /** The indent of the second and later pieces, after the line's own, so that they read as one item. */
    static final String INDENT = "  ";

    /**
     * Splits {@code text} (one line) into pieces of at most {@code width} code points, breaking at
     * spaces; a word longer than a piece is cut. Pieces after the first start with the line's own
     * leading spaces and {@link #INDENT}.
     */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        int w = Math.max(width, INDENT.length() + 8);
        String rest = text.stripTrailing();
        String hanging = rest.substring(0, rest.length() - rest.stripLeading().length()) + INDENT;
        String prefix = "";
        while (true) {
            int room = Math.max(8, w - prefix.length());
            if (Text.width(rest) <= room) {
                lines.add(prefix + rest);
                return lines;
            }
            int cut = Text.offset(rest, room);           // the first code point that does not fit
            int space = rest.lastIndexOf(' ', cut);
            int end = space > 0 ? space : cut;
            lines.add(prefix + rest.substring(0, end).stripTrailing());
            rest = rest.substring(end).stripLeading();
            if (rest.isEmpty()) return lines;
            prefix = hanging;
        }
    }

    /**
     * Splits a shell command into lines of at most {@code width} code points (when its words allow),
     * breaking only between arguments (spaces outside quotes) and ending each line but the last
     * with a line continuation {@code " \\"}, so that the lines pasted into a shell run the command.
     * Lines after the first are indented by {@link #INDENT} twice.
     */
    static List<String> command(String text, int width) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        for (char c : text.strip().toCharArray()) {
            if (quote == 0 && c == ' ') {
                if (!word.isEmpty()) words.add(word.toString());
                word.setLength(0);
                continue;
            }
            if (quote == 0 && (c == '"' || c == '\'')) quote = c;
            else if (c == quote) quote = 0;
            word.append(c);
        }
        if (!word.isEmpty()) words.add(word.toString());
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            if (!line.isEmpty() && Text.width(line.toString()) + 1 + Text.width(w) + 2 > width) {
                lines.add(line.append(" \\").toString());
                line = new StringBuilder(INDENT + INDENT);
            } else if (!line.isEmpty() && !line.toString().isBlank()) {
                line.append(' ');
            }
            line.append(w);
        }
        lines.add(line.toString());
        return lines;
    }
}
