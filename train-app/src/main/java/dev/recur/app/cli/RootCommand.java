package dev.recur.app.cli;

import dev.recur.app.core.Io;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code train-app} itself. With no subcommand it runs {@code train} with every default: the
 * default model on the IMDB sample embedded in the jar.
 */
@Command(name = "train-app", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Recur: recurrent neural networks (RNN, LSTM, GRU) trained on the CPU in pure Java.",
            "",
            "With no command, trains the default LSTM on the small IMDB sample embedded in the jar and",
            "prints where its outputs went. Use 'train --data aclImdb_v1.tar.gz' for the full dataset."},
        footer = {"", "Exit codes: 0 ok, 1 runtime failure (bad data, bad checkpoint, diverged run), 2 usage error.",
            "Each command has --help."})
public final class RootCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "On errors, also print the stack trace.")
    boolean verbose;

    private final Io io;

    public RootCommand(Io io) { this.io = io; }

    @Override
    public Integer call() {
        io.progress().info("No command given: training the default model on the embedded IMDB sample "
                + "(run '" + dev.recur.app.run.Launcher.command() + " --help' for all commands).");
        return spec.commandLine().getSubcommands().get("train").execute(verbose ? new String[] {"--verbose"} : new String[0]);
    }

    /** True when {@code --verbose} is among the arguments (used by the error handlers). */
    public static boolean verbose(String[] args) {
        for (String a : args) {
            if (a.equals("--")) break;
            if (a.equals("--verbose")) return true;
        }
        return false;
    }
}
