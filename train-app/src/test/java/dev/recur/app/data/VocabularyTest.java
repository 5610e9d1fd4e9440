package dev.recur.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.recur.app.core.AppException;
import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {
    @Test
    void mostFrequentFirstTiesAlphabeticalSpecialIdsFirst() {
        Vocabulary v = Vocabulary.build(List.of(List.of("b", "a", "c", "a"), List.of("c", "a", "d")), 5, 1);
        assertEquals(5, v.size());
        assertEquals("<pad>", v.word(Vocabulary.PAD));
        assertEquals("<unk>", v.word(Vocabulary.UNK));
        assertEquals(List.of("a", "c", "b"), List.of(v.word(2), v.word(3), v.word(4)));
        assertEquals(Vocabulary.UNK, v.id("d"), "cut by size");
        assertEquals(Vocabulary.UNK, v.id("never seen"));
    }

    @Test
    void minCountDropsRareWords() {
        Vocabulary v = Vocabulary.build(List.of(List.of("a", "a", "b")), 100, 2);
        assertEquals(3, v.size());
        assertEquals(2, v.id("a"));
        assertEquals(Vocabulary.UNK, v.id("b"));
    }

    @Test
    void roundTripsThroughItsTextForm() {
        Vocabulary v = Vocabulary.build(List.of(List.of("don't", "x", "y", "x")), 10, 1);
        Vocabulary back = Vocabulary.deserialize(v.serialize(), "test");
        assertEquals(v.size(), back.size());
        for (int i = 0; i < v.size(); i++) assertEquals(v.word(i), back.word(i));
        assertThrows(AppException.class, () -> Vocabulary.deserialize("x\ny", "test"));
        assertThrows(AppException.class, () -> Vocabulary.deserialize("<pad>\n<unk>\na\na", "test"));
    }
}
