package dev.recur.app.cli;

import picocli.CommandLine.Option;

/** {@code --seed}: shared by {@code lm}, {@code sample}, {@code tag} and {@code gradients}. */
public final class SeedOption {
    @Option(names = "--seed", paramLabel = "N", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    public long seed = 42;
}
