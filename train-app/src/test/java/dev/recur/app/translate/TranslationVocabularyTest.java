package dev.recur.app.translate;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.app.core.AppException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranslationVocabularyTest {
    static final List<List<String>> SENTENCES = List.of(
            List.of("a", "dog", "runs", "."), List.of("a", "cat", "sits", "."), List.of("a", "dog", "sits"));

    @Test
    void specialsFirstThenTokensByFrequencyAboveTheMinimum() {
        TranslationVocabulary v = TranslationVocabulary.build(SENTENCES, 2);
        // a ×3; . dog sits ×2 (ties in code-point order); cat runs ×1 are below the minimum
        assertEquals("<pad>\n<unk>\n<bos>\n<eos>\na\n.\ndog\nsits", v.serialize());
        assertEquals(TranslationVocabulary.PAD, 0);
        assertEquals(3, v.id("<eos>"));
        assertEquals(TranslationVocabulary.UNK, v.id("cat"));
        assertArrayEquals(new int[] {4, 6, 1, 5}, v.ids(List.of("a", "dog", "runs", ".")));
        assertEquals(10, TranslationVocabulary.build(SENTENCES, 1).size());
        assertThrows(IllegalArgumentException.class, () -> TranslationVocabulary.build(SENTENCES, 0));
    }

    @Test
    void roundTripsAndRefusesDamage() {
        TranslationVocabulary v = TranslationVocabulary.build(SENTENCES, 1);
        TranslationVocabulary back = TranslationVocabulary.deserialize(v.serialize(), "model.safetensors");
        assertEquals(v.serialize(), back.serialize());
        assertEquals(v.id("runs"), back.id("runs"));
        AppException e = assertThrows(AppException.class, () -> TranslationVocabulary.deserialize("<pad>\n<unk>\na", "m"));
        assertTrue(e.getMessage().startsWith("m: the stored vocabulary is damaged"), e.getMessage());
        assertThrows(AppException.class, () -> TranslationVocabulary.deserialize("<pad>\n<unk>\n<bos>\n<eos>\na\na", "m"));
    }
}
