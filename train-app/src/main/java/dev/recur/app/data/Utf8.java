package dev.recur.app.data;

import dev.recur.app.core.AppException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one UTF-8 decoder of the app: strict (a byte sequence that is not UTF-8 is an error naming
 * where it is, never a silent replacement character, which a model would learn), with a leading
 * byte-order mark dropped.
 */
public final class Utf8 {
    private Utf8() {}

    /** Decodes all of {@code bytes}; {@code where} names the source in the error. */
    public static String decode(byte[] bytes, String where) {
        return decode(bytes, 0, bytes.length, where);
    }

    /**
     * Decodes {@code bytes[from, to)}. On a bad byte, throws an {@link AppException} such as
     * "'reviews.txt' line 1 has bytes that are not UTF-8 at byte offset 3 (0xE9)", with what to do.
     */
    public static String decode(byte[] bytes, int from, int to, String where) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from);
        CoderResult r = dec.decode(in, out, true);
        if (r.isUnderflow()) r = dec.flush(out);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = from; i < at; i++) if (bytes[i] == '\n') line++;
            throw new AppException(String.format("'%s' line %d has bytes that are not UTF-8 at byte offset %d (0x%02X). "
                    + "Recur reads text as UTF-8 and rejects other encodings rather than guess; convert it to UTF-8 "
                    + "(for example: iconv -f latin1 -t utf-8).", where, line, at - from, bytes[at] & 0xff));
        }
        out.flip();
        String s = out.toString();
        return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }
}
