package dev.recur.app.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.core.AppException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop's position through checkpoint metadata, the run metadata and the data check of resume. */
class PositionKeysTest {
    @TempDir Path dir;

    private Checkpoint written(Map<String, String> meta) {
        Path f = dir.resolve("ck-" + meta.hashCode() + ".safetensors");
        Checkpoint.write(f, "tag", meta, List.of(), null, Map.of());
        return Checkpoint.read(f, "tag", "tag");
    }

    @Test
    void positionRoundTripsUnderEachKeySet() {
        TrainingLoop.Position at = new TrainingLoop.Position(3, 7, 123, 9, 0.8125, 6);
        for (PositionKeys keys : List.of(PositionKeys.STANDARD, PositionKeys.STANDARD.withBestAt("train.best_at"))) {
            Map<String, String> m = new LinkedHashMap<>();
            keys.write(m, at);
            assertEquals(List.of(keys.epoch(), keys.batch(), keys.best(), keys.bestAt(), keys.evaluations()), List.copyOf(m.keySet()));
            assertEquals(at, keys.read(written(m), 123));
            assertThrows(IllegalStateException.class, () -> keys.read(written(m)));
        }
        PositionKeys withSteps = new PositionKeys("e", "b", "s", "n", "best", "at");
        Map<String, String> m = new LinkedHashMap<>();
        withSteps.write(m, at);
        assertEquals("123", m.get("s"));
        assertEquals(at, withSteps.read(written(m)));
    }

    @Test
    void checkpointsFromBeforeEvaluationsInsideEpochsReadAsEpochEnds() {
        Checkpoint old = written(Map.of("train.epoch", "4", "train.best_score", "0.5"));
        assertEquals(new TrainingLoop.Position(4, 0, 40, 4, 0.5, 4), PositionKeys.STANDARD.read(old, 40));
        AppException e = assertThrows(AppException.class, () -> PositionKeys.STANDARD.read(written(Map.of("train.epoch", "1")), 1));
        assertTrue(e.getMessage().contains("train.best_score"), e.getMessage());
    }

    @Test
    void runMetadataAndTheDataCheck() {
        Map<String, String> meta = Checkpoint.runMetadata(Map.of("tag.column", "pos"), Map.of("--hidden", "8"), "abc");
        assertEquals(List.of("tag.column", Checkpoint.K_OPTIONS, Checkpoint.K_DATA), List.copyOf(meta.keySet()));
        Checkpoint ck = written(meta);
        assertEquals(Map.of("--hidden", "8"), ck.runOptions());
        ck.requireData("abc", "unused");
        AppException e = assertThrows(AppException.class, () -> ck.requireData("abd", "other sentences; resume with the same --train"));
        assertTrue(e.getMessage().endsWith(" was trained on other sentences; resume with the same --train"), e.getMessage());
    }

    @Test
    void meterWeighsTheLossAndCountsUnitsApart() {
        EpochMeter m = new EpochMeter();
        m.startEpoch();
        long t = System.nanoTime();
        m.add(1f, 1, 10, t);
        m.add(4f, 3, 30, t);
        assertEquals(13 / 4.0, m.meanLoss(), 1e-12);
        assertEquals(4, m.count());
        assertEquals(40, m.units());
        m.startEpoch();
        m.add(2f, 2, t);
        assertEquals(2.0, m.meanLoss(), 0);
        assertEquals(2, m.units());
        assertEquals(6, m.runCount());
        assertEquals(42, m.runUnits());
        assertTrue(m.runSeconds() > 0 && m.runUnitsPerSecond() > 0);
    }
}
