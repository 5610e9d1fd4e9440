package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.recur.layers.loss.CtcDecoder;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CtcAcousticModel} as a model: it learns an unaligned toy transcription task (labels
 * shown as noisy one-hot frames for 2–4 frames each, silence between), its gradient matches finite
 * differences, its training step allocates nothing, and a checkpoint rebuilds it exactly.
 */
class CtcAcousticModelTest {
    static final int F = 4, LABELS = 3, T = 24, B = 8;

    static AcousticConfig config(CellType cell) {
        return new AcousticConfig(F, cell, 12, 1, true, 0f, 0f, 0f, LABELS + 1, cell == CellType.GRU ? "gru" : "lstm");
    }

    /** A batch of toy utterances: label k (1…3) lights feature k−1 for 2–4 frames; silence (feature 3) before, between, after. */
    static int[][] fill(Batch batch, SplittableRandom rng) {
        batch.reset(T, B);
        int[][] labels = new int[B][];
        java.util.Arrays.fill(batch.frames(), 0f);
        for (int b = 0; b < B; b++) {
            int n = 1 + rng.nextInt(4), t = 0;
            labels[b] = new int[n];
            for (int j = 0; j < n; j++) {
                labels[b][j] = 1 + rng.nextInt(LABELS);
                int gap = 1 + rng.nextInt(2), dur = 2 + rng.nextInt(3);
                for (int s = 0; s < gap; s++, t++) batch.frames()[(t * B + b) * F + 3] = 1f;
                for (int s = 0; s < dur; s++, t++) batch.frames()[(t * B + b) * F + labels[b][j] - 1] = 1f;
            }
            batch.frames()[(t * B + b) * F + 3] = 1f;
            t++;
            for (int i = 0; i < t * F; i++) {
                int row = i / F, col = i % F;
                batch.frames()[(row * B + b) * F + col] += (float) (rng.nextGaussian() * 0.2);
            }
            batch.lengths()[b] = t;
            batch.setLabels(b, labels[b]);
        }
        return labels;
    }

    @Test
    void learnsAnUnalignedToyTranscription() {
        SplittableRandom rng = new SplittableRandom(3);
        try (CtcAcousticModel m = new CtcAcousticModel(config(CellType.LSTM), 5, T, B, 4); Adam opt = new Adam(m.parameters(), 0.02)) {
            Batch batch = Batch.ofFrames(T, B, F);
            float first = 0, last = 0;
            for (int i = 0; i < 250; i++) {
                fill(batch, rng);
                m.train(true);
                m.zeroGrad();
                float loss = m.forward(batch);
                if (i == 0) first = loss;
                last = loss;
                m.backward();
                GradientClipping.clipGradNorm(m.parameters(), 5f);
                opt.step();
            }
            assertTrue(last < first / 5, "loss fell from " + first + " to " + last);
            int right = 0, total = 0;
            CtcDecoder d = new CtcDecoder(0);
            for (int round = 0; round < 4; round++) {
                int[][] labels = fill(batch, rng);
                var lg = m.logits(batch);
                for (int b = 0; b < B; b++, total++) {
                    if (java.util.Arrays.equals(labels[b], CtcDecoder.labels(d.greedy(lg, B, b, batch.lengths()[b])))) right++;
                }
            }
            assertTrue(right >= 0.8 * total, right + " of " + total + " toy utterances transcribed exactly");
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        for (CellType cell : new CellType[] {CellType.LSTM, CellType.GRU}) {
            try (CtcAcousticModel m = new CtcAcousticModel(config(cell), 2, T, B, 4)) {
                Batch batch = Batch.ofFrames(T, B, F);
                fill(batch, new SplittableRandom(9));
                m.train(true);
                GradientCheck.check(m, () -> m.forward(batch), m::backward, cell.toString());
            }
        }
    }

    @Test
    void trainingStepAllocatesNothing() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        AcousticConfig cfg = new AcousticConfig(F, CellType.LSTM, 12, 2, true, 0.1f, 0.2f, 0.1f, LABELS + 1, "lstm");
        try (CtcAcousticModel m = new CtcAcousticModel(cfg, 1, T, B, 4); Adam opt = new Adam(m.parameters(), 0.01)) {
            Batch batch = Batch.ofFrames(T, B, F);
            fill(batch, new SplittableRandom(1));
            m.train(true);
            long bytes = -1, deadline = System.nanoTime() + 60_000_000_000L;
            while (bytes != 0 && System.nanoTime() < deadline) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100; i++) {
                    m.zeroGrad();
                    m.forward(batch);
                    m.backward();
                    GradientClipping.clipGradNorm(m.parameters(), 1f);
                    opt.step();
                }
                bytes = mx.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, bytes, "bytes allocated by 100 CTC model steps");
        }
    }

    @Test
    void checkpointRebuildsTheModel(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ctc.safetensors");
        Batch batch = Batch.ofFrames(T, B, F);
        fill(batch, new SplittableRandom(4));
        float[] before;
        try (CtcAcousticModel m = new CtcAcousticModel(config(CellType.GRU), 8, T, B, 4)) {
            before = m.logits(batch).toArray();
            Checkpoint.save(file, m, null, Map.of());
        }
        assertTrue(Files.size(file) > 0);
        try (CtcAcousticModel back = Checkpoint.loadAcoustic(file, T, B)) {
            assertEquals(config(CellType.GRU), back.config());
            assertArrayEquals(before, back.logits(batch).toArray());
        }
    }

    @Test
    void tooManyLabelsAndTokenBatchesAreRefused() {
        try (CtcAcousticModel m = new CtcAcousticModel(config(CellType.LSTM), 1, T, B, 2)) {
            Batch batch = Batch.ofFrames(T, B, F);
            fill(batch, new SplittableRandom(1));
            batch.setLabels(0, new int[] {1, 2, 3});
            assertThrows(IllegalArgumentException.class, () -> m.forward(batch));
            assertThrows(IllegalArgumentException.class, () -> m.forward(new Batch(T, B).reset(T, B)));
        }
    }
}
