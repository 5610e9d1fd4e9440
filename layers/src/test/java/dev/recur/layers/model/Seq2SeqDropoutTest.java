package dev.recur.layers.model;

import static dev.recur.layers.model.Seq2SeqTest.BOS;
import static dev.recur.layers.model.Seq2SeqTest.EOS;
import static dev.recur.layers.model.Seq2SeqTest.SV;
import static dev.recur.layers.model.Seq2SeqTest.TV;
import static dev.recur.layers.model.Seq2SeqTest.grads;
import static dev.recur.layers.model.Seq2SeqTest.randomWords;
import static dev.recur.layers.model.Seq2SeqTest.source;
import static dev.recur.layers.model.Seq2SeqTest.target;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.AttentionScore;
import dev.recur.layers.Parameter;
import dev.recur.layers.rnn.CellType;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Dropout in {@link Seq2Seq}: off at evaluation and decoding, p = 0 is the model without dropout
 * (whose numbers {@code Seq2SeqParityTest} checks against PyTorch), masks seeded and resumable
 * from {@link Seq2Seq#rngState()}, and the gradient with a fixed mask equal to finite differences.
 */
class Seq2SeqDropoutTest {
    static final float P = 0.3f;

    /** Stacked bidirectional GRU (inter-layer dropout), additive, input feeding; LSTM general with input feeding and tying. */
    static List<Seq2SeqConfig> configs() {
        return List.of(
                new Seq2SeqConfig(CellType.GRU, SV, TV, 6, 5, 2, true, 7, AttentionScore.ADDITIVE, 4, true, false, 1f, 0.1f, P, BOS, EOS),
                new Seq2SeqConfig(CellType.LSTM, SV, TV, 6, 6, 1, false, 6, AttentionScore.GENERAL, 0, true, true, 1f, 0f, P, BOS, EOS),
                new Seq2SeqConfig(CellType.GRU, SV, TV, 5, 4, 1, true, 4, AttentionScore.GENERAL, 0, false, false, 1f, 0f, P, BOS, EOS));
    }

    static Batch src() { return source(new int[] {4, 2, 5, 1}, 0, 2L); }

    static Batch tgt() { return target(randomWords(4, 3L)); }

    @ParameterizedTest
    @MethodSource("configs")
    void evaluationAndDecodingDropNothingAndProbabilityZeroIsTheModelWithout(Seq2SeqConfig cfg) {
        try (Seq2Seq on = new Seq2Seq(cfg, 5L, 8, 8, 8); Seq2Seq off = new Seq2Seq(cfg.withDropout(0f), 5L, 8, 8, 8)) {
            float trainOn = on.forward(src(), tgt());
            float trainOff = off.forward(src(), tgt());
            assertNotEquals(trainOff, trainOn, "dropout changes a training forward");
            on.backward();   // a training step leaves nothing behind for evaluation
            on.eval();
            off.eval();
            assertEquals(off.forward(src(), tgt()), on.forward(src(), tgt()), 0f, "evaluation: no dropout");
            for (int t = 0; t < tgt().steps(); t++) for (int i = 0; i < 4; i++) for (int y = 0; y < TV; y++) {
                assertEquals(off.logit(t, i, y), on.logit(t, i, y), 0f);
            }
            on.train(true);
            on.forward(src(), tgt());   // decoding right after a training forward still drops nothing
            List<Translation> a = on.greedy(src(), 8), b = off.greedy(src(), 8);
            List<Translation> ba = on.beamSearch(src(), 2, 8, 1f), bb = off.beamSearch(src(), 2, 8, 1f);
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(b.get(i).tokens(), a.get(i).tokens());
                assertEquals(b.get(i).logProb(), a.get(i).logProb(), 0f);
                assertArrayEquals(bb.get(i).tokens(), ba.get(i).tokens());
                assertEquals(bb.get(i).score(), ba.get(i).score(), 0f);
            }
            assertEquals("0", off.rngState().get(Seq2Seq.DECODER_DROPOUT), "p = 0 draws no masks");
            assertEquals("2", on.rngState().get(Seq2Seq.DECODER_DROPOUT), "one draw per training forward");
            assertEquals("2", on.rngState().get("recur.rng.embedding_dropout"));
        }
    }

    @Test
    void dropoutZeroIsExactlyTheModelWithoutTheOption() {
        Seq2SeqConfig with = configs().get(0).withDropout(0f);
        Seq2SeqConfig without = new Seq2SeqConfig(CellType.GRU, SV, TV, 6, 5, 2, true, 7, AttentionScore.ADDITIVE, 4, true, false,
                1f, 0.1f, BOS, EOS);
        assertEquals(without, with);
        assertEquals(0f, without.dropout());
        try (Seq2Seq a = new Seq2Seq(with, 9L, 8, 8, 8); Seq2Seq b = new Seq2Seq(configs().get(0), 9L, 8, 8, 8)) {
            // the dropout probability takes nothing from the initialisation's generator
            for (int p = 0; p < a.parameters().size(); p++) {
                assertArrayEquals(a.parameters().get(p).value().toArray(), b.parameters().get(p).value().toArray(), 0f);
            }
        }
    }

    @Test
    void masksAreSeededAndResumeFromTheRngState() {
        Seq2SeqConfig cfg = configs().get(0);
        float[] straight = new float[4];
        float[][][] g = new float[2][][];
        Map<String, String> afterTwo;
        try (Seq2Seq m = new Seq2Seq(cfg, 7L, 8, 8, 8)) {
            straight[0] = m.forward(src(), tgt());
            straight[1] = m.forward(src(), tgt());
            afterTwo = m.rngState();
            m.zeroGrad();
            straight[2] = m.forward(src(), tgt());
            m.backward();
            g[0] = grads(m);
            straight[3] = m.forward(src(), tgt());
        }
        assertNotEquals(straight[0], straight[1], "each training forward draws new masks");
        assertEquals("2", afterTwo.get("recur.rng.recurrent_dropout"));
        try (Seq2Seq m = new Seq2Seq(cfg, 7L, 8, 8, 8)) {
            assertEquals(straight[0], m.forward(src(), tgt()), 0f, "same seed, same masks");
        }
        try (Seq2Seq m = new Seq2Seq(cfg, 7L, 8, 8, 8)) {
            m.restoreRngState(afterTwo);
            m.zeroGrad();
            assertEquals(straight[2], m.forward(src(), tgt()), 0f, "resumed: the third forward's masks");
            m.backward();
            g[1] = grads(m);
            assertEquals(straight[3], m.forward(src(), tgt()), 0f);
        }
        for (int p = 0; p < g[0].length; p++) assertArrayEquals(g[0][p], g[1][p], 0f, "gradient " + p);
        try (Seq2Seq m = new Seq2Seq(cfg, 7L, 8, 8, 8)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> m.restoreRngState(Map.of(Seq2Seq.DECODER_DROPOUT, "many")));
            assertEquals("metadata recur.rng.decoder_dropout is not an integer: many", e.getMessage());
        }
    }

    /**
     * With the masks held fixed (the random state restored before every forward), the analytic
     * gradient of every parameter equals centred finite differences of the float loss.
     */
    @ParameterizedTest
    @MethodSource("configs")
    void gradientWithAFixedMaskMatchesFiniteDifferences(Seq2SeqConfig cfg) {
        try (Seq2Seq m = new Seq2Seq(cfg, 3L, 8, 8, 8)) {
            Batch s = src(), t = tgt();
            m.forward(s, t);   // move the streams off their start, so the fixed masks are not call 1's
            Map<String, String> state = m.rngState();
            m.zeroGrad();
            float base = m.forward(s, t);
            m.backward();
            assertTrue(Float.isFinite(base));
            SplittableRandom r = new SplittableRandom(1);
            float eps = 4e-3f;
            int checked = 0;
            for (Parameter p : m.parameters()) {
                FloatMatrix val = p.value(), grad = p.grad();
                for (int k = 0; k < 4; k++) {
                    int i = r.nextInt(val.rows()), j = r.nextInt(val.cols());
                    if ((p.name().endsWith("embedding.weight")) && i == 0) i = 1 + r.nextInt(val.rows() - 1);   // padding row: no gradient by design
                    float x = val.get(i, j);
                    val.set(i, j, x + eps);
                    m.restoreRngState(state);
                    double up = m.forward(s, t);
                    val.set(i, j, x - eps);
                    m.restoreRngState(state);
                    double down = m.forward(s, t);
                    val.set(i, j, x);
                    double fd = (up - down) / (2 * eps), an = grad.get(i, j);
                    assertEquals(fd, an, 3e-3 + 2e-2 * Math.abs(fd), p.name() + "[" + i + "," + j + "]");
                    checked++;
                }
            }
            assertTrue(checked >= 40, "checked " + checked);
            m.restoreRngState(state);
            assertEquals(base, m.forward(s, t), 0f, "restoring the state gives back the same masks");
        }
    }
}
