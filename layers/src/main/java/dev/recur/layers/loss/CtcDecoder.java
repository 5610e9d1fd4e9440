package dev.recur.layers.loss;

import dev.recur.engine.FloatMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a CTC model's per-frame logits back into label sequences, each label with the frames it
 * spans on a path.
 *
 * <ul>
 *   <li>{@link #greedy}: best path decoding — the most likely class of every frame, repeats
 *       merged, blanks dropped; the times are that path's runs.</li>
 *   <li>{@link #beam}: prefix beam search (Hannun et al. 2014) keeping the {@code width} most
 *       likely label prefixes, each with its blank-ending and non-blank-ending probability
 *       {@code p_b, p_nb} (log space); the times are those of the most likely path of the chosen
 *       labels (a Viterbi alignment, {@link #align}).</li>
 * </ul>
 *
 * <p>Rows are time-major as in {@link CtcLoss}: row {@code t·B + b} is frame t of sequence b. Not
 * for the training hot loop: decoding allocates its result.
 */
public final class CtcDecoder {
    private final int blank;

    /** One decoded label: its class and the first and last frame of its run on the path (inclusive). */
    public record Symbol(int label, int startFrame, int endFrame) {}

    /** A decoder for logits whose class {@code blank} is the CTC blank. */
    public CtcDecoder(int blank) {
        if (blank < 0) throw new IllegalArgumentException("CTC blank must be ≥ 0, got " + blank);
        this.blank = blank;
    }

    public int blank() { return blank; }

    /** Best path decoding of sequence {@code b} (of {@code batch}) over its first {@code frames} frames. */
    public List<Symbol> greedy(FloatMatrix logits, int batch, int b, int frames) {
        List<Symbol> out = new ArrayList<>();
        int prev = -1, start = 0;
        for (int t = 0; t < frames; t++) {
            int row = t * batch + b, best = 0;
            for (int k = 1; k < logits.cols(); k++) if (logits.get(row, k) > logits.get(row, best)) best = k;
            if (best != prev) {
                if (prev >= 0 && prev != blank) out.add(new Symbol(prev, start, t - 1));
                prev = best;
                start = t;
            }
        }
        if (prev >= 0 && prev != blank) out.add(new Symbol(prev, start, frames - 1));
        return out;
    }

    /** Prefix beam search of sequence {@code b} with {@code width} prefixes kept per frame (width 1 is close to, not equal to, greedy). */
    public List<Symbol> beam(FloatMatrix logits, int batch, int b, int frames, int width) {
        if (width < 1) throw new IllegalArgumentException("beam width must be ≥ 1, got " + width);
        double[][] lp = logProbs(logits, batch, b, frames);
        int c = logits.cols();
        Map<Prefix, double[]> beam = new HashMap<>();
        beam.put(Prefix.EMPTY, new double[] {0, NEG});          // {ln p_b, ln p_nb}
        for (int t = 0; t < frames; t++) {
            Map<Prefix, double[]> next = new HashMap<>();
            for (Map.Entry<Prefix, double[]> e : beam.entrySet()) {
                Prefix p = e.getKey();
                double pb = e.getValue()[0], pnb = e.getValue()[1];
                double[] same = next.computeIfAbsent(p, k -> new double[] {NEG, NEG});
                same[0] = lse(same[0], lse(pb, pnb) + lp[t][blank]);               // a blank: the prefix stays
                if (p.last() >= 0) same[1] = lse(same[1], pnb + lp[t][p.last()]);  // the last label repeated: merged
                for (int k = 0; k < c; k++) {
                    if (k == blank) continue;
                    Prefix q = p.append(k);
                    double[] ext = next.computeIfAbsent(q, key -> new double[] {NEG, NEG});
                    // after a non-blank equal label only a blank in between makes a new symbol
                    ext[1] = lse(ext[1], (k == p.last() ? pb : lse(pb, pnb)) + lp[t][k]);
                }
            }
            List<Map.Entry<Prefix, double[]>> ranked = new ArrayList<>(next.entrySet());
            ranked.sort(Comparator.comparingDouble((Map.Entry<Prefix, double[]> e) -> -lse(e.getValue()[0], e.getValue()[1]))
                    .thenComparing(e -> e.getKey().toString()));
            beam = new HashMap<>();
            for (int i = 0; i < Math.min(width, ranked.size()); i++) beam.put(ranked.get(i).getKey(), ranked.get(i).getValue());
        }
        Prefix best = null;
        double bestScore = NEG;
        for (Map.Entry<Prefix, double[]> e : beam.entrySet()) {
            double s = lse(e.getValue()[0], e.getValue()[1]);
            if (best == null || s > bestScore || (s == bestScore && e.getKey().toString().compareTo(best.toString()) < 0)) {
                best = e.getKey();
                bestScore = s;
            }
        }
        return align(lp, frames, best.labels());
    }

    /**
     * The most likely path (Viterbi over the CTC trellis) of {@code labels} through sequence b's
     * frames, as symbols with their runs; empty when the labels do not fit in the frames.
     */
    public List<Symbol> align(FloatMatrix logits, int batch, int b, int frames, int[] labels) {
        return align(logProbs(logits, batch, b, frames), frames, labels);
    }

    private List<Symbol> align(double[][] lp, int frames, int[] labels) {
        int s = 2 * labels.length + 1;
        int[] ext = new int[s];
        for (int i = 0; i < s; i++) ext[i] = (i & 1) == 0 ? blank : labels[i >> 1];
        double[][] v = new double[frames][s];
        int[][] from = new int[frames][s];
        for (double[] row : v) Arrays.fill(row, NEG);
        v[0][0] = lp[0][blank];
        if (s > 1) v[0][1] = lp[0][ext[1]];
        for (int t = 1; t < frames; t++) {
            for (int i = 0; i < s; i++) {
                double best = v[t - 1][i];
                int arg = i;
                if (i >= 1 && v[t - 1][i - 1] > best) { best = v[t - 1][i - 1]; arg = i - 1; }
                if (i >= 2 && ext[i] != blank && ext[i] != ext[i - 2] && v[t - 1][i - 2] > best) { best = v[t - 1][i - 2]; arg = i - 2; }
                if (best == NEG) continue;
                v[t][i] = best + lp[t][ext[i]];
                from[t][i] = arg;
            }
        }
        int end = s - 1;
        if (s > 1 && v[frames - 1][s - 2] > v[frames - 1][s - 1]) end = s - 2;
        if (v[frames - 1][end] == NEG) return List.of();
        int[] state = new int[frames];
        state[frames - 1] = end;
        for (int t = frames - 1; t > 0; t--) state[t - 1] = from[t][state[t]];
        List<Symbol> out = new ArrayList<>();
        int t = 0;
        while (t < frames) {
            int st = state[t], u = t;
            while (u + 1 < frames && state[u + 1] == st) u++;
            if ((st & 1) == 1) out.add(new Symbol(ext[st], t, u));
            t = u + 1;
        }
        return out;
    }

    /** The labels of decoded symbols. */
    public static int[] labels(List<Symbol> symbols) {
        int[] out = new int[symbols.size()];
        for (int i = 0; i < out.length; i++) out[i] = symbols.get(i).label();
        return out;
    }

    private static double[][] logProbs(FloatMatrix logits, int batch, int b, int frames) {
        int c = logits.cols();
        double[][] lp = new double[frames][c];
        for (int t = 0; t < frames; t++) {
            int row = t * batch + b;
            double max = NEG;
            for (int k = 0; k < c; k++) max = Math.max(max, logits.get(row, k));
            double z = 0;
            for (int k = 0; k < c; k++) z += Math.exp(logits.get(row, k) - max);
            double lz = max + Math.log(z);
            for (int k = 0; k < c; k++) lp[t][k] = logits.get(row, k) - lz;
        }
        return lp;
    }

    private static final double NEG = Double.NEGATIVE_INFINITY;

    private static double lse(double x, double y) {
        if (x == NEG) return y;
        if (y == NEG) return x;
        return x > y ? x + Math.log1p(Math.exp(y - x)) : y + Math.log1p(Math.exp(x - y));
    }

    /** An immutable label prefix (value equality). */
    private record Prefix(int[] labels) {
        static final Prefix EMPTY = new Prefix(new int[0]);

        int last() { return labels.length == 0 ? -1 : labels[labels.length - 1]; }

        Prefix append(int k) {
            int[] l = Arrays.copyOf(labels, labels.length + 1);
            l[labels.length] = k;
            return new Prefix(l);
        }

        @Override
        public boolean equals(Object o) { return o instanceof Prefix p && Arrays.equals(labels, p.labels); }

        @Override
        public int hashCode() { return Arrays.hashCode(labels); }

        @Override
        public String toString() { return Arrays.toString(labels); }
    }
}
