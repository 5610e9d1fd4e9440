package dev.recur.app.speech;

import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.audio.FeatureExtractor;
import dev.recur.layers.audio.Features;

/**
 * The acoustic model's input: the front end's features (per-utterance normalised), then every
 * {@code stack} consecutive frames joined into one ({@code stack·width} values, the last group
 * padded with the final frame), so the recurrent stack runs at {@code stack·hop} per step (30 ms
 * for 3 × 10 ms): a digit still spans well over the frames CTC needs, and the model does a third
 * of the work.
 */
public final class StackedFeatures {
    private final FeatureExtractor extractor;
    private final int stack;

    public StackedFeatures(FeatureConfig config, int stack) {
        if (stack < 1) throw new IllegalArgumentException("frame stacking must be ≥ 1, got " + stack);
        this.extractor = new FeatureExtractor(config);
        this.stack = stack;
    }

    public int stack() { return stack; }

    /** Values per model frame. */
    public int width() { return extractor.config().width() * stack; }

    /** Seconds per model frame. */
    public double secondsPerFrame() { return (double) stack * extractor.config().hop() / extractor.config().sampleRate(); }

    /** Model frames of a signal of {@code samples} samples. */
    public int frames(long samples) { return (extractor.config().frames(samples) + stack - 1) / stack; }

    /** The model frames of {@code samples}. */
    public Features of(float[] samples, String what) {
        return stack(extractor.extract(samples, what).normalise());
    }

    /** Front-end frames (already normalised) stacked into model frames. */
    public Features stack(Features f) {
        int w = f.width(), frames = (f.frames() + stack - 1) / stack;
        float[] out = new float[frames * w * stack];
        for (int t = 0; t < frames; t++) {
            for (int j = 0; j < stack; j++) {
                int src = Math.min(t * stack + j, f.frames() - 1);
                System.arraycopy(f.values(), src * w, out, (t * stack + j) * w, w);
            }
        }
        return new Features(frames, w * stack, out);
    }
}
