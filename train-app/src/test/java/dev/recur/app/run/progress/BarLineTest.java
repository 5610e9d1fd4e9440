package dev.recur.app.run.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BarLineTest {
    private static final BarLine.State TRAIN = new BarLine.State("epoch 1/3", 1512, 3600, "seq", 900, 2.3, false,
            List.of(Field.metric("loss %.4f acc %.1f%%", 0.6826, 55.3), Field.detail("‖g‖ %.2f", 0.27)));

    @Test
    void wideTerminalShowsEverythingWithTheGraphic() {
        String line = BarLine.fit(TRAIN, 130);
        assertTrue(line.startsWith("epoch 1/3  42% │"), line);
        assertTrue(line.endsWith("│ 1,512/3,600 seq  900/s  0:02 left | loss 0.6826 acc 55.3% | ‖g‖ 0.27"), line);
        assertEquals(BarLine.MAX_GRAPHIC, line.indexOf('│', line.indexOf('│') + 1) - line.indexOf('│') + 1, line);
    }

    @Test
    void noWidthIsExceededAndThePercentageAndCountsGoLast() {
        for (int cols = 1; cols <= 130; cols++) {
            String line = BarLine.fit(TRAIN, cols);
            assertTrue(Text.width(line) <= cols, cols + ": " + line);
            assertTrue(line.startsWith(Text.cut("epoch 1/3", cols)), cols + ": " + line);
            if (cols >= "epoch 1/3  42% 1,512/3,600 seq".length()) {
                assertTrue(line.startsWith("epoch 1/3  42% "), cols + ": " + line);
                assertTrue(line.contains("1,512/3,600 seq"), cols + ": " + line);
            }
            if (line.contains("‖g‖") || line.contains("│")) assertTrue(line.contains("loss 0.6826"), cols + ": " + line);
            if (line.contains("loss")) assertTrue(line.contains("900/s  0:02 left"), cols + ": " + line);
        }
    }

    @Test
    void eightyColumnsKeepTheCountsRateTimeAndLoss() {
        String full = BarLine.plain(TRAIN);
        assertEquals("epoch 1/3  42% 1,512/3,600 seq  900/s  0:02 left | loss 0.6826 acc 55.3% | ‖g‖ 0.27", full);
        assertEquals(full, BarLine.fit(TRAIN, Text.width(full)), "no room for the graphic: the details take it");
        assertEquals("epoch 1/3  42% 1,512/3,600 seq  900/s  0:02 left | loss 0.6826 acc 55.3%", BarLine.fit(TRAIN, 79));
        assertEquals("epoch 1/3  42% 1,512/3,600 seq  900/s  0:02 left", BarLine.fit(TRAIN, 59));
        assertEquals("epoch 1/3  42% 1,512/3,600 seq", BarLine.fit(TRAIN, 35));
        String withGraphic = BarLine.fit(TRAIN, 100);
        assertTrue(withGraphic.startsWith("epoch 1/3  42% │") && withGraphic.endsWith("loss 0.6826 acc 55.3% | ‖g‖ 0.27"),
                withGraphic);
        assertEquals(99, Text.width(BarLine.fit(TRAIN, 99)), "the graphic fills the rest");
    }

    @Test
    void aTooLongLabelIsCutWithAnEllipsis() {
        BarLine.State s = new BarLine.State("x".repeat(50), 1, 2, "steps", Double.NaN, Double.NaN, false, List.of());
        String line = BarLine.fit(s, 20);
        assertEquals(20, Text.width(line));
        assertTrue(line.endsWith("…"), line);
    }

    @Test
    void detailsGoBeforeMetricsEvenWhenListedFirst() {
        BarLine.State s = new BarLine.State("lm", 5, 10, "windows", 2, 2.5, false,
                List.of(Field.detail("%,d chars/s", 123456), Field.metric("loss %.3f", 1.5)));
        String line = BarLine.fit(s, 60);
        assertTrue(line.contains("loss 1.500") && !line.contains("chars/s"), line);
        assertEquals(BarLine.plain(s).replace(" | 123,456 chars/s", ""), line);
    }

    @Test
    void plainLineHasNoGraphicAndAFinishedBarShowsItsTime() {
        BarLine.State done = new BarLine.State("epoch 1/1", 3600, 3600, "seq", 900, 4, true, List.of());
        assertEquals("epoch 1/1 100% 3,600/3,600 seq  900/s  in 0:04", BarLine.plain(done));
        assertEquals("│█████     │", BarLine.graphic(new BarLine.State("", 1, 2, "", 0, 0, false, List.of()), 12));
        assertEquals("│▌         │", BarLine.graphic(new BarLine.State("", 1, 20, "", 0, 0, false, List.of()), 12));
    }

    @Test
    void unknownTotalShowsCountsOnly() {
        BarLine.State s = new BarLine.State("reading", 1234, 0, "reviews", 100, Double.NaN, false, List.of());
        assertEquals("reading 1,234 reviews  100/s", BarLine.plain(s));
        assertFalse(BarLine.fit(s, 100).contains("│"));
    }

    @Test
    void durationsAndRates() {
        assertEquals("0:05", BarLine.duration(4.6));
        assertEquals("1:01:01", BarLine.duration(3661));
        assertEquals("2.5", BarLine.rate(2.5));
        assertEquals("12,346", BarLine.rate(12345.6));
    }
}
