package dev.recur.app.cli;

import dev.recur.app.data.TextFiles;
import dev.recur.app.data.Utf8;

import dev.recur.app.core.Io;
import dev.recur.app.run.Json;

import dev.recur.app.core.AppException;
import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.app.sentiment.EncodedSet;
import dev.recur.app.sentiment.Evaluator;
import dev.recur.engine.Engine;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code predict}: the sentiment of texts, from a checkpoint alone. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict the sentiment of texts given as arguments, or of each line of standard input.",
            "Prints the label (positive/negative), the probability of that label, and the text. Blank lines are skipped."})
public final class PredictCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "PATH", description = "A .safetensors file written by 'train'.")
    Path checkpoint;

    @Option(names = "--json", description = "One JSON object per text: {\"label\", \"probability\", \"p_positive\", \"text\"}.")
    boolean json;

    @Mixin ThreadsOption threads = new ThreadsOption();

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to classify. None: read lines from standard input.")
    List<String> texts = new ArrayList<>();

    private final Io io;

    public PredictCommand(Io io) { this.io = io; }

    @Override
    public Integer call() throws Exception {
        threads.apply();
        SentimentCheckpoint ck = SentimentCheckpoint.load(checkpoint);
        List<String> inputs = texts.isEmpty() ? readLines() : texts;
        inputs = inputs.stream().filter(t -> !t.isBlank()).toList();
        if (inputs.isEmpty()) {
            throw AppException.usage("no text to classify: give texts as arguments or lines on standard input");
        }
        int[][] seqs = new int[inputs.size()][];
        for (int i = 0; i < seqs.length; i++) seqs[i] = ck.encoder().encode(inputs.get(i));
        EncodedSet set = new EncodedSet("input", seqs, new int[seqs.length]);
        float[] probs = new float[seqs.length];
        int batch = Math.min(32, seqs.length);
        int maxSteps = Math.max(1, set.maxLength());
        try (SequenceClassifier model = ck.newModel(maxSteps, batch)) {
            Evaluator.evaluate(model, set, new Batch(maxSteps, batch), batch, probs);
        }
        for (int i = 0; i < seqs.length; i++) {
            boolean pos = probs[i] >= 0.5f;
            double p = pos ? probs[i] : 1 - probs[i];
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("label", pos ? "positive" : "negative");
                o.put("probability", p);
                o.put("p_positive", (double) probs[i]);
                o.put("text", inputs.get(i));
                io.out().println(Json.MAPPER.writeValueAsString(o));
            } else {
                String t = inputs.get(i).replaceAll("\\s+", " ");
                io.out().printf("%-8s %.3f  %s%n", pos ? "positive" : "negative", p, t.length() > 100 ? t.substring(0, 97) + "..." : t);
            }
        }
        return 0;
    }

    /** Largest standard input read (64 MiB: about 50,000 reviews). */
    static final int MAX_STDIN = 64 << 20;

    /** Lines of standard input, strict UTF-8 (a bad byte is an error naming the line), at most {@link #MAX_STDIN} bytes. */
    private List<String> readLines() {
        String all = Utf8.decode(TextFiles.read(io.in(), MAX_STDIN, "standard input"), "standard input");
        List<String> lines = new ArrayList<>(List.of(all.split("\r?\n", -1)));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast(); // the end of the last line
        return lines;
    }
}
