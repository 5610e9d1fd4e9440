package dev.recur.app.translate;

import dev.recur.app.core.AppException;
import dev.recur.app.data.TextFiles;
import dev.recur.app.data.Utf8;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parallel text: a source file and a target file with one sentence per line, line i of one the
 * translation of line i of the other (Multi30k's {@code train.de} / {@code train.en}).
 *
 * <p>Refused, each with a one-line message naming the file: a missing, unreadable or oversized
 * file ({@link TextFiles}), bytes that are not UTF-8 (file, line and byte offset, from the app's
 * one decoder {@link Utf8}), an empty file, files with different line counts (both names and both
 * counts). Lines end at {@code \n}; a {@code \r} before it and a final newline are dropped.
 *
 * <p>Kept out and counted: pairs with a side that has no word after tokenizing (an empty line, or
 * a placeholder such as Multi30k's two {@code @@} German lines, which have no translation —
 * {@link TranslationTokenizer#hasWord}), and pairs with a side longer than the length limit.
 */
public final class ParallelCorpus {
    private final List<SentencePair> pairs;
    private final List<String> targetLines;
    private final int lines;
    private final int skippedNoWords;
    private final int skippedTooLong;

    private ParallelCorpus(List<SentencePair> pairs, List<String> targetLines, int lines, int skippedNoWords, int skippedTooLong) {
        this.pairs = List.copyOf(pairs);
        this.targetLines = List.copyOf(targetLines);
        this.lines = lines;
        this.skippedNoWords = skippedNoWords;
        this.skippedTooLong = skippedTooLong;
    }

    /**
     * Reads and tokenizes the two files. {@code maxLength} is the most tokens a side may have
     * (longer pairs are skipped and counted); {@code maxBytes} bounds each file.
     */
    public static ParallelCorpus read(Path source, Path target, TranslationTokenizer tokenizer, int maxLength, long maxBytes) {
        List<String> src = lines(source, maxBytes, "--source");
        List<String> tgt = lines(target, maxBytes, "--target");
        if (src.size() != tgt.size()) {
            throw new AppException(source + " has " + src.size() + " lines but " + target + " has " + tgt.size()
                    + "; line i of the source must be the translation of line i of the target, so the counts must match");
        }
        return of(src, tgt, tokenizer, maxLength);
    }

    /** Tokenizes sentence lists that correspond line by line (the generated task's, tests'). */
    public static ParallelCorpus of(List<String> source, List<String> target, TranslationTokenizer tokenizer, int maxLength) {
        if (source.size() != target.size()) {
            throw new IllegalArgumentException(source.size() + " source sentences but " + target.size() + " target sentences");
        }
        if (maxLength < 1) throw new IllegalArgumentException("the length limit must be at least 1, got " + maxLength);
        List<SentencePair> pairs = new ArrayList<>(source.size());
        int noWords = 0, tooLong = 0;
        for (int i = 0; i < source.size(); i++) {
            List<String> s = tokenizer.tokenize(source.get(i)), t = tokenizer.tokenize(target.get(i));
            if (!TranslationTokenizer.hasWord(s) || !TranslationTokenizer.hasWord(t)) noWords++;
            else if (s.size() > maxLength || t.size() > maxLength) tooLong++;
            else pairs.add(new SentencePair(s, t, i + 1));
        }
        return new ParallelCorpus(pairs, target, source.size(), noWords, tooLong);
    }

    /** The lines of a UTF-8 text file, refusing an empty one. */
    static List<String> lines(Path file, long maxBytes, String option) {
        byte[] bytes = TextFiles.read(file, maxBytes, option);
        if (bytes.length == 0) throw new AppException(file + ": is empty; give a text file with one sentence per line with " + option);
        String text = Utf8.decode(bytes, file.toString());
        List<String> out = new ArrayList<>();
        int start = 0, n = text.length();
        while (start < n) {
            int end = text.indexOf('\n', start);
            if (end < 0) end = n;
            int stop = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
            out.add(text.substring(start, stop));
            start = end + 1;
        }
        if (out.isEmpty()) throw new AppException(file + ": is empty; give a text file with one sentence per line with " + option);
        return out;
    }

    /** The pairs kept, in file order. */
    public List<SentencePair> pairs() { return pairs; }

    /** The target line of {@code pair} as it is in the file (not tokenized), e.g. a reference for sacreBLEU. */
    public String targetLine(SentencePair pair) { return targetLines.get(pair.line() - 1); }

    /** Lines read (pairs kept plus pairs skipped). */
    public int lines() { return lines; }

    /** Pairs skipped because a side had no word (empty line or placeholder). */
    public int skippedNoWords() { return skippedNoWords; }

    /** Pairs skipped because a side was longer than the length limit. */
    public int skippedTooLong() { return skippedTooLong; }
}
