package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.model.AcousticConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a connected-digit ({@code speech --task connected}) checkpoint needs to be used again: the
 * front end's settings, the frame stacking ({@link StackedFeatures}) and the CTC acoustic model's
 * architecture (11 outputs: class 0 the blank, class d + 1 digit d).
 */
public record ConnectedConfig(FeatureConfig features, int stack, AcousticConfig model) {
    /** The value of {@link SpeechConfig#K_TASK_MODE} for this task. */
    public static final String TASK_ID = "connected";
    public static final String K_STACK = "speech.stack";
    /** CTC outputs: the blank and the ten digits. */
    public static final int OUTPUTS = 11;

    public ConnectedConfig {
        if (model.frameSize() != features.width() * stack || model.outputs() != OUTPUTS) {
            throw new IllegalArgumentException("the acoustic model must read frames of " + features.width() * stack + " values into "
                    + OUTPUTS + " outputs, got " + model);
        }
    }

    /** The model frames' source. */
    public StackedFeatures frames() { return new StackedFeatures(features, stack); }

    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>(model.toMetadata());
        m.putAll(features.toMetadata());
        m.put(K_STACK, Integer.toString(stack));
        m.put(SpeechConfig.K_TASK_MODE, TASK_ID);
        return m;
    }

    /** True when a speech checkpoint's metadata is of this task. */
    public static boolean isConnected(Map<String, String> meta) { return TASK_ID.equals(meta.get(SpeechConfig.K_TASK_MODE)); }

    /** Rebuilds the configuration of a checkpoint's metadata; {@code file} names it in errors. */
    public static ConnectedConfig fromMetadata(Map<String, String> meta, String file) {
        try {
            if (!isConnected(meta)) throw new IllegalArgumentException("it is not a connected-digit checkpoint");
            String stack = meta.get(K_STACK);
            if (stack == null) throw new IllegalArgumentException("metadata key " + K_STACK + " is missing");
            return new ConnectedConfig(FeatureConfig.fromMetadata(meta), Integer.parseInt(stack), AcousticConfig.fromMetadata(meta));
        } catch (IllegalArgumentException e) {
            throw new AppException(file + " is not a usable connected-digit checkpoint: " + e.getMessage());
        }
    }
}
