package dev.recur.layers.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.rnn.RecurrenceScheduler.Split;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** When the scheduler samples and which split it starts with (the bits are ScheduleDeterminismTest's). */
class RecurrenceSchedulerTest {
    @Test
    void samplesOnlyInWindowsAfterTheJitHasSettled() {
        for (int c = 0; c < RecurrenceScheduler.SETTLE; c++) assertFalse(RecurrenceScheduler.sampling(c), "call " + c);
        int w = RecurrenceScheduler.SETTLE, n = 2 * RecurrenceScheduler.SAMPLES;
        for (int c = w; c < w + n; c++) assertTrue(RecurrenceScheduler.sampling(c), "call " + c);
        assertFalse(RecurrenceScheduler.sampling(w + n));
        assertFalse(RecurrenceScheduler.sampling(w + RecurrenceScheduler.RECHECK - 1));
        assertTrue(RecurrenceScheduler.sampling(w + RecurrenceScheduler.RECHECK));
        assertTrue(RecurrenceScheduler.sampling(w + RecurrenceScheduler.RECHECK + n - 1));
        assertFalse(RecurrenceScheduler.sampling(w + RecurrenceScheduler.RECHECK + n));
        // a window starts on an even call, so each split gets SAMPLES of its calls
        assertEquals(0, RecurrenceScheduler.SETTLE % 2);
        assertEquals(0, RecurrenceScheduler.RECHECK % 2);
    }

    @Test
    void startsBatchParallelUnlessABlockWouldBeLessThanATile() {
        int prev = Engine.threads();
        Engine.setThreads(2);
        try (Arena arena = Arena.ofShared()) {
            int steps = 5;
            assertEquals(Split.ROWS, firstSplit(arena, RecurrentConfig.of(CellType.LSTM, 4, 8), steps, 64));
            assertEquals(Split.ROWS, firstSplit(arena, RecurrentConfig.of(CellType.LSTM, 4, 8), steps, 16));
            assertEquals(Split.STEPS, firstSplit(arena, RecurrentConfig.of(CellType.LSTM, 4, 8), steps, 15));
            // a bidirectional layer gives each direction its own thread, whatever the batch
            assertEquals(Split.ROWS, firstSplit(arena,
                    RecurrentConfig.of(CellType.GRU, 4, 8).withBidirectional(DirectionMerge.CONCAT), steps, 3));
        } finally {
            Engine.setThreads(prev);
        }
    }

    /** The split planned for the forward pass after a few calls, none of them in a sampling window. */
    private static Split firstSplit(Arena arena, RecurrentConfig cfg, int steps, int batch) {
        try (RecurrentLayer l = new RecurrentLayer("s.", cfg, steps, batch)) {
            FloatMatrix x = GradientCheckTest.random(arena, steps * batch, cfg.inputSize(), new Random(1));
            for (int k = 0; k < 3; k++) l.forward(x, batch, null, null, null, false);
            return l.scheduler().planned(false, batch);
        }
    }
}
