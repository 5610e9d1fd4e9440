package dev.recur.layers.model;

import dev.recur.layers.Dropout;
import dev.recur.layers.RecurrentStack;
import java.util.Map;

/** The metadata keys of the dropout streams' positions, shared by every model (so checkpoints agree). */
final class RngKeys {
    static final String EMBEDDING_DROPOUT = "recur.rng.embedding_dropout";
    static final String RECURRENT_DROPOUT = "recur.rng.recurrent_dropout";
    static final String HEAD_DROPOUT = "recur.rng.head_dropout";

    private RngKeys() {}

    /** Restores the streams whose keys are present; {@code head} may be null. */
    static void restore(Map<String, String> state, Dropout input, RecurrentStack rnn, Dropout head) {
        String v = state.get(EMBEDDING_DROPOUT);
        if (v != null) input.setCalls(parse(EMBEDDING_DROPOUT, v));
        v = state.get(RECURRENT_DROPOUT);
        if (v != null) rnn.setDropoutCalls(parse(RECURRENT_DROPOUT, v));
        v = state.get(HEAD_DROPOUT);
        if (v != null && head != null) head.setCalls(parse(HEAD_DROPOUT, v));
    }

    private static long parse(String key, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata " + key + " is not an integer: " + v);
        }
    }
}
