package dev.recur.app.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out} and {@code --resume} of the training commands that have a fixed default folder ({@code lm}, {@code tag}). */
public final class RunFolderOptions {
    @Option(names = "--out", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    public Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last.safetensors (model, optimizer, data "
            + "position); options given again must have the run's values, and the data must be the same.")
    public boolean resume;

    /** Options whose {@code --out} defaults to {@code defaultOut}. */
    public RunFolderOptions(Path defaultOut) { this.out = defaultOut; }

    /** For picocli's reflection; commands use {@link #RunFolderOptions(Path)}. */
    public RunFolderOptions() { this(Path.of("runs")); }
}
