package dev.recur.app.run.progress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of one bar's line: {@code label  42% │████▌     │ 1,512/3,600 seq  900/s  0:02 left
 * | loss 0.6826 | ‖g‖ 0.27}. {@link #fit} makes it no wider than a terminal, dropping parts by
 * priority; {@link #plain} is the whole line without the graphic, for logs.
 *
 * <p>Priorities, given room first to last: the label (always; cut with an ellipsis when even it
 * is too wide), the percentage, the counts, the rate, the time left, the {@link Field.Kind#METRIC}
 * fields, the graphic (elastic, {@value #MIN_GRAPHIC} to {@value #MAX_GRAPHIC} columns), the
 * {@link Field.Kind#DETAIL} fields; among fields of one kind, in their order. The first part that
 * does not fit ends the line, except the graphic, which the later parts may pass.
 */
final class BarLine {
    private BarLine() {}

    /** The narrowest graphic shown, brackets included. */
    static final int MIN_GRAPHIC = 12;
    /** The widest graphic, brackets included. */
    static final int MAX_GRAPHIC = 42;

    private static final String EIGHTHS = " ▏▎▍▌▋▊▉";

    /**
     * What one line shows.
     *
     * @param label       what runs, e.g. {@code epoch 1/3}
     * @param done        units done
     * @param total       units in all (0 or less: unknown, no percentage or time left)
     * @param unit        the unit's name, e.g. {@code seq}
     * @param rate        units per second, NaN while unknown
     * @param seconds     seconds left while running, seconds taken once finished; NaN while unknown
     * @param finished    whether the bar is closed (the time is then the time taken)
     * @param fields      the named values after the counts, in display order
     */
    record State(String label, long done, long total, String unit, double rate, double seconds, boolean finished,
                 List<Field> fields) {}

    private static final int LABEL = -1, PERCENT = 0, COUNT = 1, RATE = 2, TIME = 3, METRIC = 4, GRAPHIC = 5, DETAIL = 6;

    /** One part of the line: its text (empty for the graphic), priority and the separator before it. */
    private record Part(String text, int priority, String before) {
        int width() { return Text.width(before) + (priority == GRAPHIC ? MIN_GRAPHIC : Text.width(text)); }
    }

    /**
     * The line for a terminal: at most {@code columns} columns. The parts are given room in
     * priority order until one does not fit (the graphic alone is skipped then, not the parts
     * after it); the graphic then grows into the rest.
     */
    static String fit(State s, int columns) {
        List<Part> parts = parts(s, true);
        Integer[] byPriority = new Integer[parts.size()];
        for (int i = 0; i < byPriority.length; i++) byPriority[i] = i;
        java.util.Arrays.sort(byPriority, java.util.Comparator.comparingInt(i -> parts.get(i).priority())); // stable
        boolean[] shown = new boolean[parts.size()];
        int used = 0;
        for (int i : byPriority) {
            int w = parts.get(i).width();
            if (i == 0 || used + w <= columns) {
                shown[i] = true;
                used += w;
            } else if (parts.get(i).priority() != GRAPHIC) {
                break; // nothing of lower priority is shown
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            if (!shown[i]) continue;
            Part p = parts.get(i);
            sb.append(p.before());
            if (p.priority() == GRAPHIC) {
                sb.append(graphic(s, Math.min(MAX_GRAPHIC, MIN_GRAPHIC + columns - used)));
            } else {
                sb.append(p.text());
            }
        }
        return Text.cut(sb.toString(), columns);
    }

    /** The whole line without the graphic, for a log file or a pipe. */
    static String plain(State s) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts(s, false)) sb.append(p.before()).append(p.text());
        return sb.toString();
    }

    private static List<Part> parts(State s, boolean graphic) {
        List<Part> parts = new ArrayList<>();
        parts.add(new Part(s.label(), LABEL, ""));
        boolean known = s.total() > 0;
        if (known) {
            parts.add(new Part(String.format(Locale.ROOT, "%3d%%", percent(s)), PERCENT, " "));
            if (graphic) parts.add(new Part("", GRAPHIC, " "));
        }
        String count = known ? padded(s.done(), s.total()) + "/" + String.format(Locale.ROOT, "%,d", s.total())
                : String.format(Locale.ROOT, "%,d", s.done());
        parts.add(new Part(count + " " + s.unit(), COUNT, " "));
        if (!Double.isNaN(s.rate())) parts.add(new Part(rate(s.rate()) + "/s", RATE, "  ")); // the unit is just before
        if (!Double.isNaN(s.seconds()) && (known || s.finished())) {
            parts.add(new Part(s.finished() ? "in " + duration(s.seconds()) : duration(s.seconds()) + " left", TIME, "  "));
        }
        for (Field f : s.fields()) {
            parts.add(new Part(f.text(), f.kind() == Field.Kind.METRIC ? METRIC : DETAIL, " | "));
        }
        return parts;
    }

    private static int percent(State s) {
        return (int) Math.min(100, Math.max(0, s.done() * 100 / s.total()));
    }

    private static String padded(long done, long total) {
        String t = String.format(Locale.ROOT, "%,d", total);
        return String.format(Locale.ROOT, "%" + t.length() + "s", String.format(Locale.ROOT, "%,d", done));
    }

    /** A bar of {@code width} columns: brackets around full blocks and one partial block in eighths. */
    static String graphic(State s, int width) {
        int cells = width - 2;
        double frac = Math.min(1, Math.max(0, (double) s.done() / s.total()));
        int eighths = (int) Math.round(frac * cells * 8);
        StringBuilder sb = new StringBuilder(width).append('│');
        for (int i = 0; i < cells; i++) {
            int e = Math.min(8, Math.max(0, eighths - 8 * i));
            sb.append(e == 8 ? '█' : EIGHTHS.charAt(e));
        }
        return sb.append('│').toString();
    }

    /** A rate: one decimal below 10, none above, with thousands separators. */
    static String rate(double r) {
        return r < 10 ? String.format(Locale.ROOT, "%.1f", r) : String.format(Locale.ROOT, "%,.0f", r);
    }

    /** Seconds as m:ss, or h:mm:ss from an hour on. */
    static String duration(double seconds) {
        long t = Math.round(Math.max(0, seconds));
        long h = t / 3600, m = t / 60 % 60, sec = t % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }
}
