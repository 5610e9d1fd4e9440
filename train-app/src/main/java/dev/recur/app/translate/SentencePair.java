package dev.recur.app.translate;

import java.util.List;

/** One tokenized sentence pair and its line number (from 1) in the parallel files. */
public record SentencePair(List<String> source, List<String> target, int line) {
    public SentencePair {
        source = List.copyOf(source);
        target = List.copyOf(target);
    }
}
