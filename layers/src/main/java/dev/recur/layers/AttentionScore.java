package dev.recur.layers;

/**
 * How {@link Attention} scores a decoder query {@code q} against an encoder state {@code k}.
 * The weights are {@code softmax} of the scores over a sentence's valid source positions.
 */
public enum AttentionScore {
    /** Luong dot: {@code e = q·k} (query and key widths equal); no parameters. */
    DOT,
    /** Luong general: {@code e = q·(W k)}, W is {@code queryDim × keyDim} ({@code <name>.key.weight}). */
    GENERAL,
    /**
     * Bahdanau additive: {@code e = v·tanh(W_q q + U_k k + b)} ({@code <name>.query.weight},
     * {@code <name>.key.weight}, {@code <name>.key.bias}, {@code <name>.v.weight}).
     */
    ADDITIVE
}
