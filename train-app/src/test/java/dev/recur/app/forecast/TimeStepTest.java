package dev.recur.app.forecast;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class TimeStepTest {
    private static LocalDateTime[] every(LocalDateTime start, Duration d, int n) {
        LocalDateTime[] t = new LocalDateTime[n];
        for (int i = 0; i < n; i++) t[i] = start.plus(d.multipliedBy(i));
        return t;
    }

    @Test
    void fixedStepsAreInferredAndPrinted() {
        LocalDateTime start = LocalDateTime.of(2016, 7, 1, 0, 0);
        TimeStep hourly = TimeStep.infer(every(start, Duration.ofHours(1), 50));
        assertEquals(Duration.ofHours(1), hourly.duration());
        assertTrue(hourly.regular());
        assertEquals("1h", hourly.toString());
        assertEquals("15m", TimeStep.infer(every(start, Duration.ofMinutes(15), 10)).toString());
        assertEquals("1d", TimeStep.infer(every(start, Duration.ofDays(1), 10)).toString());
        assertEquals(LocalDateTime.of(2016, 7, 1, 1, 0), hourly.next(start));
    }

    @Test
    void gapsAreCountedAndTheMostFrequentStepWins() {
        LocalDateTime[] t = every(LocalDateTime.of(2020, 1, 1, 0, 0), Duration.ofHours(1), 10);
        t[9] = t[8].plusHours(5); // one gap
        TimeStep s = TimeStep.infer(t);
        assertEquals(Duration.ofHours(1), s.duration());
        assertEquals(1, s.irregular());
        assertFalse(s.regular());
    }

    @Test
    void monthlyDataSteppsByCalendarMonths() {
        LocalDateTime[] t = new LocalDateTime[14];
        for (int i = 0; i < t.length; i++) t[i] = LocalDateTime.of(2019, 1, 15, 0, 0).plusMonths(i);
        TimeStep s = TimeStep.infer(t);
        assertEquals(1, s.months());
        assertTrue(s.regular());
        assertEquals(LocalDateTime.of(2020, 3, 15, 0, 0), s.next(t[13]));
        for (int i = 0; i < t.length; i++) t[i] = LocalDateTime.of(2019, 1, 1, 0, 0).plusMonths(3L * i);
        assertEquals("3 months", TimeStep.infer(t).toString());
    }
}
