package dev.recur.layers.audio;

/**
 * Log-mel filterbank energies and MFCCs of 8 kHz mono audio (the formulas, with the numpy
 * reference they are tested against, are in docs/speech.md):
 * <pre>
 * y[n]   = x[n] − a·x[n−1]                     pre-emphasis (y[0] = x[0])
 * f_t[j] = y[t·hop + j] · (0.54 − 0.46·cos(2πj/(L−1)))   Hamming-windowed frame, j &lt; L, zero-padded to N
 * P_t[k] = |FFT_N(f_t)[k]|² / N                power spectrum, k = 0 … N/2
 * E_t[m] = ln max(Σ_k W[m][k]·P_t[k], 1e−10)   log mel energies (triangular filters W, HTK mel scale)
 * c_t[i] = s_i Σ_m E_t[m]·cos(πi(m + ½)/M)      MFCC (orthonormal DCT-II: s_0 = √(1/M), s_i = √(2/M))
 * </pre>
 * The signal is streamed: a file is read block by block ({@link #extract(WavReader)}) and only the
 * features are kept, so memory is bounded by the frames (a 10-minute file: 60,000 frames × 40
 * values, 9.6 MB). One extractor per thread (it reuses its FFT buffers).
 */
public final class FeatureExtractor {
    /** Below this peak level (−60 dBFS) an utterance counts as silence only. */
    public static final float SILENCE_PEAK = 1e-3f;

    private final FeatureConfig cfg;
    private final Fft fft;
    private final double[] window, re, im, power, logMel;
    private final double[][] filters;
    private final int[] firstBin, lastBin;
    private final float[] pending;
    private final float[] block = new float[4096];

    public FeatureExtractor(FeatureConfig config) {
        this.cfg = config;
        int l = config.frameLength(), n = config.fftSize(), m = config.mels();
        fft = new Fft(n);
        window = new double[l];
        for (int j = 0; j < l; j++) window[j] = 0.54 - 0.46 * Math.cos(2 * Math.PI * j / (l - 1));
        re = new double[n];
        im = new double[n];
        power = new double[n / 2 + 1];
        logMel = new double[m];
        filters = melFilters(config);
        firstBin = new int[m];
        lastBin = new int[m];
        for (int f = 0; f < m; f++) {
            int a = 0;
            while (a < power.length && filters[f][a] == 0) a++;
            int b = power.length - 1;
            while (b > a && filters[f][b] == 0) b--;
            firstBin[f] = a;
            lastBin[f] = b;
        }
        pending = new float[l];
    }

    public FeatureConfig config() { return cfg; }

    /** HTK mel: {@code 2595·log10(1 + f/700)}. */
    public static double mel(double hz) { return 2595 * Math.log10(1 + hz / 700); }

    /** The inverse of {@link #mel}. */
    public static double hz(double mel) { return 700 * (Math.pow(10, mel / 2595) - 1); }

    /**
     * The triangular filters, {@code mels × (N/2 + 1)}: M + 2 points equally spaced on the mel
     * scale from 0 to rate/2, {@code h_0 … h_{M+1}} in Hz; filter m rises from {@code h_m} to 1 at
     * {@code h_{m+1}} and falls to 0 at {@code h_{m+2}}, evaluated at the bin frequencies
     * {@code k·rate/N} (no area normalisation).
     */
    public static double[][] melFilters(FeatureConfig c) {
        int m = c.mels(), bins = c.fftSize() / 2 + 1;
        double top = mel(c.sampleRate() / 2.0);
        double[] h = new double[m + 2];
        for (int i = 0; i < m + 2; i++) h[i] = hz(top * i / (m + 1));
        double[][] w = new double[m][bins];
        for (int f = 0; f < m; f++) {
            for (int k = 0; k < bins; k++) {
                double hzK = (double) k * c.sampleRate() / c.fftSize();
                double up = (hzK - h[f]) / (h[f + 1] - h[f]);
                double down = (h[f + 2] - hzK) / (h[f + 2] - h[f + 1]);
                w[f][k] = Math.max(0, Math.min(up, down));
            }
        }
        return w;
    }

    /** The features of a whole signal (mono, at the configured rate, values in [−1, 1]); not normalised. */
    public Features extract(float[] samples, String what) {
        Stream s = new Stream(cfg.frames(samples.length));
        s.push(samples, 0, samples.length);
        return s.finish(what);
    }

    /** The features of a file, streamed block by block; not normalised. */
    public Features extract(WavReader reader) {
        Stream s = new Stream(cfg.frames(reader.frames()));
        int n;
        while ((n = reader.read(block, 0, block.length)) > 0) s.push(block, 0, n);
        return s.finish(reader.file().toString());
    }

    /** One utterance in progress: pre-emphasis state, the pending frame, the growing output. */
    private final class Stream {
        private final float[] out;
        private int frames, filled;
        private long samples;
        private float previous, peak;

        Stream(int expectedFrames) { out = new float[expectedFrames * cfg.width()]; }

        void push(float[] x, int off, int len) {
            float a = cfg.preEmphasis();
            int l = cfg.frameLength(), hop = cfg.hop();
            for (int i = off; i < off + len; i++) {
                float v = x[i];
                peak = Math.max(peak, Math.abs(v));
                pending[filled++] = samples == 0 ? v : v - a * previous;
                previous = v;
                samples++;
                if (filled == l) {
                    emit(l);
                    System.arraycopy(pending, hop, pending, 0, l - hop);
                    filled = l - hop;
                }
            }
        }

        Features finish(String what) {
            if (samples == 0) throw new AudioException(what + " holds no samples: give a recording of speech");
            if (peak < SILENCE_PEAK) {
                throw new AudioException(what + " is silence only (peak level " + (peak == 0 ? "−∞" : String.format("%.0f", 20 * Math.log10(peak)))
                        + " dBFS, below −60): check the recording or the microphone");
            }
            if (samples < cfg.frameLength()) emit(filled);   // one zero-padded frame
            return new Features(frames, cfg.width(), out);
        }

        private void emit(int valid) {
            if (frames * cfg.width() >= out.length) return;   // a frame beyond the header's count cannot happen; guard anyway
            frame(pending, valid, out, frames * cfg.width());
            frames++;
        }
    }

    /** One frame's feature vector from {@code valid} pre-emphasised samples into {@code out[at …]}. */
    private void frame(float[] y, int valid, float[] out, int at) {
        int n = cfg.fftSize(), m = cfg.mels();
        for (int j = 0; j < n; j++) {
            re[j] = j < valid ? y[j] * window[j] : 0;
            im[j] = 0;
        }
        fft.transform(re, im);
        for (int k = 0; k < power.length; k++) power[k] = (re[k] * re[k] + im[k] * im[k]) / n;
        for (int f = 0; f < m; f++) {
            double e = 0;
            double[] w = filters[f];
            for (int k = firstBin[f]; k <= lastBin[f]; k++) e += w[k] * power[k];
            logMel[f] = Math.log(Math.max(e, 1e-10));
        }
        if (cfg.kind() == FeatureConfig.Kind.LOGMEL) {
            for (int f = 0; f < m; f++) out[at + f] = (float) logMel[f];
        } else {
            for (int i = 0; i < cfg.cepstra(); i++) {
                double s = 0;
                for (int f = 0; f < m; f++) s += logMel[f] * Math.cos(Math.PI * i * (f + 0.5) / m);
                out[at + i] = (float) (s * Math.sqrt((i == 0 ? 1.0 : 2.0) / m));
            }
        }
    }
}
