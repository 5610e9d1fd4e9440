package dev.recur.app.cli;

import dev.recur.app.core.Io;
import dev.recur.app.run.Json;

import dev.recur.app.data.ImdbDataset;
import dev.recur.app.data.Review.Split;
import dev.recur.app.sentiment.BinaryMetrics;
import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.app.sentiment.EncodedSet;
import dev.recur.app.sentiment.Evaluator;
import dev.recur.engine.Engine;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code eval}: a checkpoint's figures on the IMDB test split. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a checkpoint on the IMDB test split: accuracy, precision, recall, F1, loss, confusion matrix.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "PATH", description = "A .safetensors file written by 'train'.")
    Path checkpoint;

    @Option(names = "--data", paramLabel = "PATH", description = "aclImdb/ folder or aclImdb_v1.tar.gz. Default: the embedded sample.")
    Path data;

    @Option(names = "--split", paramLabel = "test|train", description = "Which split to evaluate. Default: ${DEFAULT-VALUE}.")
    String split = "test";

    @Option(names = "--batch", paramLabel = "N", description = "Sequences per batch. Default: ${DEFAULT-VALUE}.")
    int batch = 128;

    @Mixin ThreadsOption threads = new ThreadsOption();

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    private final Io io;

    public EvalCommand(Io io) { this.io = io; }

    @Override
    public Integer call() throws Exception {
        Checks.range("--batch", batch, 1, 1 << 16);
        if (!split.equals("test") && !split.equals("train")) throw Checks.usage("--split must be test or train, got '" + split + "'");
        threads.apply();
        SentimentCheckpoint ck = SentimentCheckpoint.load(checkpoint);
        Split s = split.equals("test") ? Split.TEST : Split.TRAIN;
        ImdbDataset ds = ImdbDataset.load(data, EnumSet.of(s));
        EncodedSet set = EncodedSet.of(split, ds.split(s), ck.encoder());
        long t0 = System.nanoTime();
        BinaryMetrics m;
        int maxSteps = Math.max(1, set.maxLength());
        try (SequenceClassifier model = ck.newModel(maxSteps, batch)) {
            m = Evaluator.evaluate(model, set, new Batch(maxSteps, batch), batch, null);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("checkpoint", checkpoint.toString());
            o.put("data", ds.source());
            o.put("split", split);
            o.putAll(m.toMap());
            o.put("seconds", seconds);
            io.out().println(Json.MAPPER.writeValueAsString(o));
        } else {
            io.out().printf("%s on %s (%s, %d reviews, %.1f s)%n", checkpoint, ds.source(), split, m.count(), seconds);
            io.out().printf("accuracy  %.2f%%%nprecision %.4f%nrecall    %.4f%nF1        %.4f%nloss      %.4f%n%n",
                    100 * m.accuracy(), m.precision(), m.recall(), m.f1(), m.loss());
            io.out().print(m.confusionTable());
        }
        return 0;
    }
}
