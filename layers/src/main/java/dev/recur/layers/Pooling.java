package dev.recur.layers;

import java.util.Locale;

/** How a sequence of recurrent outputs becomes one vector per sequence. */
public enum Pooling {
    /**
     * The output at the last valid step {@code t = len−1}. For a bidirectional layer (outputs
     * {@code [forward H | backward H]}) the forward half is taken at {@code len−1} and the backward
     * half at {@code t = 0}, i.e. each direction's final hidden state — what PyTorch users get by
     * concatenating {@code h_n[-2]} and {@code h_n[-1]}.
     */
    LAST,
    /** The mean of the outputs over the valid steps {@code t < len}. */
    MEAN,
    /** The element-wise maximum over the valid steps (gradient goes to the arg-max step; ties: the earliest). */
    MAX;

    /** Parses {@code last}, {@code mean} or {@code max} (any case). */
    public static Pooling parse(String s) {
        for (Pooling p : values()) if (p.name().equalsIgnoreCase(s.trim())) return p;
        throw new IllegalArgumentException("unknown pooling '" + s + "': use last, mean or max");
    }

    /** Lower-case name, as on the command line. */
    public String id() { return name().toLowerCase(Locale.ROOT); }
}
