package dev.recur.layers.rnn;

import java.lang.foreign.MemorySegment;

/**
 * The stack's state matrices, {@code (L·D·maxB) × H} each, row {@code (l·D + d)·B + b}: the final
 * states of the last forward and the gradients w.r.t. the initial states of the last backward. Each
 * direction writes only its own rows.
 */
final class StateBuffers {
    final MemorySegment hN, cN, dh0, dc0;

    StateBuffers(MemorySegment hN, MemorySegment cN, MemorySegment dh0, MemorySegment dc0) {
        this.hN = hN;
        this.cN = cN;
        this.dh0 = dh0;
        this.dc0 = dc0;
    }
}
