package dev.recur.layers.rnn;

/** How a bidirectional layer combines its two directions' hidden states at each step. */
public enum DirectionMerge {
    /** {@code [h_fwd, h_bwd]}, 2H wide: what PyTorch's {@code bidirectional=True} outputs. */
    CONCAT,
    /** {@code h_fwd + h_bwd}, H wide. */
    SUM
}
