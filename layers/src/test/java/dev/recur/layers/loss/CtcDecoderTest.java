package dev.recur.layers.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.loss.CtcDecoder.Symbol;
import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CtcDecoderTest {

    /** Logits whose softmax is exactly the given probabilities (rows t·B + b with B = 1). */
    static FloatMatrix probs(Arena a, double[][] p) {
        FloatMatrix m = FloatMatrix.allocate(a, p.length, p[0].length);
        for (int t = 0; t < p.length; t++) for (int k = 0; k < p[0].length; k++) m.set(t, k, (float) Math.log(p[t][k]));
        return m;
    }

    @Test
    void greedyMergesRepeatsDropsBlanksAndKeepsTheRuns() {
        try (Arena a = Arena.ofConfined()) {
            // path: 1 1 0 1 2 2 0 0  →  1 1 2, with runs [0,1], [3,3], [4,5]
            int[] path = {1, 1, 0, 1, 2, 2, 0, 0};
            double[][] p = new double[path.length][3];
            for (int t = 0; t < path.length; t++) { for (int k = 0; k < 3; k++) p[t][k] = 0.1; p[t][path[t]] = 0.8; }
            FloatMatrix x = probs(a, p);
            assertEquals(List.of(new Symbol(1, 0, 1), new Symbol(1, 3, 3), new Symbol(2, 4, 5)), new CtcDecoder(0).greedy(x, 1, 0, 8));
            assertEquals(List.of(new Symbol(1, 0, 1)), new CtcDecoder(0).greedy(x, 1, 0, 3), "only the sequence's frames");
            assertEquals(List.of(new Symbol(1, 0, 1), new Symbol(1, 3, 3), new Symbol(2, 4, 5)),
                    new CtcDecoder(0).beam(x, 1, 0, 8, 8), "a confident path: beam search agrees, times from the alignment");
        }
    }

    @Test
    void beamSearchFindsTheMostLikelyLabellingWhereTheBestPathDoesNot() {
        try (Arena a = Arena.ofConfined()) {
            // two frames, classes blank, 1: best path is "blank blank" (0.6² = 0.36 → empty) but
            // p("1") = 0.4·0.4 + 0.4·0.6 + 0.6·0.4 = 0.64
            double[][] p = {{0.6, 0.4}, {0.6, 0.4}};
            FloatMatrix x = probs(a, p);
            CtcDecoder d = new CtcDecoder(0);
            assertEquals(List.of(), d.greedy(x, 1, 0, 2));
            assertArrayEquals(new int[] {1}, CtcDecoder.labels(d.beam(x, 1, 0, 2, 4)));
        }
    }

    @Test
    void beamSearchWithAWideBeamIsExactOnSmallInputs() {
        try (Arena a = Arena.ofConfined()) {
            double[][] p = {{0.5, 0.3, 0.2}, {0.4, 0.3, 0.3}, {0.3, 0.3, 0.4}, {0.5, 0.25, 0.25}};
            FloatMatrix x = probs(a, p);
            // the most likely labelling by enumerating all 3⁴ paths
            Map<String, Double> byLabel = new HashMap<>();
            for (int n = 0; n < 81; n++) {
                int m = n, prev = -1;
                double prob = 1;
                StringBuilder s = new StringBuilder();
                for (int t = 0; t < 4; t++) {
                    int k = m % 3;
                    m /= 3;
                    prob *= p[t][k];
                    if (k != 0 && k != prev) s.append(k);
                    prev = k;
                }
                byLabel.merge(s.toString(), prob, Double::sum);
            }
            String best = byLabel.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            StringBuilder got = new StringBuilder();
            for (int l : CtcDecoder.labels(new CtcDecoder(0).beam(x, 1, 0, 4, 100))) got.append(l);
            assertEquals(best, got.toString());
        }
    }

    @Test
    void alignmentOfARepeatPutsABlankBetween() {
        try (Arena a = Arena.ofConfined()) {
            double[][] p = {{0.1, 0.9}, {0.1, 0.9}, {0.2, 0.8}, {0.1, 0.9}};
            FloatMatrix x = probs(a, p);
            List<Symbol> s = new CtcDecoder(0).align(x, 1, 0, 4, new int[] {1, 1});
            assertEquals(2, s.size());
            assertEquals(s.get(0).endFrame() + 2, s.get(1).startFrame(), "one blank frame between the repeats: " + s);
            assertEquals(List.of(), new CtcDecoder(0).align(x, 1, 0, 2, new int[] {1, 1}), "does not fit");
        }
    }
}
