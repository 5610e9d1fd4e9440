package dev.recur.app.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Splits a review into lower-case word tokens. The rules (version {@value #NAME}):
 * <ol>
 *   <li>HTML line breaks ({@code <br />}, {@code <br/>}, {@code <br>}, any case) become spaces.</li>
 *   <li>Text is lower-cased ({@link Locale#ROOT}); curly apostrophes (’ ‘) become {@code '}.</li>
 *   <li>A word is a maximal run of letters and digits (any script); an apostrophe between two
 *       letters or digits stays inside the word ({@code don't}, {@code 90's}), any other apostrophe
 *       is dropped ({@code 'quoted'} → {@code quoted}).</li>
 *   <li>{@code !} and {@code ?} are tokens of their own, one per character: they carry sentiment.</li>
 *   <li>Everything else (spaces, other punctuation, symbols) separates words and is dropped:
 *       {@code well-made} → {@code well made}, {@code 7/10} → {@code 7 10}.</li>
 * </ol>
 * Tokens never contain whitespace or {@code <}, so they can be stored one per line and can never
 * collide with the special words {@code <pad>} and {@code <unk>}.
 */
public final class Tokenizer {
    /** Name and version of these rules, stored in checkpoints. */
    public static final String NAME = "recur-words-v1";

    private static final Pattern BR = Pattern.compile("<\\s*br\\s*/?\\s*>", Pattern.CASE_INSENSITIVE);

    /** Tokenizes {@code text} following the rules above. */
    public List<String> tokenize(String text) {
        String s = BR.matcher(text).replaceAll(" ").toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>(s.length() / 5 + 4);
        StringBuilder word = new StringBuilder();
        int n = s.length();
        for (int i = 0; i < n; ) {
            int cp = s.codePointAt(i);
            int len = Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                word.appendCodePoint(cp);
            } else if (isApostrophe(cp) && !word.isEmpty() && i + len < n
                    && Character.isLetterOrDigit(s.codePointAt(i + len))) {
                word.append('\'');
            } else {
                flush(word, out);
                if (cp == '!' || cp == '?') out.add(cp == '!' ? "!" : "?");
            }
            i += len;
        }
        flush(word, out);
        return out;
    }

    private static boolean isApostrophe(int cp) { return cp == '\'' || cp == '\u2019' || cp == '\u2018'; }

    private static void flush(StringBuilder word, List<String> out) {
        if (!word.isEmpty()) {
            out.add(word.toString());
            word.setLength(0);
        }
    }
}
