package dev.recur.app.tag;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordFeaturesTest {
    @Test
    void shapesSuffixesAndNormalizedWords() {
        assertEquals("XxXxx'x", WordFeatures.shape("McDonald's"));
        assertEquals("d,dd", WordFeatures.shape("1,250"));
        assertEquals("xx-xx", WordFeatures.shape("well-known"));
        assertEquals("ing", WordFeatures.suffix("Running"));
        assertEquals("a", WordFeatures.suffix("A"));
        assertEquals("0,000.00", WordFeatures.normalized("1,250.75"));
        assertEquals("the", WordFeatures.normalized("The"));
    }

    @Test
    void lexiconKeepsFrequentStringsAfterPadAndUnknown() {
        Lexicon l = Lexicon.build(List.of("b", "a", "b", "c", "a", "b"), 2);
        assertEquals(List.of("<pad>", "<unk>", "b", "a"), l.entries());
        assertEquals(Lexicon.UNK, l.id("c"));
        assertEquals(2, l.id("b"));
        assertEquals(l.entries(), Lexicon.of(l.entries()).entries());
        assertThrows(IllegalArgumentException.class, () -> Lexicon.of(List.of("a", "b")));
    }
}
