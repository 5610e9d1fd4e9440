package dev.recur.app.lm;

import dev.recur.app.AppException;
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
        if (!Files.exists(file)) {
            throw new AppException(file + ": no such file; give a UTF-8 text file with --data");
        }
        if (Files.isDirectory(file)) {
            throw new AppException(file + ": is a folder; give a UTF-8 text file with --data");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new AppException(file + ": no such file; give a UTF-8 text file with --data");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        return fromText(file.toString(), decodeStrict(file.toString(), bytes), validationFraction);
    }

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

    /** Decodes UTF-8, reporting the line and byte offset of the first malformed sequence. */
    public static String decodeStrict(String name, byte[] bytes) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        var result = dec.decode(in, out, true);
        if (result.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
            throw new AppException(name + ":" + line + ": bytes at offset " + at
                    + " are not valid UTF-8; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)");
        }
        dec.flush(out);
        out.flip();
        String s = out.toString();
        if (!s.isEmpty() && s.charAt(0) == '\uFEFF') s = s.substring(1); // byte-order mark
        return s;
    }

    /** Number of characters in both parts. */
    public int length() { return train.length + validation.length; }

}
