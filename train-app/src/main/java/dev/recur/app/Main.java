package dev.recur.app;

import dev.recur.app.core.AppException;

import dev.recur.app.cli.BenchCommand;
import dev.recur.app.cli.EvalCommand;
import dev.recur.app.cli.InfoCommand;
import dev.recur.app.core.Io;
import dev.recur.app.cli.PredictCommand;
import dev.recur.app.cli.RootCommand;
import dev.recur.app.cli.TrainCommand;
import dev.recur.engine.Engine;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * Entry point of {@code train-app.jar}. {@link #run} does everything and returns the exit code
 * (0 ok, 1 runtime failure, 2 usage error); {@link #main} only calls it and exits, so tests can
 * drive the whole program in-process.
 */
public final class Main {
    private Main() {}

    /**
     * The subcommands, in the order {@code --help} lists them. Each entry makes a picocli command
     * object (a class annotated with {@code @Command}) given the program's streams; to add a
     * command, add one line here.
     */
    public static final List<Function<Io, Object>> SUBCOMMANDS = List.of(
            TrainCommand::new,
            EvalCommand::new,
            PredictCommand::new,
            InfoCommand::new,
            BenchCommand::new,
            dev.recur.app.cli.LmCommand::new,
            dev.recur.app.cli.SampleCommand::new,
            dev.recur.app.cli.TagCommand::new,
            dev.recur.app.cli.ForecastCommand::new,
            dev.recur.app.cli.TranslateCommand::new,
            dev.recur.app.cli.SpeechCommand::new,
            dev.recur.app.cli.GradientsCommand::new);

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(new Io(out, err, System.in, true), Engine.vectorApiAvailable(), args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the program with the real streams' stand-ins in {@code io}; returns the exit code. */
    public static int run(Io io, String... args) {
        return run(io, Engine.vectorApiAvailable(), args);
    }

    /** As {@link #run(Io, String...)}, with the Vector API check's answer given (tests). */
    public static int run(Io io, boolean vectorApi, String... args) {
        System.setProperty("java.awt.headless", "true"); // charts are drawn off-screen, also without a display
        try {
            if (!vectorApi) {
                io.err().println("error: the Vector API module is missing. Start Java with "
                        + Engine.VECTOR_FLAG + ", for example: java " + Engine.VECTOR_FLAG
                        + " -jar train-app.jar (or use ./recur run, which adds it).");
                return AppException.USAGE;
            }
            return commandLine(io).execute(args);
        } catch (OutOfMemoryError e) {
            io.err().println("error: out of memory (" + e.getMessage() + "); lower --batch, --max-len, --hidden or --vocab-size, "
                    + "or give Java more memory (-Xmx for the heap)");
            if (dev.recur.app.cli.RootCommand.verbose(args)) e.printStackTrace(io.err());
            return AppException.RUNTIME;
        } catch (Error e) {
            io.err().println("error: " + AppException.plain(e.getMessage()) + " (the program is broken or its jar incomplete; "
                    + "rebuild it; --verbose shows where)");
            if (dev.recur.app.cli.RootCommand.verbose(args)) e.printStackTrace(io.err());
            return AppException.RUNTIME;
        } finally {
            dev.recur.app.run.RunFolder.releaseAll(); // the command is over: its run folders are free again
            io.out().flush();
            io.err().flush();
        }
    }

    /** The configured picocli command tree (exposed for tests and documentation). */
    public static CommandLine commandLine(Io io) {
        CommandLine cl = new CommandLine(new RootCommand(io));
        for (Function<Io, Object> make : SUBCOMMANDS) cl.addSubcommand(make.apply(io));
        cl.setCommandName(dev.recur.app.run.Launcher.command()); // usage lines show the command as the user types it
        cl.setOut(io.out());
        cl.setErr(io.err());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setAbbreviatedOptionsAllowed(false);
        cl.setParameterExceptionHandler(ErrorHandling::onUsageError);
        cl.setExecutionExceptionHandler(ErrorHandling::onExecutionError);
        cl.setExitCodeExceptionMapper(t -> t instanceof AppException a ? a.exitCode() : AppException.RUNTIME);
        return cl;
    }
}
