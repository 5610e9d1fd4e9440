package dev.recur.app.tag;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chunk-level precision, recall and F1 exactly as the CoNLL-2000 {@code conlleval} script counts
 * them, for IOB tags ({@code B-X}, {@code I-X}, {@code O}; {@code E-}/{@code S-}-free input).
 *
 * <p>A chunk starts at {@code B-X}, at an {@code I-X} after {@code O} (an I- without B- opens a chunk,
 * as conlleval does), and at any tag whose type differs from the previous one. A guessed chunk is
 * correct when it starts and ends at the same tokens as a gold chunk of the same type. Sentence
 * boundaries close every chunk. Precision = correct / guessed chunks, recall = correct / gold chunks,
 * F1 = 2PR / (P + R); all 0 when their denominator is 0, as in the script.
 *
 * <p>Feed sentences with {@link #add(List, List)}; the counts accumulate.
 */
public final class ChunkScore {
    private long correctChunks, goldChunks, guessedChunks, correctTags, tokens;
    private final Map<String, long[]> perType = new TreeMap<>(); // type -> {correct, gold, guessed}

    /** Adds one sentence: gold tags and guessed tags, same length. */
    public void add(List<String> gold, List<String> guessed) {
        if (gold.size() != guessed.size()) {
            throw new IllegalArgumentException("gold and guessed tags differ in length: " + gold.size() + " vs "
                    + guessed.size());
        }
        String lastC = "O", lastCT = "", lastG = "O", lastGT = "";
        boolean inCorrect = false;
        int n = gold.size();
        for (int i = 0; i <= n; i++) {
            // position n is the sentence boundary, which conlleval reads as an "O O" token
            String c = i < n ? gold.get(i) : "O";
            String g = i < n ? guessed.get(i) : "O";
            String cTag = prefix(c), cType = type(c), gTag = prefix(g), gType = type(g);
            boolean endC = endOfChunk(lastC, cTag, lastCT, cType);
            boolean endG = endOfChunk(lastG, gTag, lastGT, gType);
            boolean startC = startOfChunk(lastC, cTag, lastCT, cType);
            boolean startG = startOfChunk(lastG, gTag, lastGT, gType);
            if (inCorrect) {
                if (endC && endG && lastGT.equals(lastCT)) {
                    inCorrect = false;
                    correctChunks++;
                    counts(lastCT)[0]++;
                } else if (endC != endG || !gType.equals(cType)) {
                    inCorrect = false;
                }
            }
            if (startC && startG && gType.equals(cType)) inCorrect = true;
            if (startC) {
                goldChunks++;
                counts(cType)[1]++;
            }
            if (startG) {
                guessedChunks++;
                counts(gType)[2]++;
            }
            if (i < n) {
                if (c.equals(g)) correctTags++;
                tokens++;
            }
            lastC = cTag;
            lastCT = cType;
            lastG = gTag;
            lastGT = gType;
        }
        // the boundary token (i == n) closed any open correct chunk, since O ends every chunk
    }

    private long[] counts(String type) {
        return perType.computeIfAbsent(type, k -> new long[3]);
    }

    static String prefix(String tag) {
        int dash = tag.indexOf('-');
        return dash < 0 ? tag : tag.substring(0, dash);
    }

    static String type(String tag) {
        int dash = tag.indexOf('-');
        return dash < 0 ? "" : tag.substring(dash + 1);
    }

    static boolean endOfChunk(String prevTag, String tag, String prevType, String type) {
        boolean end = false;
        if (prevTag.equals("B") && tag.equals("B")) end = true;
        if (prevTag.equals("B") && tag.equals("O")) end = true;
        if (prevTag.equals("I") && tag.equals("B")) end = true;
        if (prevTag.equals("I") && tag.equals("O")) end = true;
        if (prevTag.equals("E") && tag.equals("E")) end = true;
        if (prevTag.equals("E") && tag.equals("I")) end = true;
        if (prevTag.equals("E") && tag.equals("O")) end = true;
        if (!prevTag.equals("O") && !prevTag.equals(".") && !prevType.equals(type)) end = true;
        if (prevTag.equals("]") || prevTag.equals("[")) end = true;
        return end;
    }

    static boolean startOfChunk(String prevTag, String tag, String prevType, String type) {
        boolean start = false;
        if (prevTag.equals("B") && tag.equals("B")) start = true;
        if (prevTag.equals("I") && tag.equals("B")) start = true;
        if (prevTag.equals("O") && tag.equals("B")) start = true;
        if (prevTag.equals("O") && tag.equals("I")) start = true;
        if (prevTag.equals("E") && tag.equals("E")) start = true;
        if (prevTag.equals("E") && tag.equals("I")) start = true;
        if (prevTag.equals("O") && tag.equals("E")) start = true;
        if (!tag.equals("O") && !tag.equals(".") && !prevType.equals(type)) start = true;
        if (tag.equals("[") || tag.equals("]")) start = true;
        return start;
    }

    public long correctChunks() { return correctChunks; }

    public long goldChunks() { return goldChunks; }

    public long guessedChunks() { return guessedChunks; }

    /** Token accuracy as conlleval prints it (tags equal, boundaries not counted), in [0, 1]. */
    public double accuracy() { return tokens == 0 ? 0 : (double) correctTags / tokens; }

    /** Precision in [0, 1]. */
    public double precision() { return guessedChunks == 0 ? 0 : (double) correctChunks / guessedChunks; }

    /** Recall in [0, 1]. */
    public double recall() { return goldChunks == 0 ? 0 : (double) correctChunks / goldChunks; }

    /** F1 in [0, 1]. */
    public double f1() {
        double p = precision(), r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Per chunk type: {correct, gold, guessed} counts, by type name. */
    public Map<String, long[]> perType() {
        Map<String, long[]> copy = new TreeMap<>();
        perType.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /** conlleval's summary line, e.g. {@code accuracy: 95.1%; precision: 90.2%; recall: 91.0%; FB1: 90.6}. */
    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "processed %d tokens with %d phrases; found: %d phrases; correct: %d.%n"
                        + "accuracy: %6.2f%%; precision: %6.2f%%; recall: %6.2f%%; FB1: %6.2f",
                tokens, goldChunks, guessedChunks, correctChunks,
                100 * accuracy(), 100 * precision(), 100 * recall(), 100 * f1());
    }
}
