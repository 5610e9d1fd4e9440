package dev.recur.app.cli;

import dev.recur.app.run.Choices.ModelKind;
import dev.recur.app.run.Choices.PoolKind;
import picocli.CommandLine.Option;

/** The model's shape: shared by {@code train} and {@code bench}. Defaults are the default model's. */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "rnn|lstm|gru", description = "Recurrent cell: rnn (Elman, tanh), lstm or gru. Default: ${DEFAULT-VALUE}.")
    public ModelKind model = ModelKind.lstm;

    @Option(names = "--layers", paramLabel = "N", description = "Stacked recurrent layers. Default: ${DEFAULT-VALUE}.")
    public int layers = Defaults.LAYERS;

    @Option(names = "--bidirectional", description = "Run each layer forwards and backwards and concatenate. Default: off.")
    public boolean bidirectional;

    @Option(names = "--hidden", paramLabel = "N", description = "Hidden units per direction. Default: ${DEFAULT-VALUE}.")
    public int hidden = Defaults.HIDDEN;

    @Option(names = "--embed", paramLabel = "N", description = "Word embedding size. Default: ${DEFAULT-VALUE}.")
    public int embed = Defaults.EMBED;

    @Option(names = "--vocab-size", paramLabel = "N", description = "Words kept (most frequent in training), counting the padding and unknown ids. Default: ${DEFAULT-VALUE}.")
    public int vocabSize = Defaults.VOCAB_SIZE;

    @Option(names = "--pool", paramLabel = "last|mean|max", description = "How the outputs of all steps become one vector: last valid step, mean or max over steps. Default: ${DEFAULT-VALUE}.")
    public PoolKind pool = Defaults.POOL;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout probability on the embeddings and the pooled vector, in [0, 1). Default: ${DEFAULT-VALUE}.")
    public double dropout = Defaults.DROPOUT;

    /** Throws a usage error naming the first option out of range. */
    public void check() {
        Checks.range("--layers", layers, 1, 16);
        Checks.range("--hidden", hidden, 1, 65536);
        Checks.range("--embed", embed, 1, 65536);
        Checks.range("--vocab-size", vocabSize, 3, 10_000_000);
        if (!(dropout >= 0 && dropout < 1)) throw Checks.usage("--dropout must be in [0, 1), got " + dropout);
    }
}
