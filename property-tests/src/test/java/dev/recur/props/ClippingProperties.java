package dev.recur.props;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.optim.GradientClipping;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.Size;

/** clip_grad_norm_ and clip_grad_value_ invariants over generated gradient sets. */
class ClippingProperties {

    @Provide
    Arbitrary<List<float[]>> gradients() {
        Arbitrary<Float> values = Arbitraries.oneOf(
                Arbitraries.floats().between(-1e3f, 1e3f).ofScale(4),
                Arbitraries.floats().between(-1e-3f, 1e-3f).ofScale(6),
                Arbitraries.just(0f));
        return values.array(float[].class).ofMinSize(1).ofMaxSize(40).list().ofMinSize(1).ofMaxSize(5);
    }

    private static List<Parameter> params(Arena arena, List<float[]> grads) {
        List<Parameter> ps = new ArrayList<>();
        for (int i = 0; i < grads.size(); i++) {
            float[] g = grads.get(i);
            ps.add(new Parameter("p" + i, FloatMatrix.allocate(arena, 1, g.length), FloatMatrix.of(arena, 1, g.length, g)));
        }
        return ps;
    }

    private static double norm(List<float[]> grads) {
        double s = 0;
        for (float[] g : grads) for (float x : g) s += (double) x * x;
        return Math.sqrt(s);
    }

    @Property(tries = 300)
    boolean clippedNormNeverExceedsTheThresholdAndDirectionIsKept(@ForAll("gradients") List<float[]> grads,
                                                                   @ForAll @FloatRange(min = 1e-3f, max = 100f) @Scale(4) float maxNorm) {
        try (Arena arena = Arena.ofConfined()) {
            List<Parameter> ps = params(arena, grads);
            double before = norm(grads);
            float reported = GradientClipping.clipGradNorm(ps, maxNorm);
            if (Math.abs(reported - before) > 1e-5 * Math.max(1, before)) return false;
            List<float[]> after = ps.stream().map(p -> p.grad().toArray()).toList();
            if (norm(after) > maxNorm * (1 + 1e-5)) return false;
            // direction: after = c · before with one common c in (0, 1]; PyTorch scales whenever
            // maxNorm / (total + 1e-6) < 1, which includes total == maxNorm
            double coef = maxNorm / ((float) before + 1e-6f);
            double c = coef < 1 ? coef : 1.0;
            for (int i = 0; i < grads.size(); i++) {
                for (int j = 0; j < grads.get(i).length; j++) {
                    double expect = grads.get(i)[j] * c;
                    if (Math.abs(after.get(i)[j] - expect) > 1e-5 * Math.max(1e-3, Math.abs(expect))) return false;
                }
            }
            return true;
        }
    }

    @Property(tries = 200)
    boolean clipByValueBoundsEveryElementAndKeepsTheSmallOnes(@ForAll("gradients") List<float[]> grads,
                                                              @ForAll @FloatRange(min = 1e-3f, max = 100f) @Scale(4) float clip) {
        try (Arena arena = Arena.ofConfined()) {
            List<Parameter> ps = params(arena, grads);
            GradientClipping.clipGradValue(ps, clip);
            for (int i = 0; i < grads.size(); i++) {
                float[] a = ps.get(i).grad().toArray();
                for (int j = 0; j < a.length; j++) {
                    float g = grads.get(i)[j];
                    float expect = Math.max(-clip, Math.min(clip, g));
                    if (a[j] != expect) return false;
                }
            }
            return true;
        }
    }

    @Property(tries = 100)
    boolean nonFiniteCheckFindsTheFirstBadParameter(@ForAll("gradients") List<float[]> grads,
                                                    @ForAll @Size(max = 1) List<Integer> badAt) {
        try (Arena arena = Arena.ofConfined()) {
            List<Parameter> ps = params(arena, grads);
            int bad = badAt.isEmpty() ? -1 : Math.floorMod(badAt.get(0), ps.size());
            if (bad >= 0) ps.get(bad).grad().set(0, ps.get(bad).cols() - 1, Float.NaN);
            Parameter found = GradientClipping.firstNonFinite(ps);
            return bad < 0 ? found == null : found == ps.get(bad);
        }
    }
}
