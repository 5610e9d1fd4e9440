package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.layers.AttentionScore;
import dev.recur.layers.Parameter;
import dev.recur.layers.rnn.CellType;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Behaviour of {@link Seq2Seq}: decoding, masking, determinism, bad input. (PyTorch parity: Seq2SeqParityTest.) */
class Seq2SeqTest {
    static final int SV = 11, TV = 9, BOS = 2, EOS = 3;

    static List<Seq2SeqConfig> configs() {
        return List.of(
                new Seq2SeqConfig(CellType.GRU, SV, TV, 6, 5, 2, true, 7, AttentionScore.ADDITIVE, 4, false, false, 1f, 0f, BOS, EOS),
                new Seq2SeqConfig(CellType.LSTM, SV, TV, 6, 6, 1, false, 6, AttentionScore.GENERAL, 0, true, true, 1f, 0f, BOS, EOS),
                new Seq2SeqConfig(CellType.LSTM, SV, TV, 5, 4, 1, true, 8, AttentionScore.DOT, 0, true, false, 1f, 0f, BOS, EOS),
                new Seq2SeqConfig(CellType.GRU, SV, TV, 5, 4, 1, false, 4, AttentionScore.DOT, 0, false, false, 1f, 0f, BOS, EOS));
    }

    /** Random source sentences of the given lengths (padding positions hold {@code pad}). */
    static Batch source(int[] lengths, int pad, long seed) {
        int t = 0;
        for (int l : lengths) t = Math.max(t, l);
        Batch b = new Batch(t, lengths.length).reset(t, lengths.length);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < lengths.length; i++) {
            b.lengths()[i] = lengths[i];
            for (int s = 0; s < t; s++) b.setToken(s, i, s < lengths[i] ? 4 + r.nextInt(SV - 4) : pad);
        }
        return b;
    }

    /** Target batch: decoder inputs {@code <bos> y…} and outputs {@code y… <eos>} of the given word sequences. */
    static Batch target(int[][] words) {
        int s = 0;
        for (int[] w : words) s = Math.max(s, w.length + 1);
        Batch b = new Batch(s, words.length).reset(s, words.length);
        for (int i = 0; i < words.length; i++) {
            int m = words[i].length;
            b.lengths()[i] = m + 1;
            b.setToken(0, i, BOS);
            for (int t = 0; t < m; t++) {
                b.setToken(t + 1, i, words[i][t]);
                b.targets()[t * words.length + i] = words[i][t];
            }
            b.targets()[m * words.length + i] = EOS;
        }
        return b;
    }

    static int[][] randomWords(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] w = new int[n][];
        for (int i = 0; i < n; i++) {
            w[i] = new int[1 + r.nextInt(4)];
            for (int t = 0; t < w[i].length; t++) w[i][t] = 4 + r.nextInt(TV - 4);
        }
        return w;
    }

    @ParameterizedTest
    @MethodSource("configs")
    void greedyScoresAreTheModelsOwnLogProbabilities(Seq2SeqConfig cfg) {
        try (Seq2Seq m = new Seq2Seq(cfg, 5L, 8, 10, 6)) {
            m.parameter("decoder.out.bias").value().set(0, EOS, 2f);   // so that sentences end
            Batch src = source(new int[] {3, 6, 1, 4}, 0, 1L);
            List<Translation> out = m.greedy(src, 10);
            assertEquals(4, out.size());
            assertTrue(out.stream().anyMatch(Translation::ended), "some sentence ends with <eos>");
            for (int i = 0; i < 4; i++) {
                Translation tr = out.get(i);
                assertEquals(tr.tokens().length + (tr.ended() ? 1 : 0), tr.attention().length);
                for (float[] row : tr.attention()) {
                    assertEquals(src.lengths()[i], row.length, "one weight per source token");
                    double sum = 0;
                    for (float a : row) sum += a;
                    assertEquals(1.0, sum, 1e-5);
                }
                if (!tr.ended()) continue;
                // teacher-forced on its own output, the model gives that output the same log-probability
                Batch one = source(new int[] {src.lengths()[i]}, 0, 0L);
                for (int t = 0; t < src.lengths()[i]; t++) one.setToken(t, 0, src.token(t, i));
                m.eval();
                float loss = m.forward(one, target(new int[][] {tr.tokens()}));
                assertEquals(-tr.logProb(), loss * (tr.tokens().length + 1), 1e-4 * Math.max(1, Math.abs(tr.logProb())));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void paddingChangesNothing(Seq2SeqConfig cfg) {
        int[] lengths = {2, 5, 3};
        int[][] words = randomWords(3, 9L);
        try (Seq2Seq m = new Seq2Seq(cfg, 7L, 8, 8, 4)) {
            m.train(true);
            m.zeroGrad();
            float a = m.forward(source(lengths, 0, 4L), target(words));
            m.backward();
            float[][] ga = grads(m);
            List<Translation> da = m.greedy(source(lengths, 0, 4L), 6);
            m.zeroGrad();
            Batch tgt = target(words);
            for (int t = 0; t < tgt.steps(); t++) {   // padding of the target inputs too
                for (int i = 0; i < 3; i++) if (t >= tgt.lengths()[i]) tgt.setToken(t, i, 7);
            }
            float b = m.forward(source(lengths, 9, 4L), tgt);
            m.backward();
            float[][] gb = grads(m);
            assertEquals(a, b, 0f, "loss");
            for (int p = 0; p < ga.length; p++) assertArrayEquals(ga[p], gb[p], 0f, m.parameters().get(p).name());
            List<Translation> db = m.greedy(source(lengths, 9, 4L), 6);
            for (int i = 0; i < 3; i++) assertArrayEquals(da.get(i).tokens(), db.get(i).tokens());
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void beamOfOneIsGreedy(Seq2SeqConfig cfg) {
        try (Seq2Seq m = new Seq2Seq(cfg, 5L, 8, 9, 6)) {
            m.parameter("decoder.out.bias").value().set(0, EOS, 1f);
            Batch src = source(new int[] {3, 6, 1, 4, 2}, 0, 8L);
            List<Translation> g = m.greedy(src, 9), b = m.beamSearch(src, 1, 9, 0f);
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(g.get(i).tokens(), b.get(i).tokens(), "sentence " + i);
                assertEquals(g.get(i).logProb(), b.get(i).logProb(), 0f);
                assertEquals(g.get(i).ended(), b.get(i).ended());
                for (int t = 0; t < g.get(i).attention().length; t++) {
                    assertArrayEquals(g.get(i).attention()[t], b.get(i).attention()[t], 0f);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void beamNeverScoresBelowGreedyAndScoresItsOwnOutput(Seq2SeqConfig cfg) {
        int better = 0;
        for (long seed = 1; seed <= 3; seed++) {
            try (Seq2Seq m = new Seq2Seq(cfg, seed, 8, 9, 8)) {
                m.parameter("decoder.out.bias").value().set(0, EOS, 0.5f * (seed - 1));
                Batch src = source(new int[] {3, 6, 1, 4, 5}, 0, seed + 20);
                List<Translation> g = m.greedy(src, 9);
                for (float alpha : new float[] {0f, 1f}) {
                    for (int beam : new int[] {2, 3, 5}) {
                        List<Translation> b = m.beamSearch(src, beam, 9, alpha);   // 8 rows: groups of 1–4 sentences
                        for (int i = 0; i < 5; i++) {
                            Translation gi = g.get(i), bi = b.get(i);
                            double greedyScore = alpha == 0f ? gi.logProb() : gi.logProb() / Math.pow(gi.attention().length, alpha);
                            assertTrue(bi.score() >= greedyScore - 1e-6, "beam " + beam + " α " + alpha + " sentence " + i
                                    + ": " + bi.score() + " < greedy " + greedyScore);
                            if (bi.score() > greedyScore + 1e-4) better++;
                            if (!bi.ended()) continue;
                            Batch one = source(new int[] {src.lengths()[i]}, 0, 0L);
                            for (int t = 0; t < src.lengths()[i]; t++) one.setToken(t, 0, src.token(t, i));
                            m.eval();
                            float loss = m.forward(one, target(new int[][] {bi.tokens()}));
                            assertEquals(-bi.logProb(), loss * (bi.tokens().length + 1), 1e-4 * Math.max(1, Math.abs(bi.logProb())));
                            // the attention rows are those of the path: teacher-forced on it, the same weights
                            for (int t = 0; t < bi.attention().length; t++) {
                                for (int j = 0; j < src.lengths()[i]; j++) {
                                    assertEquals(m.attention().weight(t, 0, j), bi.attention()[t][j], 1e-5, "attention " + t + ", " + j);
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(better > 0, "beam search finds a better-scoring output than greedy somewhere");
    }

    @Test
    void beamResultsDoNotDependOnHowSentencesAreGrouped() {
        Seq2SeqConfig cfg = configs().get(1);
        Batch src = source(new int[] {3, 6, 1, 4, 5, 2}, 0, 4L);
        try (Seq2Seq wide = new Seq2Seq(cfg, 2L, 8, 9, 18); Seq2Seq narrow = new Seq2Seq(cfg, 2L, 8, 9, 6)) {
            List<Translation> a = wide.beamSearch(src, 3, 9, 0.6f), b = narrow.beamSearch(src, 3, 9, 0.6f);
            for (int i = 0; i < 6; i++) {
                assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
                assertEquals(a.get(i).score(), b.get(i).score(), 1e-5f);
            }
            var e = assertThrows(IllegalArgumentException.class, () -> narrow.beamSearch(src, 7, 9, 0f));
            assertEquals("beam size must be in [1, 6] (the model's maxBatch), got 7", e.getMessage());
        }
    }

    @Test
    void sameSeedSameNumbers() {
        Seq2SeqConfig cfg = configs().get(0).withTraining(0.5f, 0.1f);
        float[] loss = new float[2];
        float[][][] g = new float[2][][];
        for (int run = 0; run < 2; run++) {
            try (Seq2Seq m = new Seq2Seq(cfg, 11L, 8, 8, 4)) {
                m.zeroGrad();
                loss[run] = m.forward(source(new int[] {4, 2, 5}, 0, 2L), target(randomWords(3, 3L)));
                m.backward();
                g[run] = grads(m);
            }
        }
        assertEquals(loss[0], loss[1], 0f);
        for (int p = 0; p < g[0].length; p++) assertArrayEquals(g[0][p], g[1][p], 0f);
    }

    @Test
    void threadsChangeNoBit() {
        int before = dev.recur.engine.Engine.threads();
        Seq2SeqConfig cfg = new Seq2SeqConfig(CellType.LSTM, 300, 400, 32, 48, 2, true, 64, AttentionScore.ADDITIVE, 40,
                true, false, 0.7f, 0.1f, BOS, EOS);
        int[] lengths = {20, 7, 13, 1, 16, 9, 20, 3};
        int[][] words = new int[8][];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 8; i++) {
            words[i] = new int[1 + r.nextInt(15)];
            for (int t = 0; t < words[i].length; t++) words[i][t] = 4 + r.nextInt(396);
        }
        Batch src = source(lengths, 0, 6L);
        for (int i = 0; i < 8; i++) for (int t = 0; t < lengths[i]; t++) src.setToken(t, i, 4 + r.nextInt(296));
        float[] loss = new float[2];
        float[][][] g = new float[2][][];
        List<List<Translation>> beams = new java.util.ArrayList<>();
        try {
            for (int run = 0; run < 2; run++) {
                dev.recur.engine.Engine.setThreads(run + 1);
                try (Seq2Seq m = new Seq2Seq(cfg, 4L, 20, 16, 8)) {
                    m.zeroGrad();
                    loss[run] = m.forward(src, target(words));
                    m.backward();
                    g[run] = grads(m);
                    beams.add(m.beamSearch(src, 2, 16, 1f));
                }
            }
        } finally {
            dev.recur.engine.Engine.setThreads(before);
        }
        assertEquals(loss[0], loss[1], 0f);
        for (int p = 0; p < g[0].length; p++) assertArrayEquals(g[0][p], g[1][p], 0f, "gradient " + p);
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(beams.get(0).get(i).tokens(), beams.get(1).get(i).tokens());
            assertEquals(beams.get(0).get(i).score(), beams.get(1).get(i).score(), 0f);
        }
    }

    @Test
    void teacherForcingRatioZeroFeedsTheModelsOwnPredictions() {
        Seq2SeqConfig forced = configs().get(0), free = forced.withTraining(0f, 0f);
        int[][] words = randomWords(3, 5L);
        try (Seq2Seq a = new Seq2Seq(forced, 1L, 8, 8, 4); Seq2Seq b = new Seq2Seq(free, 1L, 8, 8, 4)) {
            float la = a.forward(source(new int[] {4, 2, 5}, 0, 2L), target(words));
            float lb = b.forward(source(new int[] {4, 2, 5}, 0, 2L), target(words));
            assertTrue(la != lb, "reading its own predictions changes the loss");
            b.eval();   // evaluation always reads the reference
            assertEquals(la, b.forward(source(new int[] {4, 2, 5}, 0, 2L), target(words)), 0f);
        }
    }

    @Test
    void badInputIsRefusedClearly() {
        try (Seq2Seq m = new Seq2Seq(configs().get(0), 1L, 4, 4, 2)) {
            var e = assertThrows(IllegalArgumentException.class, () -> m.forward(source(new int[] {3, 2}, 0, 1L), target(new int[][] {{4}})));
            assertTrue(e.getMessage().contains("2 sentences but the target batch has 1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(source(new int[] {3, 2}, 0, 1L), target(new int[][] {{4, 5, 6, 7}, {4}})));
            assertTrue(e.getMessage().contains("exceeds the model's 4"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.greedy(source(new int[] {3}, 0, 1L), 5));
            assertTrue(e.getMessage().contains("[1, 4]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(source(new int[] {3, 2}, 0, 1L), target(new int[][] {{4}, {TV}})));
            assertTrue(e.getMessage().contains("outside"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqConfig(CellType.GRU, SV, TV, 6, 5, 1, true, 7,
                AttentionScore.DOT, 0, false, false, 1f, 0f, BOS, EOS));
        assertTrue(e.getMessage().contains("dot attention needs encoder states (10 wide)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqConfig(CellType.GRU, SV, TV, 6, 5, 1, true, 7,
                AttentionScore.GENERAL, 0, false, true, 1f, 0f, BOS, EOS));
        assertTrue(e.getMessage().contains("tied embeddings need embedDim == decoderHidden"), e.getMessage());
    }

    @Test
    void configRoundTripsThroughMetadata() {
        for (Seq2SeqConfig c : configs()) assertEquals(c, Seq2SeqConfig.fromMetadata(c.toMetadata()));
        var m = new java.util.HashMap<>(configs().get(0).toMetadata());
        m.put("seq2seq.cell", "transformer");
        var e = assertThrows(IllegalArgumentException.class, () -> Seq2SeqConfig.fromMetadata(m));
        assertEquals("the encoder–decoder configuration entry seq2seq.cell is 'transformer'; expected lstm or gru", e.getMessage());
    }

    static float[][] grads(Seq2Seq m) {
        List<Parameter> ps = m.parameters();
        float[][] g = new float[ps.size()][];
        for (int i = 0; i < g.length; i++) g[i] = ps.get(i).grad().toArray();
        return g;
    }
}
