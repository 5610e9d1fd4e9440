package dev.recur.app.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recur.app.data.TextEncoder.Truncation;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    private final Tokenizer tok = new Tokenizer();

    @Test
    void lowerCasesAndDropsHtmlBreaks() {
        assertEquals(List.of("great", "film", "loved", "it"), tok.tokenize("GREAT film.<br /><br/>Loved<BR>it"));
    }

    @Test
    void keepsApostrophesInsideWordsOnly() {
        assertEquals(List.of("don't", "miss", "the", "90's", "quoted", "it's"),
                tok.tokenize("Don't miss the 90's 'quoted' it\u2019s"));
    }

    @Test
    void exclamationAndQuestionMarksAreTokensOtherPunctuationSeparates() {
        assertEquals(List.of("well", "made", "7", "10", "!", "!", "why", "?"),
                tok.tokenize("Well-made: 7/10!! Why?"));
        assertEquals(List.of(), tok.tokenize("... -- ,;: () \"\""));
    }

    @Test
    void lettersOfAnyScriptAreWords() {
        assertEquals(List.of("amélie", "naïve", "東京"), tok.tokenize("Amélie, naïve; 東京"));
    }

    @Test
    void encoderCutsAtMaxLenKeepingTheChosenEnd() {
        Vocabulary v = Vocabulary.build(List.of(List.of("a", "b", "c", "d", "e")), 10, 1);
        TextEncoder start = new TextEncoder(tok, v, 3, Truncation.START);
        TextEncoder end = new TextEncoder(tok, v, 3, Truncation.END);
        assertArrayEquals(new int[] {v.id("a"), v.id("b"), v.id("c")}, start.encode("a b c d e"));
        assertArrayEquals(new int[] {v.id("c"), v.id("d"), v.id("e")}, end.encode("a b c d e"));
        assertArrayEquals(new int[] {v.id("a"), Vocabulary.UNK}, end.encode("a zzz"));
        assertArrayEquals(new int[] {Vocabulary.UNK}, end.encode("<br /> ... "), "an empty review becomes one unknown token");
    }
}
