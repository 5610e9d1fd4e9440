package dev.recur.app.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.core.AppException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connected-digit generation: reproducible, 1–7 digits with 100–300 ms gaps, every digit's
 * recording copied intact where the utterance says, test strings from test takes only,
 * leave-one-speaker-out keeping the speaker on one side; the digit error rate's edit distance.
 */
class ConnectedDigitsTest {

    /** Recording of digit d, speaker s, take k: a constant level (d + 1)/20 marking where it came from, 800–1600 samples long. */
    static ConnectedDigits pool() {
        List<ConnectedDigits.Recording> rs = new ArrayList<>();
        for (String s : List.of("anna", "bert", "cleo")) {
            for (int d = 0; d < 10; d++) {
                for (int k = 0; k < 10; k++) {
                    float[] x = new float[800 + 80 * k];
                    Arrays.fill(x, (d + 1) / 20f + (k < ConnectedDigits.TEST_TAKES ? 0.5f : 0f));
                    rs.add(new ConnectedDigits.Recording(d, s, k, x));
                }
            }
        }
        return ConnectedDigits.of(rs);
    }

    @Test
    void utterancesAreReproducibleAndHoldTheirDigitsIntact() {
        ConnectedDigits data = pool();
        List<ConnectedDigits.Recording> train = data.officialSplit(false);
        Set<Integer> counts = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            ConnectedDigits.Utterance u = ConnectedDigits.generate(train, 7, i, 0f);
            assertArrayEquals(u.samples(), ConnectedDigits.generate(train, 7, i, 0f).samples(), "same seed and index, same samples");
            int n = u.digits().length;
            assertTrue(n >= 1 && n <= ConnectedDigits.MAX_DIGITS, "digits " + n);
            counts.add(n);
            int previousEnd = 0;
            for (int j = 0; j < n; j++) {
                int gap = u.starts()[j] - previousEnd;
                assertTrue(gap >= 800 && gap <= 2400, "gap of " + gap + " samples (100–300 ms)");
                for (int s = u.starts()[j]; s < u.ends()[j]; s++) {
                    assertEquals((u.digits()[j] + 1) / 20f, u.samples()[s], "digit " + j + " is its recording, a training take");
                }
                for (int s = previousEnd; s < u.starts()[j]; s++) assertEquals(0f, u.samples()[s], "silence in the gap");
                previousEnd = u.ends()[j];
            }
            int tail = u.samples().length - previousEnd;
            assertTrue(tail >= 800 && tail <= 2400);
        }
        assertEquals(7, counts.size(), "every length 1–7 occurs");
        assertTrue(!Arrays.equals(ConnectedDigits.generate(train, 7, 0, 0f).samples(), ConnectedDigits.generate(train, 8, 0, 0f).samples()));
        float[] noisy = ConnectedDigits.generate(train, 7, 3, 0.01f).samples();
        float[] clean = ConnectedDigits.generate(train, 7, 3, 0f).samples();
        double diff = 0;
        for (int i = 0; i < clean.length; i++) diff += Math.abs(noisy[i] - clean[i]);
        assertEquals(0.008, diff / clean.length, 0.002, "mean |noise| ≈ 0.01·√(2/π)");
    }

    @Test
    void splitsKeepTestTakesAndSpeakersApart() {
        ConnectedDigits data = pool();
        for (ConnectedDigits.Recording r : data.officialSplit(true)) assertTrue(r.take() < 5);
        for (ConnectedDigits.Recording r : data.officialSplit(false)) assertTrue(r.take() >= 5);
        assertEquals(300, data.officialSplit(true).size() + data.officialSplit(false).size());
        for (int i = 0; i < 50; i++) {
            for (float v : ConnectedDigits.generate(data.officialSplit(true), 1, i, 0f).samples()) assertTrue(v == 0f || v > 0.5f, "test takes only");
        }
        assertTrue(data.speakerSplit("bert", true).stream().allMatch(r -> r.speaker().equals("bert")));
        assertTrue(data.speakerSplit("bert", false).stream().noneMatch(r -> r.speaker().equals("bert")));
        assertEquals(List.of("anna", "bert", "cleo"), data.speakers());
        assertThrows(AppException.class, () -> data.speakerSplit("zed", true));
    }

    @Test
    void emptyOrMissingFoldersAreRefusedClearly(@TempDir Path dir) throws Exception {
        AppException e = assertThrows(AppException.class, () -> ConnectedDigits.load(dir));
        assertTrue(e.getMessage().contains("no FSDD recordings"), e.getMessage());
        Files.writeString(dir.resolve("3_anna_0.wav"), "not a wav");
        e = assertThrows(AppException.class, () -> ConnectedDigits.load(dir));
        assertTrue(e.getMessage().contains("3_anna_0.wav"), e.getMessage());
        assertThrows(AppException.class, () -> ConnectedDigits.load(dir.resolve("nope")));
    }

    @Test
    void digitErrorRateIsTheEditDistancePerReferenceDigit() {
        assertEquals(0, DigitErrorRate.editDistance(new int[] {1, 2, 3}, new int[] {1, 2, 3}));
        assertEquals(1, DigitErrorRate.editDistance(new int[] {1, 3}, new int[] {1, 2, 3}), "a deletion");
        assertEquals(1, DigitErrorRate.editDistance(new int[] {1, 2, 2, 3}, new int[] {1, 2, 3}), "an insertion");
        assertEquals(1, DigitErrorRate.editDistance(new int[] {1, 5, 3}, new int[] {1, 2, 3}), "a substitution");
        assertEquals(3, DigitErrorRate.editDistance(new int[] {}, new int[] {4, 4, 4}));
        assertEquals(2, DigitErrorRate.editDistance(new int[] {2, 1}, new int[] {1, 2}));
        DigitErrorRate der = new DigitErrorRate();
        der.add(new int[] {1, 2, 3}, new int[] {1, 2, 3});
        der.add(new int[] {7}, new int[] {7, 7});
        assertEquals(1.0 / 5, der.rate(), 1e-12);
        assertEquals(0.5, der.stringAccuracy(), 1e-12);
        assertArrayEquals(new int[] {4, 0, 7}, ConnectedDigits.parseDigits("407"));
        assertThrows(AppException.class, () -> ConnectedDigits.parseDigits("4a"));
    }
}
