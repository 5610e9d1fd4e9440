package dev.recur.app.cli;

import dev.recur.app.run.Choices.ModelKind;
import picocli.CommandLine.Option;

/**
 * The recurrent model's core shape, the same options for {@code train}, {@code bench}, {@code lm}
 * and {@code tag}: cell, layers, hidden units, dropout. A command gives its own defaults through
 * the constructor; the classifier's own shape options are in {@link ClassifierOptions}.
 */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "rnn|lstm|gru", description = "Recurrent cell: rnn (Elman, tanh), lstm or gru. Default: ${DEFAULT-VALUE}.")
    public ModelKind model;

    @Option(names = "--layers", paramLabel = "N", description = "Stacked recurrent layers. Default: ${DEFAULT-VALUE}.")
    public int layers;

    @Option(names = "--hidden", paramLabel = "N", description = "Hidden units per layer and direction. Default: ${DEFAULT-VALUE}.")
    public int hidden;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout probability, in [0, 1) (train: on the embeddings and the "
            + "pooled vector; lm: between recurrent layers; tag: on the token vectors). Default: ${DEFAULT-VALUE}.")
    public double dropout;

    /** The defaults of {@code train} and {@code bench} (the default model). */
    public ModelOptions() {
        this(ModelKind.lstm, Defaults.LAYERS, Defaults.HIDDEN, Defaults.DROPOUT);
    }

    /** A command's own defaults. */
    public ModelOptions(ModelKind model, int layers, int hidden, double dropout) {
        this.model = model;
        this.layers = layers;
        this.hidden = hidden;
        this.dropout = dropout;
    }

    /** Throws a usage error naming the first option out of range. */
    public void check() {
        Checks.range("--layers", layers, 1, 16);
        Checks.range("--hidden", hidden, 1, 65536);
        if (!(dropout >= 0 && dropout < 1)) throw Checks.usage("--dropout must be in [0, 1), got " + dropout);
    }
}
