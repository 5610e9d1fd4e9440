package dev.recur.app.speech;

import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.audio.FeatureExtractor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small generated stand-in for spoken digits, so {@code speech} works with no data: every
 * "digit" is a formant-like sound of two glides, each from a start to an end frequency of its own
 * (digit d: first formant 250 + 70·d → 250 + 70·(7d mod 10) Hz, second 2600 − 160·d →
 * 900 + 170·(3d mod 10) Hz), voiced at a random pitch of 90–180 Hz, 0.25–0.55 s long with a
 * random onset, loudness and low-level noise. Six "speakers" shift every formant by their own
 * factor (0.95–1.05). Takes 0–4 are the test set as in FSDD. Deterministic for a seed.
 */
public final class SyntheticDigits {
    public static final int SPEAKERS = 6, TAKES = 10;
    /** What the split by take is on this set (FSDD's "official split" names its own recordings). */
    public static final String SPLIT = "generated set: takes 0–4 test, 5–9 train";
    private static final int RATE = 8000;

    private SyntheticDigits() {}

    /** One utterance's samples. */
    static float[] signal(int digit, double speakerShift, SplittableRandom r) {
        double seconds = 0.25 + 0.3 * r.nextDouble();
        int lead = (int) (RATE * 0.05 * r.nextDouble()), n = (int) (RATE * seconds), tail = (int) (RATE * 0.05 * r.nextDouble());
        float[] x = new float[lead + n + tail];
        double f1a = (250 + 70 * digit) * speakerShift, f1b = (250 + 70 * (7 * digit % 10)) * speakerShift;
        double f2a = (2600 - 160 * digit) * speakerShift, f2b = (900 + 170 * (3 * digit % 10)) * speakerShift;
        double pitch = 90 + 90 * r.nextDouble(), gain = 0.2 + 0.5 * r.nextDouble();
        double p1 = 0, p2 = 0, pv = 0;
        for (int i = 0; i < n; i++) {
            double u = (double) i / n;
            double env = Math.sin(Math.PI * u);
            p1 += 2 * Math.PI * (f1a + (f1b - f1a) * u) / RATE;
            p2 += 2 * Math.PI * (f2a + (f2b - f2a) * u) / RATE;
            pv += 2 * Math.PI * pitch / RATE;
            double voicing = 0.6 + 0.4 * Math.cos(pv);
            x[lead + i] = (float) (gain * env * voicing * (0.7 * Math.sin(p1) + 0.3 * Math.sin(p2)));
        }
        for (int i = 0; i < x.length; i++) x[i] += (float) (0.01 * (r.nextDouble() - 0.5));
        return x;
    }

    /** The generated speakers' names ({@code synth0} …), as {@link #generate} names them. */
    public static List<String> speakers() {
        List<String> out = new ArrayList<>();
        for (int s = 0; s < SPEAKERS; s++) out.add("synth" + s);
        return out;
    }

    /** Every utterance (10 digits × {@value #SPEAKERS} speakers × {@value #TAKES} takes), normalised features. */
    public static List<Utterance> generate(FeatureConfig features, long seed) {
        FeatureExtractor fe = new FeatureExtractor(features);
        SplittableRandom r = new SplittableRandom(seed);
        List<Utterance> out = new ArrayList<>();
        for (int s = 0; s < SPEAKERS; s++) {
            double shift = 0.95 + 0.1 * s / (SPEAKERS - 1);
            for (int d = 0; d < 10; d++) {
                for (int take = 0; take < TAKES; take++) {
                    String name = d + "_synth" + s + "_" + take;
                    out.add(new Utterance(name, d, "synth" + s, take, fe.extract(signal(d, shift, r), name).normalise()));
                }
            }
        }
        return out;
    }
}
