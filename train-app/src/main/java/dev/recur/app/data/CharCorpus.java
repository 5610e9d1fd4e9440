package dev.recur.app.data;

import dev.recur.app.core.AppException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A UTF-8 text as character ids, split into a training part and a validation part taken from the
 * end of the file (the last {@code validationFraction} of its characters), as char-rnn does.
 * The vocabulary is built from the whole text so validation never meets an unknown character.
 *
 * @param name       where the text came from (file name), for messages
 * @param vocabulary the characters of the text
 * @param train      ids of the first part
 * @param validation ids of the last part
 */
public record CharCorpus(String name, CharVocabulary vocabulary, int[] train, int[] validation) {

    /**
     * Reads a UTF-8 file. Bytes that are not UTF-8 are rejected with the line they are on: a
     * language model trained on replacement characters would learn them.
     */
    public static CharCorpus read(Path file, double validationFraction) {
        return fromText(file.toString(), Utf8.decode(TextFiles.read(file, MAX_BYTES, "--data"), file.toString()),
                validationFraction);
    }

    /** Largest text read (1 GiB; the ids take four times as much memory). */
    public static final long MAX_BYTES = 1L << 30;

    /** Splits an in-memory text. */
    public static CharCorpus fromText(String name, String text, double validationFraction) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw AppException.usage("--validation-split must be between 0 and 1 (exclusive), got "
                    + validationFraction);
        }
        if (text.isEmpty()) {
            throw new AppException(name + ": the file is empty; a language model needs text to learn from");
        }
        CharVocabulary vocab = CharVocabulary.of(text);
        int[] ids = vocab.encode(text);
        int nVal = (int) Math.round(ids.length * validationFraction);
        int nTrain = ids.length - nVal;
        if (nVal < 2 || nTrain < 2) {
            throw new AppException(name + ": " + ids.length + " characters are too few to split "
                    + (int) Math.round(validationFraction * 100) + " % off for validation; give a longer text");
        }
        int[] train = java.util.Arrays.copyOfRange(ids, 0, nTrain);
        int[] val = java.util.Arrays.copyOfRange(ids, nTrain, ids.length);
        return new CharCorpus(name, vocab, train, val);
    }

    /** Number of characters in both parts. */
    public int length() { return train.length + validation.length; }

}
