package dev.recur.app.tag;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Cases counted by hand, the way conlleval counts them. */
class ChunkScoreTest {
    private static List<String> tags(String s) { return List.of(s.split(" ")); }

    @Test
    void perfectGuessScoresOne() {
        ChunkScore s = new ChunkScore();
        s.add(tags("B-NP I-NP O B-VP"), tags("B-NP I-NP O B-VP"));
        assertEquals(2, s.goldChunks());
        assertEquals(2, s.correctChunks());
        assertEquals(1.0, s.f1());
        assertEquals(1.0, s.accuracy());
    }

    @Test
    void splitChunkAndTypeChangeAreCountedLikeConlleval() {
        // gold: NP[0,1] VP[2,3] PP[5] NP[6]                       = 4 chunks
        // guess: NP[0] NP[1] VP[2,3] PP[5] NP[6] (I-NP after B-PP starts a chunk) = 5 chunks
        // correct: VP[2,3], PP[5], NP[6] = 3   → P 3/5, R 3/4, F1 2/3
        ChunkScore s = new ChunkScore();
        s.add(tags("B-NP I-NP B-VP I-VP O B-PP B-NP"), tags("B-NP B-NP B-VP I-VP O B-PP I-NP"));
        assertEquals(4, s.goldChunks());
        assertEquals(5, s.guessedChunks());
        assertEquals(3, s.correctChunks());
        assertEquals(0.6, s.precision(), 1e-12);
        assertEquals(0.75, s.recall(), 1e-12);
        assertEquals(2.0 / 3.0, s.f1(), 1e-12);
        assertEquals(5.0 / 7.0, s.accuracy(), 1e-12); // tokens 1 and 6 differ
        assertArrayEquals(new long[] {1, 2, 3}, s.perType().get("NP")); // correct, gold, guessed
    }

    @Test
    void anIWithoutBStartsAChunkThatMatchesTheSameSpanWithB() {
        ChunkScore s = new ChunkScore();
        s.add(tags("O I-NP I-NP O"), tags("O B-NP I-NP O"));
        assertEquals(1, s.goldChunks());
        assertEquals(1, s.guessedChunks());
        assertEquals(1, s.correctChunks());
        assertEquals(0.75, s.accuracy(), 1e-12); // the tag differs at position 1 even though the chunk is right
    }

    @Test
    void wrongEndOrWrongTypeIsNotCorrect() {
        ChunkScore s = new ChunkScore();
        s.add(tags("B-NP I-NP I-NP"), tags("B-NP I-NP O")); // ends early
        s.add(tags("B-NP I-NP"), tags("B-VP I-VP"));       // right span, wrong type
        s.add(tags("B-NP O"), tags("B-NP I-NP"));           // ends late
        assertEquals(3, s.goldChunks());
        assertEquals(3, s.guessedChunks());
        assertEquals(0, s.correctChunks());
        assertEquals(0.0, s.f1());
    }

    @Test
    void sentenceBoundariesCloseChunks() {
        ChunkScore s = new ChunkScore();
        s.add(tags("B-NP I-NP"), tags("B-NP I-NP"));
        s.add(tags("I-NP B-VP"), tags("I-NP B-VP")); // the I-NP opens a new chunk in the new sentence
        assertEquals(3, s.goldChunks());
        assertEquals(3, s.correctChunks());
    }

    @Test
    void nothingGuessedGivesZeroNotNaN() {
        ChunkScore s = new ChunkScore();
        s.add(tags("B-NP I-NP O"), tags("O O O"));
        assertEquals(0, s.precision());
        assertEquals(0, s.recall());
        assertEquals(0, s.f1());
        assertTrue(s.summary().contains("FB1:   0.00"), s.summary());
    }

    @Test
    void rejectsMismatchedLengths() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkScore().add(tags("O O"), tags("O")));
    }
}
