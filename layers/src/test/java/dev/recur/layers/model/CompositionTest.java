package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.rnn.CellType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tagger with several input features and the character language model: gradients against
 * finite differences, state carried across windows equal to one long window, learning, and the
 * checkpoint round trip of each kind.
 */
class CompositionTest {
    @TempDir
    Path dir;

    static final int T = 6, B = 4;

    static TaggerConfig tagger(CellType cell) {
        return new TaggerConfig(List.of(new TaggerConfig.Feature("word", 15, 4, 0), new TaggerConfig.Feature("shape", 5, 2, 0),
                new TaggerConfig.Feature("suffix", 7, 3, -1)), cell, 4, 1, true, 0f, 0f, 0f, 3, "rnn");
    }

    /** Three features per token: the tag is word % 3, helped by shape = word % 5. Ragged, unsorted. */
    static Batch taggerBatch(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Batch b = new Batch(T, B, 3).reset(T, B);
        for (int s = 0; s < B; s++) {
            int len = 1 + r.nextInt(T);
            b.lengths()[s] = len;
            for (int t = 0; t < T; t++) {
                int w = t < len ? 1 + r.nextInt(14) : 0;
                b.feature(0)[t * B + s] = w;
                b.feature(1)[t * B + s] = t < len ? 1 + w % 4 : 0;
                b.feature(2)[t * B + s] = r.nextInt(7);
                if (t < len) b.setTarget(t, s, w % 3);
            }
        }
        return b;
    }

    static LanguageModelConfig lm(CellType cell) {
        return new LanguageModelConfig(cell, 6, 3, 5, 2, 0f);
    }

    /** B streams of symbols following s_{t+1} = (s_t + 1 + b) mod 6; inputs of steps [from, from+steps). */
    static Batch stream(int from, int steps) {
        Batch b = new Batch(T, B).reset(steps, B);
        for (int t = 0; t < steps; t++) {
            for (int s = 0; s < B; s++) {
                b.setToken(t, s, (int) ((long) (from + t) * (1 + s) % 6));
                b.setTarget(t, s, (int) ((long) (from + t + 1) * (1 + s) % 6));
            }
        }
        return b;
    }

    @Test
    void taggerGradientWithThreeFeaturesMatchesFiniteDifferences() {
        for (CellType cell : CellType.values()) {
            Batch b = taggerBatch(5);
            try (SequenceTagger m = new SequenceTagger(tagger(cell), 3, T, B)) {
                GradientCheck.check(m, () -> m.forward(b, true), m::backward, "tagger " + cell);
            }
        }
    }

    @Test
    void languageModelGradientWithinAWindowMatchesFiniteDifferences() {
        for (CellType cell : CellType.values()) {
            try (CharLanguageModel m = new CharLanguageModel(lm(cell), 4, T, B)) {
                m.train(true);
                GradientCheck.check(m, () -> { m.resetState(); return m.forward(stream(0, 5)); }, m::backward, "lm " + cell);
            }
        }
    }

    @Test
    void twoCarriedWindowsGiveTheLogitsOfOneLongWindow() {
        for (CellType cell : CellType.values()) {
            try (CharLanguageModel m = new CharLanguageModel(lm(cell), 9, T, B)) {
                m.train(false);
                m.resetState();
                float[] whole = m.logits(stream(0, 6)).toArray();
                m.resetState();
                float[] first = m.logits(stream(0, 4)).toArray();
                float[] second = m.logits(stream(4, 2)).toArray();
                int v = 6;
                for (int i = 0; i < first.length; i++) assertEquals(whole[i], first[i], 1e-6f, cell + " first window");
                for (int i = 0; i < second.length; i++) {
                    assertEquals(whole[4 * B * v + i], second[i], 1e-5f, cell + " second window, carried state");
                }
                m.resetState();
                float[] fresh = m.logits(stream(4, 2)).toArray();
                assertNotEquals(second[0], fresh[0], cell + ": without the carried state the window starts from zero");
            }
        }
    }

    @Test
    void languageModelLearnsAndItsCheckpointRebuildsIt() throws Exception {
        Path f = dir.resolve("lm.safetensors");
        float first = 0, last = 0;
        float[] logits;
        try (CharLanguageModel m = new CharLanguageModel(lm(CellType.LSTM), 2, T, B); Adam opt = new Adam(m.parameters(), 0.05)) {
            for (int epoch = 0; epoch < 30; epoch++) {
                m.resetState();
                for (int w = 0; w < 3; w++) {
                    m.zeroGrad();
                    float loss = m.forward(stream(w * T, T));
                    m.backward();
                    opt.step();
                    if (epoch == 0 && w == 0) first = loss;
                    last = loss;
                }
            }
            assertTrue(last < 0.3f * first, "loss " + first + " → " + last);
            Checkpoint.save(f, m, opt, Map.of());
            m.resetState();
            logits = m.logits(stream(0, T)).toArray();
        }
        try (CharLanguageModel back = Checkpoint.loadLanguageModel(f, T, B)) {
            assertEquals(lm(CellType.LSTM), back.config());
            assertArrayEquals(logits, back.logits(stream(0, T)).toArray());
        }
    }

    @Test
    void taggerLearnsItsCheckpointRebuildsItAndSortsEachBatchOnce() throws Exception {
        Path f = dir.resolve("tagger.safetensors");
        Batch b = taggerBatch(8);
        float[] logits;
        try (SequenceTagger m = new SequenceTagger(tagger(CellType.GRU), 1, T, B); Adam opt = new Adam(m.parameters(), 0.05)) {
            float first = 0, last = 0;
            for (int i = 0; i < 40; i++) {
                m.zeroGrad();
                last = m.forward(b, true);
                if (i == 0) first = last;
                m.backward();
                opt.step();
            }
            assertTrue(last < 0.5f * first, "loss " + first + " → " + last);
            m.eval();
            logits = m.logits(b).toArray();
            int right = 0, all = 0;
            for (int s = 0; s < B; s++) {
                for (int t = 0; t < b.lengths()[s]; t++, all++) if (m.predictedTag(t, s) == b.targets()[t * B + s]) right++;
            }
            assertTrue(right > 0.8 * all, right + " of " + all + " tags right");
            Checkpoint.save(f, m, null, Map.of());
        }
        try (SequenceTagger back = Checkpoint.loadTagger(f, T, B)) {
            assertEquals(tagger(CellType.GRU), back.config());
            assertArrayEquals(logits, back.logits(b).toArray());
            assertEquals(List.of("word.weight", "shape.weight", "suffix.weight"),
                    back.parameters().subList(0, 3).stream().map(Parameter::name).toList());
        }
    }

    @Test
    void aBatchWithTooFewFeaturesIsAClearError() {
        try (SequenceTagger m = new SequenceTagger(tagger(CellType.LSTM), 1, T, B)) {
            Batch one = new Batch(T, B).reset(T, B);
            String msg = assertThrows(IllegalArgumentException.class, () -> m.forward(one)).getMessage();
            assertTrue(msg.contains("3"), msg);
        }
    }

    @Test
    void copyParametersFromGivesTheSameModel() {
        try (CharLanguageModel a = new CharLanguageModel(lm(CellType.GRU), 1, T, B);
             CharLanguageModel c = new CharLanguageModel(lm(CellType.GRU), 2, T, B)) {
            c.copyParametersFrom(a);
            a.eval();
            c.eval();
            FloatMatrix la = a.logits(stream(0, T));
            assertArrayEquals(la.toArray(), c.logits(stream(0, T)).toArray());
        }
    }
}
