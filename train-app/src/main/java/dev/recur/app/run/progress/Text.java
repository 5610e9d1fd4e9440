package dev.recur.app.run.progress;

/**
 * Column arithmetic for the display: one column per code point (the box-drawing, block and
 * mathematical characters the display and the tasks use are one column wide in terminals; East
 * Asian wide characters are not measured).
 */
final class Text {
    private Text() {}

    /** The number of columns {@code s} takes. */
    static int width(String s) {
        return s.codePointCount(0, s.length());
    }

    /** The char index where column {@code columns} starts (or the length when {@code s} is shorter). */
    static int offset(String s, int columns) {
        if (columns >= width(s)) return s.length();
        return s.offsetByCodePoints(0, Math.max(0, columns));
    }

    /** {@code s} cut to {@code columns} columns, ending in an ellipsis when it was cut. */
    static String cut(String s, int columns) {
        if (width(s) <= columns) return s;
        if (columns <= 0) return "";
        return s.substring(0, offset(s, columns - 1)) + "…";
    }
}
