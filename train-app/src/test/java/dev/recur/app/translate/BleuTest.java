package dev.recur.app.translate;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Corpus BLEU on hand-computed cases, and against sacreBLEU's scores of the same tokenized
 * corpora ({@code src/test/python/sacrebleu_fixtures.py} wrote them with
 * {@code corpus_bleu(tokenize='none', force=True)}).
 */
class BleuTest {
    static List<String> t(String s) { return s.isEmpty() ? List.of() : Arrays.asList(s.split(" ")); }

    static double bleu(String[] hyps, String[] refs) {
        return Bleu.corpus(Arrays.stream(hyps).map(BleuTest::t).toList(), Arrays.stream(refs).map(BleuTest::t).toList());
    }

    @Test
    void identicalTextScores100() {
        assertEquals(100, bleu(new String[] {"a man in a red shirt ."}, new String[] {"a man in a red shirt ."}), 1e-12);
    }

    @Test
    void brevityPenaltyUsesCorpusLengths() {
        // every n-gram of the hypothesis matches; c = 5, r = 8: BP = exp(1 − 8/5)
        assertEquals(100 * Math.exp(1 - 8.0 / 5), bleu(new String[] {"a b c d e"}, new String[] {"a b c d e f g h"}), 1e-12);
        // a longer hypothesis has no penalty: p = 5/6, 4/5, 3/4, 2/3
        assertEquals(100 * Math.pow(5.0 / 6 * 4 / 5 * 3 / 4 * 2 / 3, 0.25), bleu(new String[] {"a b c d e x"}, new String[] {"a b c d e"}), 1e-12);
    }

    @Test
    void statisticsAreSummedOverTheCorpusNotAveraged() {
        // sentence 1 matches fully (4,3,2,1 of 4,3,2,1); sentence 2 "p q r s" vs "p q t s": 3/4, 1/3, 0/2, 0/1
        Bleu b = new Bleu();
        b.add(t("w x y z"), t("w x y z"));
        b.add(t("p q r s"), t("p q t s"));
        assertEquals(7, b.matches(1));
        assertEquals(4, b.matches(2));
        assertEquals(2, b.matches(3));
        assertEquals(1, b.matches(4));
        assertEquals(8, b.totals(1));
        assertEquals(2, b.totals(4));
        assertEquals(100 * Math.pow(7.0 / 8 * 4 / 6 * 2 / 4 * 1 / 2, 0.25), b.score(), 1e-12);
    }

    @Test
    void countsAreClippedByTheReference() {
        Bleu b = new Bleu();
        b.add(t("a a b"), t("a b b"));
        assertEquals(2, b.matches(1), "a once and b once");
        // Papineni's example: "the" ×7 against "the cat is on the mat": p1 = 2/7; no bigram or longer
        // matches, so sacreBLEU's 'exp' smoothing gives 1/(2·6), 1/(4·5), 1/(8·4)
        double expect = 100 * Math.pow(2.0 / 7 / (2 * 6) / (4 * 5) / (8 * 4), 0.25);
        assertEquals(expect, bleu(new String[] {"the the the the the the the"}, new String[] {"the cat is on the mat"}), 1e-12);
    }

    @Test
    void degenerateCorporaScoreZero() {
        assertEquals(0, bleu(new String[] {"x y z w"}, new String[] {"a b c d"}));
        assertEquals(0, bleu(new String[] {"a b", "c"}, new String[] {"a b c", "c d"}), "no 3-grams in any hypothesis");
        assertEquals(0, bleu(new String[] {""}, new String[] {"a b c d"}));
        assertEquals(0, Bleu.corpus(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> Bleu.corpus(List.of(List.of("a")), List.of()));
    }

    @Test
    void agreesWithSacreBleuOnTheSameTokenizedText() throws IOException {
        JsonNode root;
        try (InputStream in = BleuTest.class.getResourceAsStream("/translate/sacrebleu.json")) {
            root = new ObjectMapper().readTree(in);
        }
        int cases = 0;
        double worst = 0;
        for (JsonNode c : root.get("cases")) {
            List<List<String>> hyps = new ArrayList<>(), refs = new ArrayList<>();
            c.get("hypotheses").forEach(h -> hyps.add(t(h.asText())));
            c.get("references").forEach(r -> refs.add(t(r.asText())));
            Bleu b = new Bleu();
            for (int i = 0; i < hyps.size(); i++) b.add(hyps.get(i), refs.get(i));
            for (int n = 1; n <= 4; n++) {
                assertEquals(c.get("counts").get(n - 1).asLong(), b.matches(n), c.get("name").asText() + " matches " + n);
                assertEquals(c.get("totals").get(n - 1).asLong(), b.totals(n), c.get("name").asText() + " totals " + n);
            }
            double diff = Math.abs(c.get("score").asDouble() - b.score());
            worst = Math.max(worst, diff);
            assertTrue(diff < 1e-9, c.get("name").asText() + ": sacreBLEU " + c.get("score").asDouble() + ", Recur " + b.score());
            cases++;
        }
        assertEquals(28, cases);
        assertTrue(worst < 1e-9);
    }
}
