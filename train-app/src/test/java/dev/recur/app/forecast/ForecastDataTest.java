package dev.recur.app.forecast;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForecastDataTest {
    private static final TimeSeries SERIES = SyntheticSeries.generate(1200, 9);

    @Test
    void featuresChooseTheChannels() {
        ForecastData m = ForecastData.prepare(SERIES, Features.M, null, 48, 24, Split.Rule.RATIO);
        assertEquals(List.of("load", "temperature", "target"), m.inputNames());
        assertEquals(m.inputNames(), m.outputNames());
        assertEquals("target", m.target(), "the last column by default");
        ForecastData s = ForecastData.prepare(SERIES, Features.S, "load", 48, 24, Split.Rule.RATIO);
        assertEquals(List.of("load"), s.inputNames());
        assertEquals(List.of("load"), s.outputNames());
        ForecastData ms = ForecastData.prepare(SERIES, Features.MS, "temperature", 48, 24, Split.Rule.RATIO);
        assertEquals(3, ms.windows(Split.TEST).inputChannels());
        assertEquals(List.of("temperature"), ms.outputNames());
        assertEquals(1, ms.windows(Split.TEST).inputOf(0));
        assertEquals(s.normaliser().std(0), m.normaliser().std(0), 1e-12, "S fits the same statistics for its column");
        String e = SeriesCsvTest.error(() -> ForecastData.prepare(SERIES, Features.S, "OT", 48, 24, Split.Rule.RATIO));
        assertEquals("no numeric column 'OT' in the generated series; the columns are: load, temperature, target (names are case-sensitive)", e);
    }

    @Test
    void windowsAreTheReferenceSlicesOfNormalisedRows() {
        int lookback = 48, horizon = 24;
        ForecastData d = ForecastData.prepare(SERIES, Features.MS, null, lookback, horizon, Split.Rule.RATIO);
        Split split = d.split();
        assertEquals(840, split.trainRows());
        Normaliser n = d.normaliser();
        for (int part = 0; part < 3; part++) {
            Windows w = d.windows(part);
            assertEquals(split.end(part) - split.start(part) - lookback - horizon + 1, w.count());
            int last = w.count() - 1;
            // the last window's last target is the part's last row
            assertEquals(split.end(part) - 1, w.firstRow(last) + lookback + horizon - 1);
            int row = split.start(part) + 5;
            assertEquals(n.normalise(1, SERIES.columns()[1][row]), w.input(5, 0, 1), 1e-5);
            assertEquals(n.normalise(2, SERIES.columns()[2][row + lookback + 3]), w.target(5, 3, 0), 1e-5);
            float[] in = new float[lookback * 3];
            w.copyInput(5, in, 0);
            assertEquals(w.input(5, 7, 2), in[7 * 3 + 2]);
            float[] out = new float[horizon];
            w.copyTarget(5, out, 0);
            assertEquals(w.target(5, 10, 0), out[10]);
        }
        // validation's first look-back reaches back into the training rows
        assertEquals(840 - lookback, d.windows(Split.VALIDATION).firstRow(0));
        assertEquals(840, d.windows(Split.VALIDATION).firstRow(0) + lookback, "its first target is the first validation row");
    }
}
