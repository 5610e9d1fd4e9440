package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.layers.audio.AudioException;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.audio.FeatureExtractor;
import dev.recur.layers.audio.Features;
import dev.recur.layers.audio.WavReader;
import java.nio.file.Path;

/**
 * One recording as the transcribers read it: the model's features, streamed from the file, and,
 * when a plot wants it, the log-mel spectrogram of the same frames (a second pass over the file).
 * A file that cannot be used is a clear {@link AppException}, from either pass.
 */
record Recording(Features features, Features spectrogram, long samples) {

    /** The two extractors of {@code cfg}: its own features, and the log-mel spectrogram of the same framing. */
    record Extractors(FeatureExtractor features, FeatureExtractor spectrogram) {
        static Extractors of(FeatureConfig f) {
            return new Extractors(new FeatureExtractor(f), new FeatureExtractor(new FeatureConfig(FeatureConfig.Kind.LOGMEL,
                    f.sampleRate(), f.frameLength(), f.hop(), f.fftSize(), f.mels(), f.cepstra(), f.preEmphasis())));
        }
    }

    /** Reads {@code file}; the spectrogram only with {@code keepSpectrogram} (else null). */
    static Recording read(Path file, Extractors x, boolean keepSpectrogram) {
        try {
            Features features;
            long samples;
            try (WavReader r = WavReader.open(file)) {
                samples = r.frames();
                features = x.features().extract(r);
            }
            Features spectrogram = null;
            if (keepSpectrogram) {
                try (WavReader r = WavReader.open(file)) {
                    spectrogram = x.spectrogram().extract(r);
                }
            }
            return new Recording(features, spectrogram, samples);
        } catch (AudioException e) {
            throw new AppException(e.getMessage());
        }
    }
}
