package dev.recur.layers.audio;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The speech front end's settings (docs/speech.md has the formulas): 8 kHz audio, pre-emphasis
 * {@code preEmphasis}, frames of {@code frameLength} samples every {@code hop} (25 ms / 10 ms),
 * Hamming window, an {@code fftSize}-point power spectrum, {@code mels} triangular mel filters over
 * [0, rate/2], natural log; for MFCC the orthonormal DCT-II of the log energies, first
 * {@code cepstra} coefficients. Per-utterance mean/variance normalisation of every feature.
 *
 * @param kind        log-mel energies or MFCCs
 * @param mels        mel filters
 * @param cepstra     MFCCs kept (for {@link Kind#MFCC}; ≤ mels)
 */
public record FeatureConfig(Kind kind, int sampleRate, int frameLength, int hop, int fftSize, int mels, int cepstra,
                            float preEmphasis) {
    /** What a frame's vector holds. */
    public enum Kind {
        LOGMEL("logmel"), MFCC("mfcc");
        private final String id;
        Kind(String id) { this.id = id; }
        public String id() { return id; }
        public static Kind parse(String s) {
            for (Kind k : values()) if (k.id.equalsIgnoreCase(s.trim())) return k;
            throw new IllegalArgumentException("unknown feature kind '" + s + "': use logmel or mfcc");
        }
    }

    public static final String META_PREFIX = "speech.features.";

    public FeatureConfig {
        if (kind == null) throw new IllegalArgumentException("feature kind is missing (logmel or mfcc)");
        if (sampleRate < 1000 || frameLength < 16 || hop < 1 || hop > frameLength || fftSize < frameLength
                || Integer.bitCount(fftSize) != 1 || mels < 2 || mels > fftSize / 2 || cepstra < 1 || cepstra > mels
                || !(preEmphasis >= 0f && preEmphasis < 1f)) {
            throw new IllegalArgumentException("invalid feature settings: " + this);
        }
    }

    /** 8 kHz, 25 ms / 10 ms frames (200 / 80 samples), 256-point FFT, 40 mel filters, 13 MFCCs, pre-emphasis 0.97. */
    public static FeatureConfig defaults(Kind kind) { return new FeatureConfig(kind, 8000, 200, 80, 256, 40, 13, 0.97f); }

    /** Values per frame: {@code mels} for log-mel, {@code cepstra} for MFCC. */
    public int width() { return kind == Kind.LOGMEL ? mels : cepstra; }

    /** Frames of a signal of {@code samples}: {@code 1 + ⌊(n − L)/hop⌋} for n ≥ L, else 1 (zero-padded). */
    public int frames(long samples) { return samples <= frameLength ? 1 : (int) (1 + (samples - frameLength) / hop); }

    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(META_PREFIX + "kind", kind.id());
        m.put(META_PREFIX + "sample_rate", Integer.toString(sampleRate));
        m.put(META_PREFIX + "frame_length", Integer.toString(frameLength));
        m.put(META_PREFIX + "hop", Integer.toString(hop));
        m.put(META_PREFIX + "fft_size", Integer.toString(fftSize));
        m.put(META_PREFIX + "mels", Integer.toString(mels));
        m.put(META_PREFIX + "cepstra", Integer.toString(cepstra));
        m.put(META_PREFIX + "pre_emphasis", Float.toString(preEmphasis));
        return m;
    }

    /** Rebuilds the settings from {@link #toMetadata()}; a clear error names a missing or bad key. */
    public static FeatureConfig fromMetadata(Map<String, String> meta) {
        try {
            return new FeatureConfig(Kind.parse(get(meta, "kind")), Integer.parseInt(get(meta, "sample_rate")),
                    Integer.parseInt(get(meta, "frame_length")), Integer.parseInt(get(meta, "hop")), Integer.parseInt(get(meta, "fft_size")),
                    Integer.parseInt(get(meta, "mels")), Integer.parseInt(get(meta, "cepstra")), Float.parseFloat(get(meta, "pre_emphasis")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad feature settings in the metadata (" + e.getMessage() + ")");
        }
    }

    private static String get(Map<String, String> meta, String key) {
        String v = meta.get(META_PREFIX + key);
        if (v == null) throw new IllegalArgumentException("metadata key " + META_PREFIX + key + " is missing");
        return v;
    }
}
