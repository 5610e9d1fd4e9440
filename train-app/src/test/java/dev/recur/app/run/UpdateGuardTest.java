package dev.recur.app.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The non-finite stop of every task names the step and the parameter; clipping scales to the norm. */
class UpdateGuardTest {
    private static Parameter param(Arena arena, String name, float... grad) {
        FloatMatrix v = FloatMatrix.allocate(arena, 1, grad.length), g = FloatMatrix.allocate(arena, 1, grad.length);
        g.copyFrom(grad);
        return new Parameter(name, v, g);
    }

    @Test
    void aNaNGradientStopsNamingStepAndParameter() {
        try (Arena arena = Arena.ofConfined()) {
            List<Parameter> ps = List.of(param(arena, "embedding.weight", 1, 2), param(arena, "lstm.weight_hh_l0", 0, Float.NaN));
            UpdateGuard.Diverged d = assertThrows(UpdateGuard.Diverged.class, () -> UpdateGuard.check(ps, 0.5f, 17, 5.0));
            assertEquals(17, d.step());
            assertEquals("lstm.weight_hh_l0", d.parameter());
            assertTrue(d.getMessage().contains("step 17") && d.getMessage().contains("lstm.weight_hh_l0")
                    && d.getMessage().contains("not finite"), d.getMessage());
            assertEquals("the gradient of lstm.weight_hh_l0 is not finite", d.what());
        }
    }

    @Test
    void anInfiniteLossStopsBeforeTheGradients() {
        try (Arena arena = Arena.ofConfined()) {
            List<Parameter> ps = List.of(param(arena, "fc.weight", 1));
            UpdateGuard.Diverged d = assertThrows(UpdateGuard.Diverged.class,
                    () -> UpdateGuard.check(ps, Float.POSITIVE_INFINITY, 3, 0));
            assertEquals("loss", d.parameter());
            assertTrue(d.getMessage().contains("the loss is Infinity"), d.getMessage());
        }
    }

    @Test
    void clipsToTheNormAndByValueAndReturnsTheNormBefore() {
        try (Arena arena = Arena.ofConfined()) {
            Parameter p = param(arena, "fc.weight", 3, 4);
            assertEquals(5f, UpdateGuard.check(List.of(p), 1f, 1, 1.0, 0.5), 1e-6);
            assertEquals(0.5f, p.grad().get(0, 1), 1e-6); // 4/5 = 0.8 after norm clipping, then 0.5 by value
            assertEquals(0.5f, p.grad().get(0, 0), 1e-6); // 0.6, clipped to 0.5
        }
    }
}
