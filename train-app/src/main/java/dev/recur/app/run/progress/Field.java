package dev.recur.app.run.progress;

import java.util.Locale;

/**
 * A named value shown after a bar's counts, such as {@code loss 0.6826} or {@code ‖g‖ 0.27}. When
 * a terminal is too narrow for the whole line, {@link Kind#DETAIL} fields go first, then
 * {@link Kind#METRIC} fields; the percentage, counts, rate and time left stay longest.
 *
 * @param text what is shown, e.g. {@code "loss 0.6826 acc 55.3%"}
 * @param kind how long the field is kept when space runs out
 */
public record Field(String text, Kind kind) {
    /** How important a field is when the line must be shortened. */
    public enum Kind {
        /** The figures a user watches (loss, accuracy): kept after the counts, rate and time left. */
        METRIC,
        /** Everything else (gradient norm, characters per second): dropped first. */
        DETAIL
    }

    /** Checks the text: one line, no control characters. */
    public Field {
        if (text == null || kind == null) throw new IllegalArgumentException("a progress field needs a text and a kind");
        if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("a progress field must be one line without control characters: " + text);
        }
    }

    /** A metric field (loss, accuracy) formatted with {@link String#format} in the root locale. */
    public static Field metric(String format, Object... args) {
        return new Field(String.format(Locale.ROOT, format, args), Kind.METRIC);
    }

    /** A detail field (gradient norm, throughput of another unit) formatted in the root locale. */
    public static Field detail(String format, Object... args) {
        return new Field(String.format(Locale.ROOT, format, args), Kind.DETAIL);
    }
}
