package dev.recur.app.forecast;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SplitTest {

    /** Dataset_ETT_hour's __init__ and __len__, written out as the reference has them. */
    private static int[] referenceEttHourWindows(int seqLen, int predLen) {
        int[] border1s = {0, 12 * 30 * 24 - seqLen, 12 * 30 * 24 + 4 * 30 * 24 - seqLen};
        int[] border2s = {12 * 30 * 24, 12 * 30 * 24 + 4 * 30 * 24, 12 * 30 * 24 + 8 * 30 * 24};
        int[] n = new int[3];
        for (int p = 0; p < 3; p++) n[p] = (border2s[p] - border1s[p]) - seqLen - predLen + 1; // len(data_x) − seq_len − pred_len + 1
        return n;
    }

    @Test
    void ettHourlyBordersAndWindowCountsAreTheReferences() {
        Split s = Split.of(Split.Rule.ETT_HOUR, 17_420, 96, 96);
        assertArrayEquals(new int[] {0, 8544, 11424}, s.starts());
        assertArrayEquals(new int[] {8640, 11520, 14400}, s.ends());
        assertEquals(8640, s.trainRows());
        assertArrayEquals(new int[] {8449, 2785, 2785}, new int[] {s.windows(0), s.windows(1), s.windows(2)}, "published counts for ETTh1, L=H=96");
        for (int h : new int[] {96, 192, 336, 720}) {
            Split sh = Split.of(Split.Rule.ETT_HOUR, 17_420, 96, h);
            assertArrayEquals(referenceEttHourWindows(96, h), new int[] {sh.windows(0), sh.windows(1), sh.windows(2)}, "H=" + h);
            assertEquals(8545 - h, sh.windows(Split.TRAIN));
            assertEquals(2881 - h, sh.windows(Split.TEST));
        }
        Split minute = Split.of(Split.Rule.ETT_MINUTE, 69_680, 96, 96);
        assertArrayEquals(new int[] {34560, 46080, 57600}, minute.ends());
        assertEquals(34_465 - 96, minute.windows(Split.TRAIN));
        assertEquals(11_521 - 96, minute.windows(Split.VALIDATION));
    }

    @Test
    void ratioSplitIsDatasetCustomWithPythonsRounding() {
        Split s = Split.of(Split.Rule.RATIO, 1000, 96, 24);
        // num_train = int(700.0), num_test = int(200.0), num_vali = 100
        assertArrayEquals(new int[] {0, 700 - 96, 1000 - 200 - 96}, s.starts());
        assertArrayEquals(new int[] {700, 800, 1000}, s.ends());
        assertArrayEquals(new int[] {581, 77, 177}, new int[] {s.windows(0), s.windows(1), s.windows(2)});
        // 90 × 0.7 = 62.99999999999999 in IEEE doubles, so Python's int() gives 62, not 63
        Split small = Split.of(Split.Rule.RATIO, 90, 4, 2);
        assertEquals(62, small.end(Split.TRAIN));
        assertEquals(90 - 18, small.end(Split.VALIDATION));
    }

    @Test
    void tooFewRowsSayHowManyAreNeeded() {
        int needed = Split.minimumRows(Split.Rule.RATIO, 96, 96);
        Split.of(Split.Rule.RATIO, needed, 96, 96);
        String m = SeriesCsvTest.error(() -> Split.of(Split.Rule.RATIO, needed - 1, 96, 96));
        assertEquals(String.format(java.util.Locale.ROOT,
                "the 70/10/20 %% split with look-back 96 and horizon 96 needs at least %,d rows (one window in each part), the data has %,d", needed, needed - 1), m);
        // the validation part (n − int(0.7n) − int(0.2n)) must hold H = 96 targets: 944 → 660/96/188
        assertEquals(944, needed);
        m = SeriesCsvTest.error(() -> Split.of(Split.Rule.ETT_HOUR, 9000, 96, 96));
        assertTrue(m.contains("needs at least 14,400 rows"), m);
        m = SeriesCsvTest.error(() -> Split.of(Split.Rule.ETT_HOUR, 17_420, 96, 2881));
        assertTrue(m.contains("cannot hold look-back 96 and horizon 2881") && m.contains("lower --lookback or --horizon"), m);
    }

    @Test
    void ruleFollowsTheFileNameAsTheReferenceLoadersDo() {
        assertEquals(Split.Rule.ETT_HOUR, Split.Rule.forFile("ETTh1.csv"));
        assertEquals(Split.Rule.ETT_MINUTE, Split.Rule.forFile("ETTm2.csv"));
        assertEquals(Split.Rule.RATIO, Split.Rule.forFile("weather.csv"));
    }
}
