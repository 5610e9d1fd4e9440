package dev.recur.app.translate;

import dev.recur.app.run.Checkpoint;
import dev.recur.layers.model.Seq2Seq;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code translate} checkpoint opened for use: its configuration and a model with its weights,
 * checked as strictly as training reads it (task, format, finite numbers, names and shapes).
 */
public final class TranslateCheckpoint {
    private TranslateCheckpoint() {}

    /** The configuration of a translation checkpoint (refusing other tasks' files with a clear message). */
    public static TranslateConfig config(Path file) {
        return TranslateConfig.fromMetadata(Checkpoint.read(file, TranslateTrainer.TASK, "translate").metadata(), file.toString());
    }

    /**
     * A model with the weights of {@code file}, with workspaces for sources up to {@code maxSource}
     * tokens and {@code maxRows} decoded rows at once (sentences × beam).
     */
    public static Seq2Seq load(Path file, TranslateConfig cfg, int maxSource, int maxRows) {
        Checkpoint ck = Checkpoint.read(file, TranslateTrainer.TASK, "translate");
        Seq2Seq model = new Seq2Seq(cfg.model(), 0, Math.max(1, maxSource), cfg.maxLength() + 1, Math.max(1, maxRows));
        try {
            ck.loadParameters(model.parameters());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        model.eval();
        return model;
    }

    /** What {@code info} shows of a translation checkpoint, after loading it into a model. */
    public static Map<String, Object> describe(Path file) {
        Checkpoint ck = Checkpoint.read(file, TranslateTrainer.TASK, "translate");
        TranslateConfig c = TranslateConfig.fromMetadata(ck.metadata(), file.toString());
        long params;
        try (Seq2Seq model = load(file, c, 1, 1)) {
            params = model.parameterCount();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> model = new LinkedHashMap<>();
        c.model().toMetadata().forEach((k, v) -> model.put(k.substring(k.indexOf('.') + 1), v));
        m.put("model", model);
        m.put("parameters", params);
        m.put("source_words", c.source().size());
        m.put("target_words", c.target().size());
        m.put("lowercase", c.lowerCase());
        m.put("max_length", c.maxLength());
        m.put("tokenizer", TranslationTokenizer.NAME);
        m.put("epochs_done", Integer.parseInt(ck.meta(TranslateTask.KEYS.epoch())));
        m.put("best_validation_bleu", String.format(Locale.ROOT, "%.2f", Double.parseDouble(ck.meta(TranslateTask.KEYS.best()))));
        m.put("run_options", ck.runOptions());
        return m;
    }
}
