package dev.recur.app.forecast;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NormaliserTest {

    @Test
    void usesTheTrainingRowsOnlyWithThePopulationStd() {
        double[][] cols = {{1, 2, 3, 4, 1000, -1000}};
        Normaliser n = Normaliser.fit(List.of("a"), cols, 4, "t.csv");
        assertEquals(2.5, n.mean(0), 1e-15);
        assertEquals(Math.sqrt(1.25), n.std(0), 1e-15, "ddof = 0: Σ(x − 2.5)² / 4");
        assertEquals((1000 - 2.5) / Math.sqrt(1.25), n.normalise(0, 1000), 1e-9);
    }

    @Test
    void denormaliseUndoesNormalise() {
        SplittableRandom rng = new SplittableRandom(1);
        double[][] cols = new double[3][200];
        for (double[] c : cols) for (int i = 0; i < c.length; i++) c[i] = rng.nextDouble(-50, 80);
        Normaliser n = Normaliser.fit(List.of("a", "b", "c"), cols, 140, "t.csv");
        for (int c = 0; c < 3; c++) for (int i = 0; i < 200; i++) {
            assertEquals(cols[c][i], n.denormalise(c, n.normalise(c, cols[c][i])), 1e-12);
        }
        double sum = 0, sq = 0;
        for (int i = 0; i < 140; i++) sum += n.normalise(1, cols[1][i]);
        for (int i = 0; i < 140; i++) sq += Math.pow(n.normalise(1, cols[1][i]), 2);
        assertEquals(0, sum / 140, 1e-12, "training rows have mean 0");
        assertEquals(1, sq / 140, 1e-12, "and variance 1");
    }

    @Test
    void aConstantColumnIsRefusedWithoutDividingByZero() {
        double[][] cols = {{1, 2, 3}, {5, 5, 5}};
        String m = SeriesCsvTest.error(() -> Normaliser.fit(List.of("a", "flat"), cols, 3, "c.csv"));
        assertEquals("c.csv: column 'flat' is constant (5.0) in the 3 training rows, so its z-score would divide by zero; "
                + "remove the column or forecast the target alone with --features S", m);
        assertThrows(IllegalArgumentException.class, () -> new Normaliser(List.of("a"), new double[] {0}, new double[] {0}));
    }
}
