package dev.recur.app.forecast;

import dev.recur.app.core.AppException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * The time between rows, inferred from the timestamps: a fixed {@link Duration} (15 minutes, an
 * hour, a day) or a number of calendar months (monthly, quarterly, yearly data, whose rows are not
 * a fixed duration apart).
 *
 * @param duration  the step when {@code months == 0}: the most frequent difference between rows
 * @param months    the step in calendar months, or 0 for a fixed duration
 * @param irregular how many row-to-row differences are not one step (gaps in the data); 0 for a regular series
 */
public record TimeStep(Duration duration, int months, int irregular) {

    /** The timestamp one step after {@code t}. */
    public LocalDateTime next(LocalDateTime t) {
        return months > 0 ? t.plusMonths(months) : t.plus(duration);
    }

    public boolean regular() { return irregular == 0; }

    /** Like {@code 1h}, {@code 15m}, {@code 1d}, {@code 1 month}, {@code 3 months}. */
    @Override
    public String toString() {
        if (months > 0) return months + (months == 1 ? " month" : " months");
        long s = duration.toSeconds();
        if (s % 86_400 == 0) return s / 86_400 + "d";
        if (s % 3_600 == 0) return s / 3_600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        return duration.toMillis() % 1000 == 0 ? s + "s" : duration.toMillis() + "ms";
    }

    /**
     * Infers the step of strictly increasing timestamps: calendar months when every row falls on
     * the same day of the month at the same time and rows are a constant number of months apart;
     * otherwise the most frequent difference (ties: the smallest).
     */
    public static TimeStep infer(LocalDateTime[] times) {
        if (times.length < 2) throw new AppException("a time step needs at least 2 rows, got " + times.length);
        TimeStep monthly = monthly(times);
        if (monthly != null) return monthly;
        Map<Duration, Integer> counts = new HashMap<>();
        for (int i = 1; i < times.length; i++) counts.merge(Duration.between(times[i - 1], times[i]), 1, Integer::sum);
        Duration best = null;
        int bestCount = 0;
        for (var e : counts.entrySet()) {
            int cmp = best == null ? 1 : Integer.compare(e.getValue(), bestCount);
            if (cmp > 0 || cmp == 0 && e.getKey().compareTo(best) < 0) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return new TimeStep(best, 0, times.length - 1 - bestCount);
    }

    private static TimeStep monthly(LocalDateTime[] times) {
        LocalDateTime first = times[0];
        if (first.getDayOfMonth() > 28) return null;
        long months = ChronoUnit.MONTHS.between(first, times[1]);
        if (months < 1) return null;
        for (int i = 1; i < times.length; i++) {
            LocalDateTime t = times[i];
            if (t.getDayOfMonth() != first.getDayOfMonth() || !t.toLocalTime().equals(first.toLocalTime())) return null;
            if (ChronoUnit.MONTHS.between(times[i - 1], t) != months) return null;
        }
        return new TimeStep(Duration.ZERO, (int) months, 0);
    }
}
