package dev.recur.app.lab;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.app.run.Plots;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticTasksTest {
    @TempDir Path dir;

    @Test
    void addingProblemMarksOneStepInEachHalfAndTargetsTheirSum() {
        int t = 11, b = 5;
        float[] in = new float[t * b * 2], tg = new float[b];
        AddingProblem p = new AddingProblem(t, 9);
        p.next(b, in, tg);
        for (int s = 0; s < b; s++) {
            int marks = 0, firstHalf = 0;
            double sum = 0;
            for (int k = 0; k < t; k++) {
                float v = in[(k * b + s) * 2], m = in[(k * b + s) * 2 + 1];
                assertTrue(v >= 0 && v < 1);
                if (m == 1f) {
                    marks++;
                    sum += v;
                    if (k < t / 2) firstHalf++;
                } else {
                    assertEquals(0f, m);
                }
            }
            assertEquals(2, marks);
            assertEquals(1, firstHalf);
            assertEquals(sum, tg[s], 1e-6);
        }
        float[] again = new float[in.length], tg2 = new float[b];
        new AddingProblem(t, 9).next(b, again, tg2);
        assertArrayEquals(in, again); // seeded
    }

    @Test
    void copyMemoryAsksForTheFirstSymbolsAfterTheDelimiter() {
        CopyMemory c = new CopyMemory(3, 4, 5, 1);
        int len = c.length(), b = 2;
        assertEquals(11, len);
        int[] in = new int[len * b], tg = new int[len * b];
        c.next(b, in, tg);
        for (int s = 0; s < b; s++) {
            for (int k = 0; k < 3; k++) {
                int sym = in[k * b + s];
                assertTrue(sym >= 1 && sym <= 4);
                assertEquals(sym, tg[(len - 3 + k) * b + s]);
            }
            assertEquals(5, in[(3 + 5) * b + s]); // delimiter right after the delay
            for (int k = 0; k < len - 3; k++) assertEquals(0, tg[k * b + s]);
        }
        assertEquals(3 * Math.log(4) / 11, c.baselineLoss(), 1e-12);
    }

    @Test
    void csvAndPngAreWritten() throws Exception {
        CsvTable t = new CsvTable("cell", "distance", "norm").add("rnn", 1, 0.5).add("a,b", 2, 1e-9);
        assertEquals("cell,distance,norm\nrnn,1,0.500000\n\"a,b\",2,1.00000e-09\n", t.text());
        Path csv = dir.resolve("x.csv");
        t.write(csv);
        assertEquals(t.text(), java.nio.file.Files.readString(csv));
        Path png = dir.resolve("x.png");
        var chart = Plots.chart("t", "x", "y", true, List.of(
                new Plots.Line("a", new double[] {1, 2, 3}, new double[] {1, 0.1, 0}),
                new Plots.Line("b", new double[] {1, 2, 3}, new double[] {2, 1, 0.5})));
        assertEquals(2, chart.getSeriesMap().size());
        assertEquals(2, chart.getSeriesMap().get("a").getXData().length); // the zero is left off a log axis
        Plots.save(png, chart, chart);
        var img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(1040, img.getHeight());
    }
}
