package dev.recur.app.data;

import dev.recur.app.core.AppException;
import java.util.Arrays;

/**
 * The characters (Unicode code points) of a text, each with an id: ids follow code-point order, so
 * the same text always gives the same vocabulary. Travels in a checkpoint as {@link #asString()}.
 */
public final class CharVocabulary {
    private final int[] codePoints; // id -> code point, ascending

    private CharVocabulary(int[] sortedDistinct) {
        this.codePoints = sortedDistinct;
    }

    /** The distinct code points of {@code text}, in ascending order. */
    public static CharVocabulary of(String text) {
        int[] cps = text.codePoints().distinct().sorted().toArray();
        if (cps.length == 0) throw new AppException("cannot build a character vocabulary from empty text");
        return new CharVocabulary(cps);
    }

    /** The vocabulary written by {@link #asString()}. */
    public static CharVocabulary fromString(String chars) {
        int[] cps = chars.codePoints().toArray();
        int[] sorted = Arrays.stream(cps).distinct().sorted().toArray();
        if (cps.length == 0 || !Arrays.equals(cps, sorted)) {
            throw new AppException("stored character vocabulary is empty or not in code-point order "
                    + "(the checkpoint is damaged or not a character language model)");
        }
        return new CharVocabulary(cps);
    }

    /** All characters, in id order. */
    public String asString() {
        return new String(codePoints, 0, codePoints.length);
    }

    public int size() { return codePoints.length; }

    /** The id of code point {@code cp}, or -1 when it is not in the vocabulary. */
    public int id(int cp) {
        int i = Arrays.binarySearch(codePoints, cp);
        return i >= 0 ? i : -1;
    }

    public int codePoint(int id) { return codePoints[id]; }

    /** Ids of every character of {@code text}; unknown characters are a clear error. */
    public int[] encode(String text) {
        int[] cps = text.codePoints().toArray();
        int[] ids = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            ids[i] = id(cps[i]);
            if (ids[i] < 0) {
                throw new AppException("character '" + new String(Character.toChars(cps[i]))
                        + "' (U+" + String.format("%04X", cps[i]) + ") at position " + i
                        + " never occurs in the training text; use only characters the model knows");
            }
        }
        return ids;
    }

    /** The text of {@code ids}. */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) sb.appendCodePoint(codePoints[id]);
        return sb.toString();
    }
}
