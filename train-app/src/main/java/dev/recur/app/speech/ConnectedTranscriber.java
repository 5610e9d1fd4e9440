package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.app.run.Checkpoint;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.audio.Features;
import dev.recur.layers.loss.CtcDecoder;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.CtcAcousticModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns recordings into digit strings with a connected-digit (CTC) checkpoint: the file is read
 * (streamed) into MFCC frames, cut into windows of at most {@value #WINDOW_FRAMES} frames (20 s;
 * a longer file is cut at the quietest frame of each window's last 3 s, which bounds the model's
 * workspace whatever the file's length), each window normalised, stacked and decoded (best path,
 * or prefix beam search). Each digit's start and end are its run on the CTC path: the frames the
 * path spends on that digit (the path's blanks are the time between digits), and its probability
 * the mean posterior of the digit over those frames.
 */
public final class ConnectedTranscriber implements AutoCloseable {
    /** Longest window of 10 ms frames the model sees at once. */
    public static final int WINDOW_FRAMES = 2000;
    private static final int SEARCH = 300;

    private final ConnectedConfig cfg;
    private final CtcAcousticModel model;
    private final Recording.Extractors extractors;
    private final StackedFeatures stacker;
    private final Batch batch;
    private final CtcDecoder decoder = new CtcDecoder(0);
    private final int beam;

    /** A transcriber of {@code checkpoint} decoding greedily ({@code beam} ≤ 1) or with a prefix beam of {@code beam}. */
    public ConnectedTranscriber(Path checkpoint, int beam) {
        Checkpoint ck = Checkpoint.read(checkpoint, SpeechConfig.TASK, "speech");
        cfg = ConnectedConfig.fromMetadata(ck.metadata(), checkpoint.toString());
        stacker = cfg.frames();
        int maxSteps = (WINDOW_FRAMES + cfg.stack() - 1) / cfg.stack();
        model = new CtcAcousticModel(cfg.model(), 0, maxSteps, 1, 1);
        ck.loadParameters(model.parameters());
        model.eval();
        extractors = Recording.Extractors.of(cfg.features());
        batch = Batch.ofFrames(maxSteps, 1, stacker.width());
        this.beam = beam;
    }

    public ConnectedConfig config() { return cfg; }

    /** The transcript of {@code file}; a clear {@link AppException} for a file that cannot be used. */
    public Transcriber.Transcript transcribe(Path file, boolean keepSpectrogram) {
        Recording rec = Recording.read(file, extractors, keepSpectrogram);
        Features raw = rec.features();
        FeatureConfig fc = cfg.features();
        double hop = (double) fc.hop() / fc.sampleRate(), step = hop * cfg.stack();
        double[] energy = Segmenter.energies(raw, fc.kind() == FeatureConfig.Kind.MFCC, fc.mels());
        StringBuilder text = new StringBuilder();
        List<Transcriber.Digit> digits = new ArrayList<>();
        int w = raw.width();
        for (int start = 0; start < raw.frames(); ) {
            int end = cut(energy, start);
            Features part = new Features(end - start, w, Arrays.copyOfRange(raw.values(), start * w, end * w)).normalise();
            Features x = stacker.stack(part);
            batch.reset(x.frames(), 1);
            System.arraycopy(x.values(), 0, batch.frames(), 0, x.frames() * x.width());
            batch.lengths()[0] = x.frames();
            FloatMatrix lg = model.logits(batch);
            List<CtcDecoder.Symbol> symbols = beam > 1 ? decoder.beam(lg, 1, 0, x.frames(), beam) : decoder.greedy(lg, 1, 0, x.frames());
            for (CtcDecoder.Symbol s : symbols) {
                char d = SpeechConfig.DIGITS.charAt(s.label() - 1);
                text.append(d);
                double p = 0;
                for (int t = s.startFrame(); t <= s.endFrame(); t++) p += posterior(lg, t, s.label());
                digits.add(new Transcriber.Digit(d, start * hop + s.startFrame() * step, start * hop + (s.endFrame() + 1) * step,
                        p / (s.endFrame() - s.startFrame() + 1)));
            }
            start = end;
        }
        return new Transcriber.Transcript(file, text.toString(), digits, rec.spectrogram(), (double) rec.samples() / fc.sampleRate());
    }

    /** End of the window starting at {@code start}: the file's end, or the quietest frame of the window's last 3 s. */
    static int cut(double[] energy, int start) {
        if (energy.length - start <= WINDOW_FRAMES) return energy.length;
        int quietest = start + WINDOW_FRAMES - SEARCH;
        for (int t = quietest + 1; t < start + WINDOW_FRAMES; t++) if (energy[t] < energy[quietest]) quietest = t;
        return quietest;
    }

    private static double posterior(FloatMatrix lg, int t, int k) {
        double max = Double.NEGATIVE_INFINITY, z = 0;
        for (int c = 0; c < lg.cols(); c++) max = Math.max(max, lg.get(t, c));
        for (int c = 0; c < lg.cols(); c++) z += Math.exp(lg.get(t, c) - max);
        return Math.exp(lg.get(t, k) - max) / z;
    }

    @Override
    public void close() { model.close(); }
}
