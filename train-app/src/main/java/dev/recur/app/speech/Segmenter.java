package dev.recur.app.speech;

import dev.recur.layers.audio.Features;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the spoken stretches of a recording for the isolated-digit model, so a file with several
 * digits said one at a time gives a digit string. The energy of frame t is its mean log-mel energy
 * {@code e_t}; frames above {@code floor + 0.3·(peak − floor)} (floor: the 10th percentile, peak:
 * the maximum) are speech; stretches closer than {@value #MERGE_GAP} frames are joined, stretches
 * shorter than {@value #MIN_FRAMES} dropped (unless none is left), each widened by
 * {@value #PAD} frames on both sides, and stretches over {@code maxFrames} cut into equal pieces.
 * With less than 10 dB between floor and peak the whole recording is one stretch.
 */
public final class Segmenter {
    public static final int MERGE_GAP = 20, MIN_FRAMES = 8, PAD = 5;
    /** ln(10): 10 dB in natural-log power units. */
    private static final double TEN_DB = Math.log(10);

    private Segmenter() {}

    /** A stretch of frames, {@code [start, end)}. */
    public record Segment(int start, int end) {
        public int length() { return end - start; }
    }

    /** The frame energies of features whose rows are log-mel energies (width M) or MFCCs (c0 = √M · mean). */
    public static double[] energies(Features f, boolean mfcc, int mels) {
        double[] e = new double[f.frames()];
        for (int t = 0; t < e.length; t++) {
            if (mfcc) {
                e[t] = f.get(t, 0) / Math.sqrt(mels);
            } else {
                double s = 0;
                for (int k = 0; k < f.width(); k++) s += f.get(t, k);
                e[t] = s / f.width();
            }
        }
        return e;
    }

    /** The stretches of a recording with frame energies {@code e}. */
    public static List<Segment> segments(double[] e, int maxFrames) {
        int n = e.length;
        double[] sorted = e.clone();
        Arrays.sort(sorted);
        double floor = sorted[(int) (0.1 * (n - 1))], peak = sorted[n - 1];
        List<Segment> raw = new ArrayList<>();
        if (peak - floor < TEN_DB) {
            raw.add(new Segment(0, n));
        } else {
            double threshold = floor + 0.3 * (peak - floor);
            int t = 0;
            while (t < n) {
                if (e[t] <= threshold) { t++; continue; }
                int s = t;
                while (t < n && e[t] > threshold) t++;
                if (!raw.isEmpty() && s - raw.getLast().end() < MERGE_GAP) {
                    raw.set(raw.size() - 1, new Segment(raw.getLast().start(), t));
                } else {
                    raw.add(new Segment(s, t));
                }
            }
            List<Segment> kept = new ArrayList<>();
            for (Segment g : raw) if (g.length() >= MIN_FRAMES) kept.add(g);
            if (kept.isEmpty()) kept.add(raw.stream().max(java.util.Comparator.comparingInt(Segment::length)).orElseThrow());
            raw = new ArrayList<>();
            for (Segment g : kept) raw.add(new Segment(Math.max(0, g.start() - PAD), Math.min(n, g.end() + PAD)));
        }
        List<Segment> out = new ArrayList<>();
        for (Segment g : raw) {
            int pieces = (g.length() + maxFrames - 1) / maxFrames;
            for (int p = 0; p < pieces; p++) {
                out.add(new Segment(g.start() + (int) ((long) g.length() * p / pieces), g.start() + (int) ((long) g.length() * (p + 1) / pieces)));
            }
        }
        return out;
    }
}
