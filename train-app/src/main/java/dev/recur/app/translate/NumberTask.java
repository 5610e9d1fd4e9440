package dev.recur.app.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The small generated translation task embedded in the code (for a run with no data, and for
 * tests): English number words to digits, e.g. {@code "four thousand and twelve"} →
 * {@code "4 0 1 2"}. Source and target differ in length and order of information ("twelve" is one
 * word for two digits, "thousand" none), so it needs an encoder–decoder, yet a small model learns
 * it. Numbers are drawn by a {@link SplittableRandom} of the seed (the same seed gives the same pairs
 * on every JVM): a digit count uniform in 1–6, then a number of that many digits uniformly, so
 * "ninety nine" is as well learnt as "four hundred and twelve thousand and seven". British style: "and" before the last two
 * digits of a group when there are hundreds or a higher group before them ("one hundred and five",
 * "two thousand and seven"); tens and units as two words ("forty two").
 */
public final class NumberTask {
    /** Numbers are below this. */
    public static final int LIMIT = 1_000_000;

    private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    private static final String[] UNITS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
    private static final String[] TENS = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

    private NumberTask() {}

    /** Source and target sentences, line i of one the translation of line i of the other. */
    public record Sentences(List<String> source, List<String> target) {}

    /** {@code count} pairs drawn from {@code seed}. */
    public static Sentences generate(int count, long seed) {
        if (count < 0) throw new IllegalArgumentException("count must be ≥ 0, got " + count);
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> src = new ArrayList<>(count), tgt = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int digits = 1 + rng.nextInt(6), low = digits == 1 ? 0 : POWERS[digits - 1];
            int n = low + rng.nextInt(POWERS[digits] - low);
            src.add(spell(n));
            tgt.add(digits(n));
        }
        return new Sentences(List.copyOf(src), List.copyOf(tgt));
    }

    /** The English words of {@code n} in [0, 10⁶). */
    public static String spell(int n) {
        if (n < 0 || n >= LIMIT) throw new IllegalArgumentException("number " + n + " is outside [0, " + LIMIT + ")");
        if (n == 0) return "zero";
        StringBuilder s = new StringBuilder();
        int thousands = n / 1000, rest = n % 1000;
        if (thousands > 0) s.append(group(thousands, false)).append(" thousand");
        if (rest > 0) {
            if (!s.isEmpty()) s.append(' ');
            s.append(group(rest, thousands > 0));
        }
        return s.toString();
    }

    /** Words of 1 ≤ g ≤ 999; {@code afterHigher}: a higher group came first ("and" before a lone tens part). */
    private static String group(int g, boolean afterHigher) {
        StringBuilder s = new StringBuilder();
        int hundreds = g / 100, rest = g % 100;
        if (hundreds > 0) s.append(UNITS[hundreds]).append(" hundred");
        if (rest > 0) {
            if (hundreds > 0 || afterHigher) s.append(s.isEmpty() ? "and " : " and ");
            if (rest < 20) s.append(UNITS[rest]);
            else {
                s.append(TENS[rest / 10]);
                if (rest % 10 > 0) s.append(' ').append(UNITS[rest % 10]);
            }
        }
        return s.toString();
    }

    /** The digits of {@code n}, space-separated ({@code 4012} → {@code "4 0 1 2"}). */
    public static String digits(int n) {
        String d = Integer.toString(n);
        StringBuilder s = new StringBuilder(d.length() * 2);
        for (int i = 0; i < d.length(); i++) {
            if (i > 0) s.append(' ');
            s.append(d.charAt(i));
        }
        return s.toString();
    }
}
