package dev.recur.app.tag;

import java.util.Locale;

/**
 * The three views of a word the tagger embeds: the lower-cased word, its shape and its suffix.
 * Shape and suffix carry most of what a tagger needs for a word it never saw ("Xxxx" is a proper
 * noun, "-ing" a gerund, "d,ddd" a number).
 */
public final class WordFeatures {
    /** Longest suffix kept. */
    public static final int SUFFIX = 3;

    private WordFeatures() { }

    /** The word in lower case; digits become 0 so that numbers share embeddings. */
    public static String normalized(String word) {
        String lower = word.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            sb.append(Character.isDigit(c) ? '0' : c);
        }
        return sb.toString();
    }

    /**
     * The word's shape: upper-case letters become {@code X}, lower-case {@code x}, digits {@code d},
     * other characters stay; runs of the same class longer than two are cut to two
     * ({@code "McDonald's" → "XxXxx'x"}, {@code "1,250" → "d,dd"}).
     */
    public static String shape(String word) {
        StringBuilder sb = new StringBuilder();
        char prev = 0;
        int run = 0;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            char s = Character.isUpperCase(c) ? 'X' : Character.isLowerCase(c) ? 'x' : Character.isDigit(c) ? 'd' : c;
            run = s == prev ? run + 1 : 1;
            prev = s;
            if (run <= 2) sb.append(s);
        }
        return sb.toString();
    }

    /** The last {@link #SUFFIX} characters of the lower-cased word (the whole word if shorter). */
    public static String suffix(String word) {
        String lower = word.toLowerCase(Locale.ROOT);
        return lower.length() <= SUFFIX ? lower : lower.substring(lower.length() - SUFFIX);
    }
}
