package dev.recur.props;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Attention;
import dev.recur.layers.AttentionScore;
import dev.recur.layers.Parameter;
import dev.recur.props.reference.FiniteDifferences;
import dev.recur.props.reference.RefAttention;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link Attention} against the double-precision reference ({@link RefAttention}) on generated
 * small configurations — every score, query/key/attention widths 1–5, ragged source lengths
 * (length 1 and padding included), several decoder steps given one at a time or as one block:
 * the float contexts and weights equal the reference's, and the analytic gradient of every
 * parameter, of the queries and of the keys equals centred finite differences (in double) of the
 * reference's loss {@code L = Σ context ⊙ R}. Padding positions get weight 0 and key gradient 0.
 */
class AttentionGradientProperties {
    static final double FWD_TOL = 1e-5, GRAD_TOL = 5e-5;

    @Property(tries = 150)
    void forwardAndGradientsMatchReference(
            @ForAll AttentionScore score,
            @ForAll @IntRange(min = 1, max = 5) int queryDim,
            @ForAll @IntRange(min = 1, max = 5) int keyDim,
            @ForAll @IntRange(min = 1, max = 5) int attnDim,
            @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 1, max = 5) Integer> lengthList,
            @ForAll @IntRange(min = 0, max = 1) int padding,
            @ForAll @IntRange(min = 1, max = 3) int decoderSteps,
            @ForAll boolean oneBlock,
            @ForAll @IntRange(min = 0, max = 1_000_000) long seed) {
        int qd = score == AttentionScore.DOT ? keyDim : queryDim;
        int[] lengths = lengthList.stream().mapToInt(Integer::intValue).toArray(); // any order: attention needs no sorting
        int batch = lengths.length, steps = Arrays.stream(lengths).max().orElseThrow() + padding, s = decoderSteps;
        SplittableRandom rng = new SplittableRandom(seed);
        RefAttention ref = new RefAttention(score.ordinal(), qd, keyDim, attnDim);
        double[] keys = random(rng, steps * batch * keyDim, 1.5), queries = random(rng, s * batch * qd, 1.5);
        for (int t = 0; t < steps; t++) for (int b = 0; b < batch; b++) {
            if (t >= lengths[b]) Arrays.fill(keys, (t * batch + b) * keyDim, (t * batch + b + 1) * keyDim, 0); // as the stack writes
        }
        double[] r = random(rng, s * batch * keyDim, 1);
        String where = score + " qd=" + qd + " kd=" + keyDim + " A=" + attnDim + " lengths=" + Arrays.toString(lengths)
                + " T=" + steps + " S=" + s + (oneBlock ? " one block" : " step by step") + ": ";
        try (Arena arena = Arena.ofConfined()) {
            Attention at = switch (score) {
                case DOT -> Attention.dot(arena, keyDim, steps, s, batch);
                case GENERAL -> Attention.general(arena, "attention", qd, keyDim, steps, s, batch, new SplittableRandom(seed + 1));
                case ADDITIVE -> Attention.additive(arena, "attention", qd, keyDim, attnDim, steps, s, batch, new SplittableRandom(seed + 1));
            };
            for (Parameter p : at.parameters()) {
                double[] d = random(rng, (int) p.size(), 1);
                System.arraycopy(d, 0, ref.param(p.name()).data(), 0, d.length);
                p.value().copyFrom(toFloat(d));
            }
            FloatMatrix km = FloatMatrix.of(arena, steps * batch, keyDim, toFloat(keys));
            FloatMatrix qm = FloatMatrix.of(arena, s * batch, qd, toFloat(queries));
            FloatMatrix rm = FloatMatrix.of(arena, s * batch, keyDim, toFloat(r));
            FloatMatrix c = FloatMatrix.allocate(arena, s * batch, keyDim), dq = FloatMatrix.allocate(arena, s * batch, qd);
            FloatMatrix dk = FloatMatrix.allocate(arena, steps * batch, keyDim);
            dk.fill(0f);
            at.zeroGrad();
            at.setKeys(km, lengths, steps, batch, true);
            if (oneBlock) {
                at.forward(qm, 0, c);
                at.backward(qm, rm, 0, dq);
            } else {
                for (int k = 0; k < s; k++) at.forward(qm.rowRange(k * batch, batch), k, c.rowRange(k * batch, batch));
                for (int k = s - 1; k >= 0; k--) {
                    at.backward(qm.rowRange(k * batch, batch), rm.rowRange(k * batch, batch), k, dq.rowRange(k * batch, batch));
                }
            }
            at.backwardKeys(dk);

            Tolerance.assertClose(where + "context", ref.context(queries, keys, lengths, steps, batch), toDouble(c.toArray()), FWD_TOL);
            double[] w = ref.weights(queries, keys, lengths, steps, batch), got = new double[w.length];
            for (int k = 0; k < s; k++) for (int b = 0; b < batch; b++) for (int t = 0; t < steps; t++) {
                got[(k * batch + b) * steps + t] = at.weight(k, b, t);
                if (t >= lengths[b] && at.weight(k, b, t) != 0f) throw new AssertionError(where + "padding weight " + at.weight(k, b, t));
            }
            Tolerance.assertClose(where + "weights", w, got, FWD_TOL);
            DoubleSupplier loss = () -> {
                double[] cc = ref.context(queries, keys, lengths, steps, batch);
                double l = 0;
                for (int i = 0; i < cc.length; i++) l += cc[i] * r[i];
                return l;
            };
            for (Parameter p : at.parameters()) {
                Tolerance.assertClose(where + "grad." + p.name(), FiniteDifferences.gradient(loss, ref.param(p.name()).data()),
                        toDouble(p.grad().toArray()), GRAD_TOL);
            }
            Tolerance.assertClose(where + "grad.queries", FiniteDifferences.gradient(loss, queries), toDouble(dq.toArray()), GRAD_TOL);
            Tolerance.assertClose(where + "grad.keys", FiniteDifferences.gradient(loss, keys), toDouble(dk.toArray()), GRAD_TOL);
            for (int t = 0; t < steps; t++) for (int b = 0; b < batch; b++) for (int j = 0; t >= lengths[b] && j < keyDim; j++) {
                if (dk.get(t * batch + b, j) != 0f) throw new AssertionError(where + "padding key gradient " + dk.get(t * batch + b, j));
            }
        }
    }

    /** Values representable in float, so the float layer and the double reference see the same numbers. */
    static double[] random(SplittableRandom rng, int n, double scale) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        return d;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
