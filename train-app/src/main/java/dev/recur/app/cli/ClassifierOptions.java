package dev.recur.app.cli;

import dev.recur.app.run.Choices.PoolKind;
import picocli.CommandLine.Option;

/** The sentiment classifier's own shape, beside {@link ModelOptions}: shared by {@code train} and {@code bench}. */
public final class ClassifierOptions {
    @Option(names = "--bidirectional", description = "Run each layer forwards and backwards and concatenate. Default: off.")
    public boolean bidirectional;

    @Option(names = "--embed", paramLabel = "N", description = "Word embedding size. Default: ${DEFAULT-VALUE}.")
    public int embed = Defaults.EMBED;

    @Option(names = "--vocab-size", paramLabel = "N", description = "Words kept (most frequent in training), counting the padding and unknown ids. Default: ${DEFAULT-VALUE}.")
    public int vocabSize = Defaults.VOCAB_SIZE;

    @Option(names = "--pool", paramLabel = "last|mean|max", description = "How the outputs of all steps become one vector: last valid step, mean or max over steps. Default: ${DEFAULT-VALUE}.")
    public PoolKind pool = Defaults.POOL;

    /** Throws a usage error naming the first option out of range. */
    public void check() {
        Checks.range("--embed", embed, 1, 65536);
        Checks.range("--vocab-size", vocabSize, 3, 10_000_000);
    }
}
