package dev.recur.app.translate;

import dev.recur.app.core.AppException;
import dev.recur.app.run.Fingerprint;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The sentence pairs of a {@code translate} run: training, validation and (optionally) test, read
 * from parallel files or, with no files, drawn from the generated {@link NumberTask}.
 *
 * @param train    the training pairs
 * @param valid    the validation pairs (pick the best epoch; BLEU every epoch)
 * @param test     the test pairs, scored once at the end (null: none given)
 * @param describe where the pairs came from, for messages
 */
public record TranslateData(ParallelCorpus train, ParallelCorpus valid, ParallelCorpus test, String describe) {
    /** Largest file read (the whole of Multi30k train is 2.1 MB). */
    public static final long MAX_BYTES = 1L << 30;

    /** Pairs of the generated task: training, validation, test. */
    public static final int GENERATED_TRAIN = 12_000, GENERATED_VALID = 500, GENERATED_TEST = 1_000;

    /** Where the pairs come from: three pairs of files, any of which may be null. */
    public record Files(Path source, Path target, Path validSource, Path validTarget, Path testSource, Path testTarget) {
        /** True when no file is given (the generated task). */
        public boolean none() {
            return source == null && target == null && validSource == null && validTarget == null && testSource == null
                    && testTarget == null;
        }
    }

    /**
     * Reads the files (every refusal is a one-line {@link AppException}), or with none generates
     * the number task from {@code seed}. A side of a pair over {@code maxLength} tokens or without
     * a word is skipped and counted.
     */
    public static TranslateData load(Files f, TranslationTokenizer tokenizer, int maxLength, long seed) {
        if (f.none()) {
            return new TranslateData(generated(GENERATED_TRAIN, seed, tokenizer, maxLength),
                    generated(GENERATED_VALID, seed + 1, tokenizer, maxLength),
                    generated(GENERATED_TEST, seed + 2, tokenizer, maxLength),
                    "the generated number task (English number words to digits)");
        }
        both(f.source(), "--source", f.target(), "--target");
        both(f.validSource(), "--valid-source", f.validTarget(), "--valid-target");
        both(f.testSource(), "--test-source", f.testTarget(), "--test-target");
        if (f.source() == null) {
            throw AppException.usage("give the training files with --source and --target (or no files at all for the generated task)");
        }
        if (f.validSource() == null) {
            throw AppException.usage("give validation files with --valid-source and --valid-target: they pick the best epoch "
                    + "(for Multi30k: val.de and val.en)");
        }
        ParallelCorpus train = read(f.source(), f.target(), tokenizer, maxLength, "training");
        ParallelCorpus valid = read(f.validSource(), f.validTarget(), tokenizer, maxLength, "validation");
        ParallelCorpus test = f.testSource() == null ? null : read(f.testSource(), f.testTarget(), tokenizer, maxLength, "test");
        return new TranslateData(train, valid, test, f.source() + " → " + f.target());
    }

    private static ParallelCorpus read(Path source, Path target, TranslationTokenizer tokenizer, int maxLength, String split) {
        ParallelCorpus c = ParallelCorpus.read(source, target, tokenizer, maxLength, MAX_BYTES);
        if (c.pairs().isEmpty()) {
            throw new AppException(String.format(Locale.ROOT, "%s and %s have no usable pair for %s: %,d without a word on a side, "
                    + "%,d with a side over --max-length %d tokens", source, target, split, c.skippedNoWords(), c.skippedTooLong(), maxLength));
        }
        return c;
    }

    private static void both(Path a, String aName, Path b, String bName) {
        if ((a == null) != (b == null)) {
            throw AppException.usage(a == null ? bName + " needs " + aName + " (the source side of the same pairs)"
                    : aName + " needs " + bName + " (the target side of the same pairs)");
        }
    }

    private static ParallelCorpus generated(int count, long seed, TranslationTokenizer tokenizer, int maxLength) {
        NumberTask.Sentences s = NumberTask.generate(count, seed);
        return ParallelCorpus.of(s.source(), s.target(), tokenizer, maxLength);
    }

    /** The fingerprint of the training and validation pairs (tokens, in order): what {@code --resume} checks. */
    public String fingerprint() {
        Fingerprint fp = new Fingerprint();
        for (ParallelCorpus c : List.of(train, valid)) {
            fp.add(c.pairs().size());
            for (SentencePair p : c.pairs()) {
                fp.add(p.source().size());
                for (String w : p.source()) fp.add(w);
                fp.add(p.target().size());
                for (String w : p.target()) fp.add(w);
            }
        }
        return fp.hex();
    }

    /** One line per split: pairs kept and skipped. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        line(b, "training", train);
        line(b, "validation", valid);
        if (test != null) line(b, "test", test);
        return b.toString().stripTrailing();
    }

    private static void line(StringBuilder b, String name, ParallelCorpus c) {
        b.append(String.format(Locale.ROOT, "%s: %,d pairs", name, c.pairs().size()));
        if (c.skippedNoWords() + c.skippedTooLong() > 0) {
            b.append(String.format(Locale.ROOT, " (skipped %,d without a word on a side, %,d over the length limit)",
                    c.skippedNoWords(), c.skippedTooLong()));
        }
        b.append('\n');
    }
}
