package dev.recur.app.sentiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {
    @Test
    void handComputedCase() {
        BinaryMetrics m = new BinaryMetrics();
        // 3 true positives, 1 false negative, 1 false positive, 5 true negatives
        for (double p : new double[] {0.9, 0.8, 0.5}) m.add(1, p, 0.1);
        m.add(1, 0.4, 1.0);
        m.add(0, 0.7, 1.2);
        for (int i = 0; i < 5; i++) m.add(0, 0.2, 0.2);
        assertEquals(10, m.count());
        assertEquals(0.8, m.accuracy(), 1e-12);
        assertEquals(0.75, m.precision(), 1e-12);
        assertEquals(0.75, m.recall(), 1e-12);
        assertEquals(0.75, m.f1(), 1e-12);
        assertEquals((0.3 + 1.0 + 1.2 + 1.0) / 10, m.loss(), 1e-12);
        Map<String, Object> map = m.toMap();
        assertEquals(Map.of("true_negative", 5L, "false_positive", 1L, "false_negative", 1L, "true_positive", 3L), map.get("confusion"));
        String table = m.confusionTable();
        assertTrue(table.contains("negative") && table.contains(" positive"), table);
    }

    @Test
    void emptyAndDegenerateCasesAreZeroNotNaN() {
        BinaryMetrics m = new BinaryMetrics();
        assertEquals(0, m.accuracy());
        m.add(0, 0.1, 0.1);
        assertEquals(0, m.precision());
        assertEquals(0, m.recall());
        assertEquals(0, m.f1());
        assertEquals(1, m.accuracy());
    }

    @Test
    void epochStatsRoundTripThroughJsonMapsWithNaNAsNull() {
        EpochStats s = new EpochStats(3, 99, 0.5, 0.8, Double.NaN, Double.NaN, Double.NaN, 1.5, 2.0, 100, 2000);
        Map<String, Object> m = s.toMap();
        assertEquals(null, m.get("val_loss"));
        assertEquals(s, EpochStats.fromMap(m));
        assertEquals(List.of("event", "epoch", "steps", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_f1",
                "grad_norm", "seconds", "seq_per_s", "tokens_per_s"), List.copyOf(m.keySet()));
    }
}
