package dev.recur.app.lm;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.app.core.AppException;
import org.junit.jupiter.api.Test;

class TbpttBatcherTest {
    @Test
    void windowsContinueEachStreamWhereThePreviousOneStopped() {
        int[] data = new int[23];
        for (int i = 0; i < data.length; i++) data[i] = i;
        TbpttBatcher b = new TbpttBatcher(data, 2, 4); // streams 0..10 and 11..21, 22 dropped
        assertEquals(11, b.streamLength());
        assertEquals(3, b.windows()); // 10 targets per stream: 4 + 4 + 2
        assertEquals(20, b.targetsPerPass());
        int[] in = new int[8], tg = new int[8];
        assertEquals(4, b.fill(0, in, tg));
        assertArrayEquals(new int[] {0, 11, 1, 12, 2, 13, 3, 14}, in); // time-major [t][b]
        assertArrayEquals(new int[] {1, 12, 2, 13, 3, 14, 4, 15}, tg);
        assertEquals(4, b.fill(1, in, tg));
        assertEquals(4, in[0]);
        assertEquals(15, in[1]);
        assertEquals(2, b.fill(2, in, tg));
        assertArrayEquals(new int[] {8, 19, 9, 20}, java.util.Arrays.copyOf(in, 4));
        assertArrayEquals(new int[] {9, 20, 10, 21}, java.util.Arrays.copyOf(tg, 4));
    }

    @Test
    void everyTargetIsTheNextCharacterAndEachIsSeenOnce() {
        int[] data = new int[101];
        for (int i = 0; i < data.length; i++) data[i] = i;
        TbpttBatcher b = new TbpttBatcher(data, 3, 7);
        int[] in = new int[21], tg = new int[21];
        boolean[] seen = new boolean[101];
        int count = 0;
        for (int w = 0; w < b.windows(); w++) {
            int t = b.fill(w, in, tg);
            for (int i = 0; i < t * 3; i++) {
                assertEquals(in[i] + 1, tg[i]);
                assertFalse(seen[tg[i]]);
                seen[tg[i]] = true;
                count++;
            }
        }
        assertEquals(b.targetsPerPass(), count);
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(AppException.class, () -> new TbpttBatcher(new int[10], 0, 4));
        assertThrows(AppException.class, () -> new TbpttBatcher(new int[10], 2, 0));
        assertThrows(AppException.class, () -> new TbpttBatcher(new int[10], 6, 4));
    }
}
