package dev.recur.app.cli;

import dev.recur.engine.Engine;
import picocli.CommandLine.Option;

/** {@code --threads}: shared by every command that runs a model outside {@link TrainingOptions}. */
public final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N", description = "Engine threads. Default: the number of processors.")
    public int threads = Runtime.getRuntime().availableProcessors();

    /** Checks the range (a usage error otherwise) and sets the engine's thread count. */
    public void apply() {
        Checks.range("--threads", threads, 1, 1024);
        Engine.setThreads(threads);
    }
}
