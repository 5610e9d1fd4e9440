package dev.recur.app.run;

/**
 * A 64-bit FNV-1a hash of a run's training data, stored in its checkpoints ({@code
 * recur.data.fingerprint}) so that {@code --resume} can tell the same data from other data.
 */
public final class Fingerprint {
    private long h = 0xcbf29ce484222325L;

    /** Adds an int. */
    public Fingerprint add(int v) {
        for (int i = 0; i < 4; i++) {
            h ^= (v >>> (8 * i)) & 0xff;
            h *= 0x100000001b3L;
        }
        return this;
    }

    /** Adds every int of {@code a}, and its length. */
    public Fingerprint add(int[] a) {
        add(a.length);
        for (int v : a) add(v);
        return this;
    }

    /** Adds a string (its UTF-16 units and length). */
    public Fingerprint add(String s) {
        add(s.length());
        for (int i = 0; i < s.length(); i++) add(s.charAt(i));
        return this;
    }

    /** The hash as 16 hex digits. */
    public String hex() { return String.format("%016x", h); }
}
