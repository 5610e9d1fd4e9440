package dev.recur.app.cli;

import dev.recur.app.core.Io;
import dev.recur.app.lm.LmTrainer;
import dev.recur.app.lm.Sampler;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train-app sample}: generates text from a character language model checkpoint. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generates text from a checkpoint written by 'lm': the prompt is fed first, then characters",
            "are drawn one at a time (softmax at --temperature, optionally only the --top-k most likely).",
            "The same --seed gives the same text."})
public final class SampleCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "A checkpoint from 'lm' (best.safetensors or last.safetensors).")
    Path checkpoint;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Text to start from (only characters of the training text). Default: a newline.")
    String prompt;

    @Option(names = "--temperature", paramLabel = "T", description = "Below 1 is more conservative, above 1 more adventurous, 0 is greedy. Default: ${DEFAULT-VALUE}.")
    double temperature = 0.8;

    @Option(names = "--top-k", paramLabel = "K", description = "Draw only among the K most likely characters (0 = all). Default: ${DEFAULT-VALUE}.")
    int topK = 0;

    @Option(names = "--length", paramLabel = "N", description = "Characters to generate. Default: ${DEFAULT-VALUE}.")
    int length = 500;

    @Mixin SeedOption seed = new SeedOption();

    private final Io io;

    public SampleCommand(Io io) { this.io = io; }

    @Override
    public Integer call() {
        Checks.range("--length", length, 0, 10_000_000);
        new Sampler(1, temperature, topK); // option checks before any work
        try (LmTrainer.Loaded lm = LmTrainer.load(checkpoint, 1, 256)) {
            String p = prompt != null ? prompt : LmTrainer.defaultPrompt(lm.config().vocabulary());
            String text = LmTrainer.generate(lm.model(), p, length, temperature, topK, seed.seed);
            io.out().print(p);
            io.out().println(text);
        }
        return 0;
    }
}
