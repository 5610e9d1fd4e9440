package dev.recur.app.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a sentence into word and punctuation tokens, the same way for both languages, for
 * training and for BLEU on tokenized text. The rules (version {@value #NAME}):
 * <ol>
 *   <li>Optionally the text is lower-cased ({@link Locale#ROOT}, so {@code Ä} → {@code ä},
 *       {@code I} → {@code i} in every locale).</li>
 *   <li>A word is a maximal run of letters, digits and combining marks (any script). Inside a word
 *       stay: an apostrophe ({@code '}, {@code ’}) or hyphen between two letters or digits
 *       ({@code don't}, {@code t-shirt}, {@code 2-year-old}); a full stop or comma between two digits
 *       ({@code 3.5}, {@code 1,000}).</li>
 *   <li>Every other character that is not whitespace is a token of its own, one per character
 *       ({@code bushes.} → {@code bushes .}, {@code "Hi!"} → {@code " hi ! "}).</li>
 *   <li>Whitespace (any Unicode space, tabs included) only separates.</li>
 * </ol>
 * Tokens never contain whitespace (so tokenized text can be joined with spaces and split again,
 * which is what BLEU with {@code tokenize='none'} does) and never equal a special word such as
 * {@code <pad>} ({@code <} is always a token of its own).
 */
public final class TranslationTokenizer {
    /** Name and version of these rules, to be stored with a model. */
    public static final String NAME = "recur-translate-v1";

    private final boolean lowerCase;

    public TranslationTokenizer(boolean lowerCase) { this.lowerCase = lowerCase; }

    public boolean lowerCase() { return lowerCase; }

    /** The tokens of {@code text} by the rules above. */
    public List<String> tokenize(String text) {
        String s = lowerCase ? text.toLowerCase(Locale.ROOT) : text;
        List<String> out = new ArrayList<>(s.length() / 4 + 2);
        StringBuilder word = new StringBuilder();
        int n = s.length();
        for (int i = 0; i < n; ) {
            int cp = s.codePointAt(i);
            int len = Character.charCount(cp);
            int next = i + len < n ? s.codePointAt(i + len) : -1;
            if (isWordChar(cp)) {
                word.appendCodePoint(cp);
            } else if (!word.isEmpty() && next >= 0 && joins(cp, word.codePointBefore(word.length()), next)) {
                word.appendCodePoint(cp);
            } else {
                flush(word, out);
                if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) out.add(new String(Character.toChars(cp)));
            }
            i += len;
        }
        flush(word, out);
        return out;
    }

    /**
     * Joins tokens back into running text for scores on detokenized output (sacreBLEU's default):
     * a space between tokens, except none before {@code . , ! ? ; : ) ] } %} and {@code …}, none after
     * {@code ( [ {} and {@code ¿ ¡}, and straight double quotes alternate between opening (no space
     * after) and closing (no space before). The inverse of {@link #tokenize} for ordinary sentences;
     * lower-casing is not undone.
     */
    public static String detokenize(List<String> tokens) {
        StringBuilder out = new StringBuilder();
        boolean glueNext = true, quoteOpen = false;
        for (String t : tokens) {
            boolean glueBefore;
            boolean glueAfter = false;
            if (t.equals("\"")) {
                quoteOpen = !quoteOpen;
                glueBefore = !quoteOpen;
                glueAfter = quoteOpen;
            } else {
                glueBefore = t.length() == 1 && ".,!?;:)]}%…".indexOf(t.charAt(0)) >= 0;
                glueAfter = t.length() == 1 && "([{¿¡".indexOf(t.charAt(0)) >= 0;
            }
            if (!out.isEmpty() && !glueBefore && !glueNext) out.append(' ');
            out.append(t);
            glueNext = glueAfter;
        }
        return out.toString();
    }

    /** True when a sentence has at least one word (a letter or digit), not only punctuation. */
    public static boolean hasWord(List<String> tokens) {
        for (String t : tokens) if (isWordChar(t.codePointAt(0))) return true;
        return false;
    }

    private static boolean isWordChar(int cp) {
        if (Character.isLetterOrDigit(cp)) return true;
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK || type == Character.ENCLOSING_MARK;
    }

    /** Whether {@code cp} between {@code before} and {@code after} stays inside the word. */
    private static boolean joins(int cp, int before, int after) {
        boolean alnum = Character.isLetterOrDigit(before) && Character.isLetterOrDigit(after);
        if (cp == '\'' || cp == '\u2019' || cp == '-') return alnum;
        if (cp == '.' || cp == ',') return Character.isDigit(before) && Character.isDigit(after);
        return false;
    }

    private static void flush(StringBuilder word, List<String> out) {
        if (!word.isEmpty()) {
            out.add(word.toString());
            word.setLength(0);
        }
    }
}
