package dev.recur.app.speech;

import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a {@code speech} checkpoint needs to be used again: the task, the front end's settings and
 * the model's architecture (a {@link ModelConfig} over frames of the features' width, 10 outputs
 * for the isolated digits, output k = digit k).
 */
public record SpeechConfig(Task task, FeatureConfig features, ModelConfig model) {
    /** The checkpoint task name. */
    public static final String TASK = "speech";
    /** The output symbols, in output order. */
    public static final String DIGITS = "0123456789";
    public static final String K_TASK_MODE = "speech.task";

    /**
     * What is recognised: {@code isolated} (one digit per recording, this record's classifier) or
     * {@code connected} (digit strings with CTC, {@link ConnectedConfig}).
     */
    public enum Task {
        ISOLATED, CONNECTED;
        public String id() { return name().toLowerCase(Locale.ROOT); }
        public static Task parse(String s) {
            for (Task t : values()) if (t.id().equalsIgnoreCase(s.trim())) return t;
            throw new IllegalArgumentException("unknown speech task '" + s + "': use isolated or connected");
        }
    }

    public SpeechConfig {
        if (!model.readsFrames() || model.embedDim() != features.width()) {
            throw new IllegalArgumentException("the model must read frames of " + features.width() + " values, got " + model);
        }
    }

    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>(model.toMetadata());
        m.putAll(features.toMetadata());
        m.put(K_TASK_MODE, task.id());
        return m;
    }

    /** Rebuilds the configuration of a checkpoint's metadata; {@code file} names it in errors. */
    public static SpeechConfig fromMetadata(Map<String, String> meta, String file) {
        try {
            String task = meta.get(K_TASK_MODE);
            if (task == null) throw new IllegalArgumentException("metadata key " + K_TASK_MODE + " is missing");
            return new SpeechConfig(Task.parse(task), FeatureConfig.fromMetadata(meta), ModelConfig.fromMetadata(meta));
        } catch (IllegalArgumentException e) {
            throw new dev.recur.app.core.AppException(file + " is not a usable speech checkpoint: " + e.getMessage());
        }
    }
}
