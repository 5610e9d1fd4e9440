package dev.recur.layers;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Analytic gradients of Linear, Embedding and the pooling heads against centred finite differences
 * of the scalar {@code L = Σ out ⊙ R} for a fixed random R (so dOut = R).
 */
class LayerGradientTest {
    final Arena arena = Arena.ofShared();
    final SplittableRandom rng = new SplittableRandom(1);

    @AfterEach
    void close() { arena.close(); }

    FloatMatrix random(int r, int c) {
        FloatMatrix m = FloatMatrix.allocate(arena, r, c);
        Init.uniform(m, 1f, rng);
        return m;
    }

    static double dot(FloatMatrix a, FloatMatrix b) {
        double s = 0;
        for (int i = 0; i < a.rows(); i++) for (int j = 0; j < a.cols(); j++) s += (double) a.get(i, j) * b.get(i, j);
        return s;
    }

    interface Fn { double eval(); }

    /** Centred difference of f with respect to element (i, j) of m. */
    static double numeric(FloatMatrix m, int i, int j, Fn f) {
        float old = m.get(i, j);
        float h = 1e-2f;
        m.set(i, j, old + h);
        double up = f.eval();
        m.set(i, j, old - h);
        double down = f.eval();
        m.set(i, j, old);
        return (up - down) / (2 * h);
    }

    @Test
    void linearGradientsMatchFiniteDifferences() {
        Linear lin = new Linear(arena, "fc", 5, 3, rng);
        FloatMatrix x = random(4, 5), y = FloatMatrix.allocate(arena, 4, 3), r = random(4, 3), dx = FloatMatrix.allocate(arena, 4, 5);
        Fn loss = () -> { lin.forward(x, y); return dot(y, r); };
        lin.zeroGrad();
        loss.eval();
        lin.backward(x, r, dx);
        for (Parameter p : lin.parameters()) {
            for (int i = 0; i < p.rows(); i++) for (int j = 0; j < p.cols(); j++) {
                assertEquals(numeric(p.value(), i, j, loss), p.grad().get(i, j), 2e-3, p.name() + "[" + i + "," + j + "]");
            }
        }
        for (int i = 0; i < 4; i++) for (int j = 0; j < 5; j++) assertEquals(numeric(x, i, j, loss), dx.get(i, j), 2e-3);
        // y = x·Wᵀ + b checked directly for one element
        lin.forward(x, y);
        double expect = lin.bias().value().get(0, 2);
        for (int k = 0; k < 5; k++) expect += x.get(1, k) * lin.weight().value().get(2, k);
        assertEquals(expect, y.get(1, 2), 1e-5);
    }

    @Test
    void embeddingLooksUpRowsAndKeepsPaddingOutOfTheGradient() {
        Embedding e = new Embedding(arena, "embedding", 6, 3, 0, rng);
        assertArrayEquals(new float[3], e.weight().value().rowRange(0, 1).toArray(), "padding row starts at zero");
        int[] ids = {2, 0, 2, 5, -1};
        FloatMatrix out = FloatMatrix.allocate(arena, 4, 3), r = random(4, 3);
        e.forward(ids, 4, out);
        assertArrayEquals(e.weight().value().rowRange(2, 1).toArray(), out.rowRange(0, 1).toArray());
        e.zeroGrad();
        e.backward(ids, 5, random(5, 3).rowRange(0, 5)); // the -1 position is skipped
        e.zeroGrad();
        assertArrayEquals(new float[18], e.weight().grad().toArray(), "sparse zeroGrad clears every touched row");
        e.backward(ids, 4, r);
        for (int j = 0; j < 3; j++) {
            assertEquals(r.get(0, j) + r.get(2, j), e.weight().grad().get(2, j), 1e-6);
            assertEquals(r.get(3, j), e.weight().grad().get(5, j), 1e-6);
            assertEquals(0f, e.weight().grad().get(0, j), "padding row gets no gradient");
            assertEquals(0f, e.weight().grad().get(1, j));
        }
        assertEquals(2, e.touchedRowCount());
        assertThrows(IllegalArgumentException.class, () -> e.forward(new int[] {6}, 1, FloatMatrix.allocate(arena, 1, 3)));
    }

    @Test
    void poolingGradientsMatchFiniteDifferences() {
        int t = 4, b = 3, hidden = 2;
        int[] lengths = {4, 1, 3};
        for (Pooling kind : Pooling.values()) {
            for (int dirs = 1; dirs <= 2; dirs++) {
                SequencePooling pool = new SequencePooling(kind, hidden, dirs);
                FloatMatrix h = random(t * b, hidden * dirs), out = FloatMatrix.allocate(arena, b, hidden * dirs);
                FloatMatrix r = random(b, hidden * dirs), dh = FloatMatrix.allocate(arena, t * b, hidden * dirs);
                Fn loss = () -> { pool.forward(h, lengths, t, b, out); return dot(out, r); };
                loss.eval();
                pool.backward(r, lengths, t, b, dh);
                for (int i = 0; i < t * b; i++) for (int j = 0; j < hidden * dirs; j++) {
                    assertEquals(numeric(h, i, j, loss), dh.get(i, j), 2e-3, kind + " dirs=" + dirs + " h[" + i + "," + j + "]");
                }
            }
        }
    }

    @Test
    void lastPoolingTakesEachDirectionsFinalState() {
        int t = 3, b = 2;
        FloatMatrix h = FloatMatrix.allocate(arena, t * b, 4);
        for (int i = 0; i < t * b; i++) for (int j = 0; j < 4; j++) h.set(i, j, 10 * i + j);
        FloatMatrix out = FloatMatrix.allocate(arena, b, 4);
        new SequencePooling(Pooling.LAST, 2, 2).forward(h, new int[] {3, 2}, t, b, out);
        // sequence 0: forward half at t=2 (row 4), backward half at t=0 (row 0)
        assertArrayEquals(new float[] {40, 41, 2, 3, 30, 31, 12, 13}, out.toArray());
        assertThrows(IllegalArgumentException.class, () -> new SequencePooling(Pooling.MEAN, 2, 2).forward(h, new int[] {0, 2}, t, b, out));
    }

    @Test
    void dropoutIsInvertedSeededAndOffInEval() {
        FloatMatrix x = FloatMatrix.allocate(arena, 50, 40);
        x.fill(1f);
        FloatMatrix y = FloatMatrix.allocate(arena, 50, 40), y2 = FloatMatrix.allocate(arena, 50, 40);
        Dropout d = new Dropout(arena, 0.25f, 7), same = new Dropout(arena, 0.25f, 7);
        d.forward(x, y, true);
        same.forward(x, y2, true);
        assertArrayEquals(y.toArray(), y2.toArray(), "same seed, same mask");
        int zeros = 0;
        for (float v : y.toArray()) {
            if (v == 0f) zeros++;
            else assertEquals(1f / 0.75f, v, 1e-6f);
        }
        assertEquals(0.25, zeros / 2000.0, 0.04);
        d.forward(x, y2, true);
        assertNotEquals(java.util.Arrays.toString(y.toArray()), java.util.Arrays.toString(y2.toArray()), "a new mask each call");
        FloatMatrix g = FloatMatrix.allocate(arena, 50, 40);
        d.backward(x, g);
        assertArrayEquals(y2.toArray(), g.toArray(), "backward multiplies by the same mask");
        d.forward(x, y, false);
        assertArrayEquals(x.toArray(), y.toArray(), "identity in eval");
        assertThrows(IllegalArgumentException.class, () -> new Dropout(arena, 1f, 0));
    }
}
