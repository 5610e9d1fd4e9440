package dev.recur.layers.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
    final Arena arena = Arena.ofShared();

    @AfterEach
    void close() { arena.close(); }

    Parameter withGrad(String name, float... g) {
        return new Parameter(name, FloatMatrix.allocate(arena, 1, g.length), FloatMatrix.of(arena, 1, g.length, g));
    }

    @Test
    void clipByNormUsesPyTorchsFormulaAndReturnsTheNormBefore() {
        Parameter a = withGrad("a", 3f, 0f), b = withGrad("b", 0f, 4f, 12f); // total norm 13
        float norm = GradientClipping.clipGradNorm(List.of(a, b), 6.5f);
        assertEquals(13f, norm, 1e-6f);
        float coef = 6.5f / (13f + 1e-6f);
        assertArrayEquals(new float[] {3f * coef, 0f}, a.grad().toArray(), 1e-7f);
        assertArrayEquals(new float[] {0f, 4f * coef, 12f * coef}, b.grad().toArray(), 1e-7f);
        assertTrue(GradientClipping.globalNorm(List.of(a, b)) <= 6.5f);
        // below the threshold nothing changes
        float again = GradientClipping.clipGradNorm(List.of(a, b), 100f);
        assertEquals(6.5f, again, 1e-5f);
        assertArrayEquals(new float[] {3f * coef, 0f}, a.grad().toArray());
    }

    @Test
    void clipByValueClamps() {
        Parameter a = withGrad("a", -3f, 0.5f, 7f);
        GradientClipping.clipGradValue(List.of(a), 1f);
        assertArrayEquals(new float[] {-1f, 0.5f, 1f}, a.grad().toArray());
    }

    @Test
    void nonFiniteGradientIsFoundAndNamed() {
        Parameter ok = withGrad("embedding.weight", 1f, 2f), bad = withGrad("rnn.weight_hh_l0", 1f, Float.NaN), inf = withGrad("fc.bias", Float.POSITIVE_INFINITY);
        assertNull(GradientClipping.firstNonFinite(List.of(ok)));
        assertSame(bad, GradientClipping.firstNonFinite(List.of(ok, bad, inf)));
        assertSame(inf, GradientClipping.firstNonFinite(List.of(ok, inf)));
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> GradientClipping.requireFinite(List.of(ok, bad), 17));
        assertTrue(e.getMessage().contains("step 17") && e.getMessage().contains("rnn.weight_hh_l0"), e.getMessage());
        assertEquals(17, e.step());
        assertTrue(Float.isNaN(GradientClipping.globalNorm(List.of(ok, bad))));
    }
}
