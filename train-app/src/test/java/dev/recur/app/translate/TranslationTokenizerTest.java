package dev.recur.app.translate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class TranslationTokenizerTest {
    final TranslationTokenizer lower = new TranslationTokenizer(true), cased = new TranslationTokenizer(false);

    @Test
    void splitsPunctuationAndKeepsWordsWhole() {
        assertEquals(List.of("two", "young", ",", "white", "males", "are", "outside", "near", "many", "bushes", "."),
                lower.tokenize("Two young, White males are outside near many bushes."));
        assertEquals(List.of("Zwei", "junge", "weiße", "Männer", "sind", "im", "Freien", "."),
                cased.tokenize("Zwei junge weiße Männer sind im Freien."));
        assertEquals(List.of("männer", "über", "öl"), lower.tokenize("MÄNNER Über Öl"));
    }

    @Test
    void apostrophesHyphensAndNumbersInsideWordsStay() {
        assertEquals(List.of("a", "man", "'", "s", "t-shirt", ",", "don't", "2-year-old"),
                lower.tokenize("A man 's t-shirt, don't 2-year-old"));
        assertEquals(List.of("3.5", "1,000", "end", ".", "-", "x", "-"), lower.tokenize("3.5 1,000 end. - x -"));
        assertEquals(List.of("it", "’", "s", "he’s"), lower.tokenize("it ’s he’s"), "an apostrophe needs a letter on both sides");
        assertEquals(List.of("\"", "hi", "!", "\""), lower.tokenize("\"Hi!\""));
    }

    @Test
    void whitespaceOfAnyKindOnlySeparates() {
        assertEquals(List.of("in", "einer", "wasserfontäne", "."), lower.tokenize("in einer \tWasserfontäne. \u00a0"));
        assertEquals(List.of(), lower.tokenize("   \t "));
        for (String t : lower.tokenize("Ein Mann\u2003in „Jeans“ springt – hoch!")) {
            assertFalse(t.isBlank() || t.chars().anyMatch(Character::isWhitespace), "token '" + t + "'");
        }
    }

    @Test
    void specialWordsCannotBeForged() {
        assertEquals(List.of("<", "pad", ">", "<", "eos", ">"), lower.tokenize("<pad><eos>"));
    }

    @Test
    void placeholdersHaveNoWord() {
        assertFalse(TranslationTokenizer.hasWord(lower.tokenize("@@")));
        assertFalse(TranslationTokenizer.hasWord(lower.tokenize("")));
        assertTrue(TranslationTokenizer.hasWord(lower.tokenize("@@ 1")));
    }

    @Test
    void detokenizingUndoesThePunctuationSplitOfOrdinarySentences() {
        for (String s : List.of("Two young, White males are outside near many bushes.",
                "A man says \"hello!\" to (two) dogs; they don't care.", "It costs 3.5 dollars, 100% sure?",
                "Zwei Männer: einer spielt Gitarre.")) {
            assertEquals(s, TranslationTokenizer.detokenize(cased.tokenize(s)), s);
        }
        assertEquals("", TranslationTokenizer.detokenize(List.of()));
        assertEquals("a dog.. runs", TranslationTokenizer.detokenize(List.of("a", "dog", ".", ".", "runs")));
    }
}
