package dev.recur.app.forecast;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SyntheticSeriesTest {

    @Test
    void isDeterministicFromTheSeed() {
        TimeSeries a = SyntheticSeries.generate(500, 7), b = SyntheticSeries.generate(500, 7), c = SyntheticSeries.generate(500, 8);
        for (int k = 0; k < 3; k++) assertArrayEquals(a.columns()[k], b.columns()[k], 0.0);
        assertNotEquals(a.columns()[0][10], c.columns()[0][10]);
    }

    @Test
    void theDefaultSeriesSuitsTheDefaultProtocolAndTheSeasonalBaselineBeatsTheLastValue() {
        TimeSeries s = SyntheticSeries.generate();
        assertEquals(SyntheticSeries.DEFAULT_ROWS, s.rows());
        assertEquals(Duration.ofHours(1), s.step().duration());
        assertTrue(s.step().regular());
        ForecastData d = ForecastData.prepare(s, Features.M, null, 96, 96, Split.Rule.RATIO);
        assertEquals(2800 - 96 - 96 + 1, d.windows(Split.TRAIN).count());
        Windows test = d.windows(Split.TEST);
        double seasonal = ForecastErrors.evaluate(test, NaiveForecast.seasonal(24), d.outputStd()).mse();
        double last = ForecastErrors.evaluate(test, NaiveForecast.lastValue(), d.outputStd()).mse();
        assertTrue(seasonal < 0.6 * last, "seasonal " + seasonal + " vs last value " + last);
        // the trend moves the test part away from the training statistics: normalised means are not 0 there
        double sum = 0;
        for (int r = 3200; r < 4000; r++) sum += d.value(r, 0);
        assertTrue(sum / 800 > 0.5, "trend shifts the test part's mean: " + sum / 800);
    }
}
