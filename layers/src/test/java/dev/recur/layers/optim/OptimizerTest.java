package dev.recur.layers.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsException;
import dev.recur.layers.io.SafeTensorsWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    final Arena arena = Arena.ofShared();

    @AfterEach
    void close() { arena.close(); }

    Parameter param(String name, float... values) {
        return new Parameter(name, FloatMatrix.of(arena, 1, values.length, values), FloatMatrix.allocate(arena, 1, values.length));
    }

    @Test
    void sgdWithMomentumNesterovAndWeightDecayFollowsPyTorch() {
        Parameter p = param("w", 1f, -2f);
        float lr = 0.1f, mu = 0.9f, wd = 0.01f;
        try (Sgd sgd = new Sgd(List.of(p), lr, mu, wd, true)) {
            double[] w = {1, -2}, buf = {0, 0};
            float[][] grads = {{0.5f, -1f}, {0.25f, 2f}, {-1f, 0f}};
            for (float[] g : grads) {
                p.grad().copyFrom(new float[][] {g}[0]);
                sgd.step();
                for (int i = 0; i < 2; i++) {
                    double d = g[i] + wd * w[i];
                    buf[i] = mu * buf[i] + d; // first step: buf = d
                    d = d + mu * buf[i];
                    w[i] -= lr * d;
                }
            }
            assertEquals(w[0], p.value().get(0, 0), 1e-6);
            assertEquals(w[1], p.value().get(0, 1), 1e-6);
            assertEquals(3, sgd.steps());
        }
    }

    @Test
    void adamAndAdamWFollowPyTorch() {
        for (boolean decoupled : new boolean[] {false, true}) {
            Parameter p = param("w", 1f, -2f, 0.5f);
            float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.1f;
            try (Adam opt = decoupled ? new AdamW(List.of(p), lr, b1, b2, eps, wd) : new Adam(List.of(p), lr, b1, b2, eps, wd)) {
                double[] w = {1, -2, 0.5}, m = new double[3], v = new double[3];
                float[][] grads = {{0.5f, -1f, 0f}, {0.25f, 2f, 1e-3f}};
                for (int t = 1; t <= grads.length; t++) {
                    p.grad().copyFrom(grads[t - 1]);
                    opt.step();
                    for (int i = 0; i < 3; i++) {
                        double g = grads[t - 1][i];
                        if (decoupled) w[i] *= 1 - lr * wd;
                        else g += wd * w[i];
                        m[i] = b1 * m[i] + (1 - b1) * g;
                        v[i] = b2 * v[i] + (1 - b2) * g * g;
                        double mhat = m[i] / (1 - Math.pow(b1, t));
                        double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                        w[i] -= lr * mhat / denom;
                    }
                }
                for (int i = 0; i < 3; i++) assertEquals(w[i], p.value().get(0, i), 2e-6, (decoupled ? "AdamW" : "Adam") + " w" + i);
                assertEquals(decoupled ? "adamw" : "adam", opt.type());
            }
        }
    }

    @Test
    void stateRoundTripResumesBitExactly(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        float[][] grads = {{0.5f, -1f}, {0.25f, 2f}, {-1f, 0.3f}, {0.7f, 0.7f}};
        Parameter a = param("w", 1f, -2f);
        Parameter b = param("w", 1f, -2f);
        try (Adam full = new Adam(List.of(a), 0.01f); Adam first = new Adam(List.of(b), 0.01f)) {
            for (float[] g : grads) { a.grad().copyFrom(g); full.step(); }
            for (int i = 0; i < 2; i++) { b.grad().copyFrom(grads[i]); first.step(); }
            SafeTensorsWriter w = new SafeTensorsWriter().put("w", b.value());
            first.saveState(w);
            Path f = dir.resolve("opt.safetensors");
            w.write(f);
            SafeTensors st = SafeTensors.read(f);
            Parameter c = param("w", 0f, 0f);
            st.copyInto("w", c.value());
            try (Adam resumed = new Adam(List.of(c), 0.5f)) {
                resumed.loadState(st);
                assertEquals(2, resumed.steps());
                assertEquals(0.01f, resumed.learningRate());
                for (int i = 2; i < 4; i++) { c.grad().copyFrom(grads[i]); resumed.step(); }
            }
            assertArrayEquals(a.value().toArray(), c.value().toArray());
            try (Sgd sgd = new Sgd(List.of(c), 0.1f, 0.9f, 0f, false)) {
                assertTrue(assertThrows(SafeTensorsException.class, () -> sgd.loadState(st)).getMessage().contains("adam"));
            }
        }
    }

    @Test
    void learningRateSetterAndBadHyperParameters() {
        Parameter p = param("w", 1f);
        try (Sgd sgd = new Sgd(List.of(p), 0.1f)) {
            sgd.setLearningRate(0.5f);
            p.grad().copyFrom(new float[] {2f});
            sgd.step();
            assertEquals(0f, p.value().get(0, 0), 1e-7);
            assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(Float.NaN));
        }
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(p), 0.1f, 0f, 0f, true));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p), 0.1f, 1f, 0.9f, 1e-8f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(), 0.1f));
    }
}
