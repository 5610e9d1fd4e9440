package dev.recur.app.cli;

import dev.recur.app.lm.LmTrainer;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.tag.TagTrainer;

import dev.recur.app.core.Io;
import dev.recur.app.run.Json;

import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.app.sentiment.TrainState;
import dev.recur.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code info}: the engine, and a checkpoint's configuration and size. */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show the engine (vector species, lanes, threads, Java) and, with --checkpoint, a checkpoint's task,",
            "configuration and size, after checking it as strictly as loading it does (of train, lm or tag)."})
public final class InfoCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "PATH", description = "A .safetensors file written by 'train', 'lm' or 'tag'.")
    Path checkpoint;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    private final Io io;

    public InfoCommand(Io io) { this.io = io; }

    /** What {@code info} shows of a sentiment checkpoint, after loading it into a model. */
    private static Map<String, Object> sentiment(Path file) throws Exception {
        SentimentCheckpoint ck = SentimentCheckpoint.load(file);
        ck.newModel(1, 1).close();
        Map<String, Object> c = new LinkedHashMap<>();
        Map<String, Object> model = new LinkedHashMap<>();
        ck.modelConfig().toMetadata().forEach((k, v) -> model.put(k.substring(k.lastIndexOf('.') + 1), v));
        c.put("model", model);
        c.put("tokenizer", Map.of("max_len", ck.encoder().maxLen(), "truncate", ck.encoder().truncation().name().toLowerCase(),
                "vocabulary", ck.encoder().vocabulary().size()));
        TrainState s = ck.state();
        c.put("epochs_done", s.epoch());
        c.put("steps", s.steps());
        c.put("best_val_accuracy", Double.isNaN(s.bestValAccuracy()) ? null : s.bestValAccuracy());
        c.put("best_epoch", s.bestEpoch());
        c.put("train_config", Json.MAPPER.readValue(ck.trainConfig().toJson(), Map.class));
        return c;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Object> engine = new LinkedHashMap<>();
        engine.put("species", Engine.species());
        engine.put("lanes", Engine.lanes());
        engine.put("threads", Engine.threads());
        engine.put("processors", Runtime.getRuntime().availableProcessors());
        engine.put("java", Runtime.version().toString());
        engine.put("vm", System.getProperty("java.vm.name"));
        engine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        engine.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("engine", engine);
        if (checkpoint != null) {
            // as strict as loading: the file is read, checked and its weights put into a model of its configuration
            Checkpoint any = Checkpoint.readAny(checkpoint);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("file", checkpoint.toString());
            c.put("bytes", Files.size(checkpoint));
            c.put("task", any.task());
            c.put("format_version", any.version());
            c.put("parameters", any.parameterCount());
            switch (any.task()) {
                case "lm" -> c.putAll(LmTrainer.describe(checkpoint));
                case "tag" -> c.putAll(TagTrainer.describe(checkpoint));
                case "forecast" -> c.putAll(dev.recur.app.forecast.ForecastPredictor.describe(checkpoint));
                case "translate" -> c.putAll(dev.recur.app.translate.TranslateCheckpoint.describe(checkpoint));
                case "speech" -> c.putAll(dev.recur.app.speech.SpeechEvaluation.describe(checkpoint));
                default -> c.putAll(sentiment(checkpoint));
            }
            c.put("optimizer_state", any.metadata().getOrDefault("optimizer.type", "none"));
            all.put("checkpoint", c);
        }
        if (json) {
            io.out().println(Json.MAPPER.writeValueAsString(all));
        } else {
            io.out().println("engine");
            engine.forEach((k, v) -> io.out().printf("  %-12s %s%n", k, v));
            if (all.get("checkpoint") instanceof Map<?, ?> c) {
                io.out().println("checkpoint");
                c.forEach((k, v) -> {
                    if (v instanceof Map<?, ?> sub) {
                        io.out().printf("  %s%n", k);
                        sub.forEach((k2, v2) -> io.out().printf("    %-22s %s%n", k2, v2));
                    } else {
                        io.out().printf("  %-20s %s%n", k, v);
                    }
                });
            }
        }
        return 0;
    }
}
