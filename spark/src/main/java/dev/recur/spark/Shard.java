package dev.recur.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One partition's examples, held as one object so that a cached partition is read without a pass
 * over rows: token ids and labels by the examples' global indices (ascending), the indices the
 * driver's batch plans name.
 *
 * @param index     global example index of each row, ascending
 * @param sequences token ids of each row (1 to max-len ids)
 * @param labels    0 or 1 per row
 */
public record Shard(int[] index, int[][] sequences, int[] labels) implements Serializable {

    /** The row holding global example {@code globalIndex}, or −1 when another partition holds it. */
    public int row(int globalIndex) {
        int r = Arrays.binarySearch(index, globalIndex);
        return r >= 0 ? r : -1;
    }

    /** Rows of this shard among {@code members} (global indices), in the members' order. */
    public int[] rows(int[] members) {
        int n = 0;
        int[] out = new int[members.length];
        for (int m : members) {
            int r = row(m);
            if (r >= 0) out[n++] = r;
        }
        return Arrays.copyOf(out, n);
    }

    /** Length of every row. */
    public int[] lengths() {
        int[] l = new int[sequences.length];
        for (int i = 0; i < l.length; i++) l[i] = sequences[i].length;
        return l;
    }

    public int size() { return index.length; }
}
