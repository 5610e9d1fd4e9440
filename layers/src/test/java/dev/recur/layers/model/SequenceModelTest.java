package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.layers.Parameter;
import dev.recur.layers.Pooling;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsException;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.rnn.CellType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceModelTest {

    @TempDir
    Path dir;

    static final int V = 12, T = 6, B = 5;

    /** Sequences of random tokens; label 1 when token 3 occurs. Ragged, unsorted lengths. */
    static Batch batch(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Batch b = new Batch(T, B).reset(T, B);
        for (int s = 0; s < B; s++) {
            int len = 1 + r.nextInt(T);
            b.lengths()[s] = len;
            boolean has = false;
            for (int t = 0; t < T; t++) {
                int tok = t < len ? 1 + r.nextInt(V - 1) : 0;
                b.setToken(t, s, tok);
                has |= t < len && tok == 3;
                if (t < len) b.setTarget(t, s, tok % 4);
            }
            b.labels()[s] = has ? 1 : 0;
        }
        return b;
    }

    /** The tagger that is the old SequenceLabeler of {@code cfg}: one token feature, rnn named "rnn". */
    static TaggerConfig labeler(ModelConfig cfg) {
        return new TaggerConfig(List.of(new TaggerConfig.Feature("embedding", cfg.vocabSize(), cfg.embedDim(), cfg.paddingIdx())),
                cfg.cell(), cfg.hidden(), cfg.layers(), cfg.bidirectional(), cfg.embeddingDropout(), cfg.dropout(), cfg.dropout(),
                cfg.outputs(), "rnn");
    }

    static ModelConfig config(CellType cell) {
        return ModelConfig.defaults(cell, V).withEmbedDim(4).withHidden(5);
    }

    @Test
    void trainingLowersTheLossAndIsDeterministic() {
        for (CellType cell : CellType.values()) {
            float[] first = train(config(cell).withBidirectional(true).withPool(Pooling.MEAN).withDropout(0.2f));
            float[] again = train(config(cell).withBidirectional(true).withPool(Pooling.MEAN).withDropout(0.2f));
            assertArrayEquals(first, again, cell + ": same seed, same numbers");
            assertTrue(first[first.length - 1] < first[0] * 0.8f, cell + ": loss went " + first[0] + " → " + first[first.length - 1]);
        }
    }

    @Test
    void twoThreadsGiveTheSameNumbersEveryRun() {
        int before = dev.recur.engine.Engine.threads();
        try {
            dev.recur.engine.Engine.setThreads(2);
            ModelConfig cfg = config(CellType.LSTM).withLayers(2).withBidirectional(true).withHidden(40);
            assertArrayEquals(train(cfg, 4), train(cfg, 4));
        } finally {
            dev.recur.engine.Engine.setThreads(before);
        }
    }

    @Test
    void loadingTheWrongKindIsAClearError() throws Exception {
        Path f = dir.resolve("tagger.safetensors");
        try (SequenceTagger m = new SequenceTagger(labeler(config(CellType.GRU).withOutputs(4)), 1, T, B)) {
            Checkpoint.save(f, m, null, Map.of());
        }
        String msg = assertThrows(SafeTensorsException.class, () -> Checkpoint.loadClassifier(f, T, B)).getMessage();
        assertTrue(msg.contains("tagger"), msg);
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 10));
        msg = assertThrows(SafeTensorsException.class, () -> Checkpoint.load(cut, T, B)).getMessage();
        assertTrue(msg.contains("cut.safetensors") && msg.contains("truncated"), msg);
        try (SequenceTagger m = Checkpoint.loadTagger(f, T, B)) {
            assertEquals(4, m.config().outputs());
        }
    }

    private static float[] train(ModelConfig cfg) { return train(cfg, 20); }

    private static float[] train(ModelConfig cfg, int steps) {
        try (SequenceClassifier m = new SequenceClassifier(cfg, 42, T, B); Adam opt = new Adam(m.parameters(), 0.05f)) {
            Batch b = batch(7);
            float[] losses = new float[steps];
            for (int i = 0; i < losses.length; i++) {
                m.zeroGrad();
                losses[i] = m.forward(b, true);
                m.backward();
                GradientClipping.clipGradNorm(m.parameters(), 5f);
                opt.step();
            }
            return losses;
        }
    }

    @Test
    void whatIsPastASequencesEndChangesNeitherOutputsNorGradients() {
        ModelConfig cfg = config(CellType.LSTM).withBidirectional(true).withPool(Pooling.MAX).withPaddingIdx(-1);
        Batch clean = batch(9);
        Batch noisy = batch(9);
        SplittableRandom r = new SplittableRandom(99);
        for (int s = 0; s < B; s++) {
            for (int t = clean.lengths()[s]; t < T; t++) {
                noisy.setToken(t, s, r.nextInt(V));
                noisy.setTarget(t, s, r.nextInt(4));
            }
        }
        try (SequenceClassifier m = new SequenceClassifier(cfg, 2, T, B)) {
            List<float[]> g1 = grads(m, clean), g2 = grads(m, noisy);
            for (int i = 0; i < g1.size(); i++) assertArrayEquals(g1.get(i), g2.get(i), m.parameters().get(i).name());
        }
    }

    private static List<float[]> grads(SequenceClassifier m, Batch b) {
        m.zeroGrad();
        m.forward(b, true);
        m.backward();
        return m.parameters().stream().map(p -> p.grad().toArray()).toList();
    }

    @Test
    void namesArePyTorchs() {
        try (SequenceClassifier m = new SequenceClassifier(config(CellType.LSTM).withLayers(2).withBidirectional(true), 1, T, B)) {
            List<String> names = m.parameters().stream().map(Parameter::name).toList();
            assertEquals("embedding.weight", names.get(0));
            assertTrue(names.contains("rnn.weight_ih_l0") && names.contains("rnn.weight_hh_l1_reverse")
                    && names.contains("rnn.bias_ih_l1"), names.toString());
            assertEquals(List.of("fc.weight", "fc.bias"), names.subList(names.size() - 2, names.size()));
            assertEquals(1, m.parameter("fc.weight").rows());
            assertEquals(10, m.parameter("fc.weight").cols());
        }
    }

    @Test
    void orderOfSequencesInABatchDoesNotChangeTheirResults() {
        try (SequenceClassifier m = new SequenceClassifier(config(CellType.GRU).withBidirectional(true), 3, T, B)) {
            Batch b = batch(11);
            float[] p = new float[B];
            m.predict(b, p);
            // reverse the batch
            Batch r = new Batch(T, B).reset(T, B);
            for (int s = 0; s < B; s++) {
                r.lengths()[s] = b.lengths()[B - 1 - s];
                for (int t = 0; t < T; t++) r.setToken(t, s, b.token(t, B - 1 - s));
            }
            float[] q = new float[B];
            m.predict(r, q);
            for (int s = 0; s < B; s++) assertEquals(p[s], q[B - 1 - s], 1e-6f);
        }
    }

    @Test
    void saveThenLoadGivesTheSameOutputsAndRejectsAnotherModel() throws Exception {
        Path f = dir.resolve("m.safetensors");
        ModelConfig cfg = config(CellType.LSTM).withLayers(2).withOutputs(3).withPool(Pooling.MAX);
        Batch b = batch(5);
        for (int s = 0; s < B; s++) b.labels()[s] = s % 3;
        float[] before = new float[B * 3];
        try (SequenceClassifier m = new SequenceClassifier(cfg, 9, T, B); Adam opt = new Adam(m.parameters(), 0.01f)) {
            m.forward(b, true);
            m.backward();
            opt.step();
            m.predict(b, before);
            Checkpoint.save(f, m, opt, Map.of("app.vocab", "[\"<pad>\"]"));
        }
        try (SequenceModel loaded = Checkpoint.load(f, T, B)) {
            float[] after = new float[B * 3];
            ((SequenceClassifier) loaded).predict(b, after);
            assertArrayEquals(before, after);
            SafeTensors st = SafeTensors.read(f);
            assertEquals("[\"<pad>\"]", st.metadata().get("app.vocab"));
            assertArrayEquals(new long[] {3}, st.info("fc.bias").shape());
            try (Adam opt2 = new Adam(loaded.parameters(), 0.01f)) {
                opt2.loadState(st);
                assertEquals(1, opt2.steps());
            }
        }
        try (SequenceClassifier other = new SequenceClassifier(cfg.withHidden(7), 9, T, B)) {
            SafeTensors st = SafeTensors.read(f);
            String msg = assertThrows(SafeTensorsException.class, () -> Checkpoint.loadWeights(st, other)).getMessage();
            assertTrue(msg.contains("another model configuration"), msg);
        }
        Path notModel = dir.resolve("x.safetensors");
        Files.writeString(notModel, "hello");
        assertThrows(SafeTensorsException.class, () -> Checkpoint.load(notModel, T, B));
    }

    @Test
    void taggerLearnsAndAStatefulStackCarriesState() {
        ModelConfig cfg = config(CellType.LSTM).withOutputs(4);
        try (SequenceTagger m = new SequenceTagger(labeler(cfg), 5, T, B); Adam opt = new Adam(m.parameters(), 0.05f)) {
            Batch b = batch(3);
            float first = 0, last = 0;
            for (int i = 0; i < 40; i++) {
                m.zeroGrad();
                float loss = m.forward(b, true);
                if (i == 0) first = loss;
                last = loss;
                m.backward();
                opt.step();
            }
            assertTrue(last < first * 0.7f, first + " → " + last);
            assertEquals(T * B, m.lastLogits().rows());
            // carried state: a second window starting from the first one's state differs from a fresh start
            m.eval();
            m.recurrent().setStateful(true);
            float fresh = m.forward(b);
            float carried = m.forward(b);
            m.recurrent().resetState();
            float freshAgain = m.forward(b);
            assertEquals(fresh, freshAgain);
            assertNotEquals(fresh, carried);
        }
    }

    @Test
    void badInputIsAClearError() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config(CellType.LSTM).withHidden(0)).getMessage().contains("hidden"));
        try (SequenceClassifier m = new SequenceClassifier(config(CellType.RNN_TANH), 1, T, B)) {
            Batch b = batch(1);
            b.setToken(0, 0, V + 5);
            b.lengths()[0] = T;
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.forward(b, true)).getMessage().contains("vocabulary"));
            assertThrows(IllegalStateException.class, m::backward);
            Batch big = new Batch(T + 1, B).reset(T + 1, B);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.forward(big)).getMessage().contains("exceeds"));
        }
    }

    @Test
    void resumingFromACheckpointIsBitExact() throws Exception {
        ModelConfig cfg = config(CellType.GRU).withBidirectional(true).withDropout(0.3f).withEmbeddingDropout(0.2f);
        Batch[] batches = {batch(1), batch(2), batch(3), batch(4)};
        float[] straight;
        try (SequenceClassifier m = new SequenceClassifier(cfg, 8, T, B); Adam opt = new Adam(m.parameters(), 0.02f)) {
            for (Batch b : batches) step(m, opt, b);
            straight = m.parameter("fc.weight").value().toArray();
        }
        Path f = dir.resolve("resume.safetensors");
        try (SequenceClassifier m = new SequenceClassifier(cfg, 8, T, B); Adam opt = new Adam(m.parameters(), 0.02f)) {
            step(m, opt, batches[0]);
            step(m, opt, batches[1]);
            Checkpoint.save(f, m, opt, Map.of());
        }
        try (SequenceModel m = Checkpoint.load(f, T, B); Adam opt = new Adam(m.parameters(), 0.5f)) {
            opt.loadState(SafeTensors.read(f));
            step((SequenceClassifier) m, opt, batches[2]);
            step((SequenceClassifier) m, opt, batches[3]);
            assertArrayEquals(straight, m.parameter("fc.weight").value().toArray());
        }
    }

    private static void step(SequenceClassifier m, Adam opt, Batch b) {
        m.zeroGrad();
        m.forward(b, true);
        m.backward();
        GradientClipping.clipGradNorm(m.parameters(), 1f);
        opt.step();
    }
}
