package dev.recur.layers.audio;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.layers.io.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The front end against numpy: {@code audio/features.json} holds the log-mel energies and MFCCs of
 * {@code audio/chirp.wav} computed in float64 by {@code layers/src/test/python/make_audio_fixture.py}
 * with the formulas of docs/speech.md. Tolerance 2e-4 absolute (log-mel, normalised MFCC) and
 * 1e-3 (raw MFCC, whose c0 is a sum of 40 log energies): the Java path keeps the pre-emphasised
 * samples in float32.
 */
class FeatureExtractorTest {
    static final Path DIR = Path.of("src/test/resources/audio");

    @SuppressWarnings("unchecked")
    static Map<String, Object> fixture() throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(DIR.resolve("features.json"), StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    static void assertMatches(Features f, Object expected, double tol, String what) {
        List<List<Object>> rows = (List<List<Object>>) expected;
        assertEquals(rows.size(), f.frames(), what + " frames");
        double worst = 0;
        for (int t = 0; t < f.frames(); t++) {
            for (int k = 0; k < f.width(); k++) {
                double want = ((Number) rows.get(t).get(k)).doubleValue();
                worst = Math.max(worst, Math.abs(want - f.get(t, k)));
                assertEquals(want, f.get(t, k), tol, what + " frame " + t + " feature " + k);
            }
        }
        assertTrue(worst > 0 || tol == 0, "the comparison read numbers");
    }

    @Test
    void logMelAndMfccMatchNumpy() throws Exception {
        Map<String, Object> fx = fixture();
        try (WavReader r = WavReader.open(DIR.resolve("chirp.wav"))) {
            assertMatches(new FeatureExtractor(FeatureConfig.defaults(FeatureConfig.Kind.LOGMEL)).extract(r), fx.get("logmel"), 2e-4, "log-mel");
        }
        try (WavReader r = WavReader.open(DIR.resolve("chirp.wav"))) {
            Features mfcc = new FeatureExtractor(FeatureConfig.defaults(FeatureConfig.Kind.MFCC)).extract(r);
            assertMatches(mfcc, fx.get("mfcc"), 1e-3, "MFCC");
            assertMatches(mfcc.normalise(), fx.get("mfcc_normalised"), 2e-4, "normalised MFCC");
        }
    }

    @Test
    void streamingGivesTheSameFeaturesAsTheWholeSignal() {
        float[] all = WavReader.readAll(DIR.resolve("chirp.wav"));
        FeatureExtractor fe = new FeatureExtractor(FeatureConfig.defaults(FeatureConfig.Kind.LOGMEL));
        Features whole = fe.extract(all, "signal");
        Features streamed;
        try (WavReader r = WavReader.open(DIR.resolve("chirp.wav"))) {
            streamed = fe.extract(r);
        }
        assertArrayEquals(whole.values(), streamed.values());
        assertEquals(FeatureConfig.defaults(FeatureConfig.Kind.LOGMEL).frames(all.length), whole.frames());
    }

    @Test
    void fftMatchesTheDefinition() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int n : new int[] {2, 8, 64, 256}) {
            double[] re = new double[n], im = new double[n], x = new double[n], y = new double[n];
            for (int j = 0; j < n; j++) {
                x[j] = re[j] = rng.nextDouble(-1, 1);
                y[j] = im[j] = rng.nextDouble(-1, 1);
            }
            new Fft(n).transform(re, im);
            for (int k = 0; k < n; k++) {
                double sr = 0, si = 0;
                for (int j = 0; j < n; j++) {
                    double a = -2 * Math.PI * j * k / n;
                    sr += x[j] * Math.cos(a) - y[j] * Math.sin(a);
                    si += x[j] * Math.sin(a) + y[j] * Math.cos(a);
                }
                assertEquals(sr, re[k], 1e-9, "re " + k + " of " + n);
                assertEquals(si, im[k], 1e-9, "im " + k + " of " + n);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Fft(200));
    }

    @Test
    void aShortSignalIsOneZeroPaddedFrameAndSilenceIsRefused() {
        FeatureExtractor fe = new FeatureExtractor(FeatureConfig.defaults(FeatureConfig.Kind.MFCC));
        float[] shortOne = new float[120];
        for (int i = 0; i < shortOne.length; i++) shortOne[i] = (float) Math.sin(i * 0.3) * 0.5f;
        assertEquals(1, fe.extract(shortOne, "short").frames());
        AudioException e = assertThrows(AudioException.class, () -> fe.extract(new float[4000], "quiet.wav"));
        assertTrue(e.getMessage().startsWith("quiet.wav is silence only"), e.getMessage());
        e = assertThrows(AudioException.class, () -> fe.extract(new float[0], "empty.wav"));
        assertTrue(e.getMessage().contains("holds no samples"), e.getMessage());
    }
}
