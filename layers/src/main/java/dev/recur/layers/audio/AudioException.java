package dev.recur.layers.audio;

/**
 * Audio that cannot be used: not a WAV file, a truncated header or data chunk, an unsupported
 * encoding or rate, silence only, or a file over the length limit. The message is one line that
 * names the file (and the byte offset where it applies) and says what to do.
 */
public final class AudioException extends RuntimeException {
    public AudioException(String message) { super(message); }
}
