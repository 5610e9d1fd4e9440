package dev.recur.layers.audio;

/**
 * The feature frames of one utterance: {@code frames × width} values, row-major (frame {@code t}'s
 * vector at {@code values[t·width …]}).
 */
public record Features(int frames, int width, float[] values) {
    public Features {
        if (frames < 1 || width < 1 || values.length < (long) frames * width) {
            throw new IllegalArgumentException("features of " + frames + " × " + width + " need that many values, got " + values.length);
        }
    }

    public float get(int t, int k) { return values[t * width + k]; }

    /**
     * Per-utterance mean/variance normalisation in place: every feature k becomes
     * {@code (x − μ_k) / (σ_k + 1e-5)} with μ_k, σ_k the mean and population standard deviation of
     * feature k over the frames. Returns this.
     */
    public Features normalise() {
        for (int k = 0; k < width; k++) {
            double sum = 0;
            for (int t = 0; t < frames; t++) sum += values[t * width + k];
            double mean = sum / frames;
            double sq = 0;
            for (int t = 0; t < frames; t++) {
                double d = values[t * width + k] - mean;
                sq += d * d;
            }
            double scale = 1.0 / (Math.sqrt(sq / frames) + 1e-5);
            for (int t = 0; t < frames; t++) values[t * width + k] = (float) ((values[t * width + k] - mean) * scale);
        }
        return this;
    }
}
