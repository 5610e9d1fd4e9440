package dev.recur.app.translate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NumberTaskTest {
    @Test
    void spellsNumbersInBritishStyle() {
        assertEquals("zero", NumberTask.spell(0));
        assertEquals("twelve", NumberTask.spell(12));
        assertEquals("forty two", NumberTask.spell(42));
        assertEquals("one hundred and five", NumberTask.spell(105));
        assertEquals("two thousand and seven", NumberTask.spell(2007));
        assertEquals("four thousand and twelve", NumberTask.spell(4012));
        assertEquals("one thousand one hundred", NumberTask.spell(1100));
        assertEquals("nine hundred and ninety nine thousand nine hundred and ninety nine", NumberTask.spell(999_999));
        assertEquals("4 0 1 2", NumberTask.digits(4012));
        assertThrows(IllegalArgumentException.class, () -> NumberTask.spell(1_000_000));
    }

    @Test
    void theSpellingIsOneToOne() {
        Map<String, Integer> seen = new HashMap<>();
        for (int n = 0; n < NumberTask.LIMIT; n += 7) {
            Integer before = seen.put(NumberTask.spell(n), n);
            assertNull(before, "two numbers spelled alike: " + before + " and " + n);
        }
    }

    @Test
    void pairsAreDeterministicFromTheSeedAndTokenizeCleanly() {
        NumberTask.Sentences a = NumberTask.generate(200, 5), b = NumberTask.generate(200, 5);
        assertEquals(a, b);
        assertNotEquals(a, NumberTask.generate(200, 6));
        ParallelCorpus c = ParallelCorpus.of(a.source(), a.target(), new TranslationTokenizer(true), 20);
        assertEquals(200, c.pairs().size());
        for (SentencePair p : c.pairs()) {
            assertEquals(NumberTask.spell(Integer.parseInt(String.join("", p.target()))), String.join(" ", p.source()));
        }
        TranslationVocabulary tv = TranslationVocabulary.build(c.pairs().stream().map(SentencePair::target).toList(), 1);
        assertEquals(14, tv.size(), "four specials and ten digits");
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                List.of(tv.serialize().split("\n")).subList(4, 14).stream().sorted().toList());
    }

    @Test
    void everyDigitCountIsAboutEquallyCommon() {
        int[] byDigits = new int[7];
        for (String t : NumberTask.generate(6000, 9).target()) byDigits[t.split(" ").length]++;
        for (int d = 1; d <= 6; d++) assertTrue(byDigits[d] > 850 && byDigits[d] < 1150, d + " digits: " + byDigits[d]);
    }
}
