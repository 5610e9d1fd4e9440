package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.app.run.Checkpoint;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.audio.Features;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns recordings into digit strings with a trained isolated-digit checkpoint: each file is read
 * (streamed), its spoken stretches found ({@link Segmenter}), and every stretch, normalised on its
 * own, classified. Stretches are at most {@value #MAX_SEGMENT_FRAMES} frames (3 s), which bounds
 * the model's workspace whatever the file's length.
 */
public final class Transcriber implements AutoCloseable {
    public static final int MAX_SEGMENT_FRAMES = 300;

    /** One recognised digit: where it is (seconds) and how sure the model is. */
    public record Digit(char digit, double start, double end, double probability) { }

    /** What a file says, with the log-mel spectrogram for plots. */
    public record Transcript(Path file, String text, List<Digit> digits, Features spectrogram, double seconds) { }

    private final SpeechConfig cfg;
    private final SequenceClassifier model;
    private final Recording.Extractors extractors;
    private final Batch batch;
    private final float[] probs = new float[10];

    public Transcriber(Path checkpoint) {
        Checkpoint ck = Checkpoint.read(checkpoint, SpeechConfig.TASK, "speech");
        cfg = SpeechConfig.fromMetadata(ck.metadata(), checkpoint.toString());
        model = new SequenceClassifier(cfg.model(), 0, MAX_SEGMENT_FRAMES, 1);
        ck.loadParameters(model.parameters());
        model.eval();
        extractors = Recording.Extractors.of(cfg.features());
        batch = Batch.ofFrames(MAX_SEGMENT_FRAMES, 1, cfg.features().width());
    }

    public SpeechConfig config() { return cfg; }

    /** The transcript of {@code file}; a clear {@link AppException} for a file that cannot be used. */
    public Transcript transcribe(Path file, boolean keepSpectrogram) {
        Recording rec = Recording.read(file, extractors, keepSpectrogram);
        Features raw = rec.features();
        FeatureConfig fc = cfg.features();
        double[] energy = Segmenter.energies(raw, fc.kind() == FeatureConfig.Kind.MFCC, fc.mels());
        StringBuilder text = new StringBuilder();
        List<Digit> digits = new ArrayList<>();
        double hop = (double) fc.hop() / fc.sampleRate();
        for (Segmenter.Segment s : Segmenter.segments(energy, MAX_SEGMENT_FRAMES)) {
            int w = raw.width();
            Features part = new Features(s.length(), w, Arrays.copyOfRange(raw.values(), s.start() * w, s.end() * w)).normalise();
            batch.reset(s.length(), 1);
            FrameBatches.write(batch, 1, s.length(), k -> part);
            model.predict(batch, probs);
            int best = 0;
            for (int k = 1; k < 10; k++) if (probs[k] > probs[best]) best = k;
            char d = SpeechConfig.DIGITS.charAt(best);
            text.append(d);
            digits.add(new Digit(d, s.start() * hop, (s.end() - 1) * hop + (double) fc.frameLength() / fc.sampleRate(), probs[best]));
        }
        return new Transcript(file, text.toString(), digits, rec.spectrogram(), (double) rec.samples() / fc.sampleRate());
    }

    /** The logits row of the last prediction (for tests). */
    FloatMatrix lastLogits() { return model.lastLogits(); }

    @Override
    public void close() { model.close(); }
}
