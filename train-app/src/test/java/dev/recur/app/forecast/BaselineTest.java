package dev.recur.app.forecast;

import static org.junit.jupiter.api.Assertions.*;

import java.time.LocalDateTime;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class BaselineTest {

    private static TimeSeries periodic(int rows, int period) {
        LocalDateTime[] t = new LocalDateTime[rows];
        double[] a = new double[rows], ramp = new double[rows];
        for (int i = 0; i < rows; i++) {
            t[i] = LocalDateTime.of(2020, 1, 1, 0, 0).plusHours(i);
            a[i] = 3 * Math.sin(2 * Math.PI * i / period) + (i % period == 5 ? 2 : 0);
            ramp[i] = i;
        }
        return new TimeSeries("p.csv", t, List.of("ramp", "a"), new double[][] {ramp, a});
    }

    @Test
    void naiveForecastsRepeatTheLastValueOrTheLastSeason() {
        TimeSeries s = periodic(200, 4);
        ForecastData d = ForecastData.prepare(s, Features.S, "ramp", 6, 5, Split.Rule.RATIO);
        Windows w = d.windows(Split.TEST);
        float[] out = new float[5];
        NaiveForecast.seasonal(3).forecast(w, 0, out);
        float[] x = new float[6];
        w.copyInput(0, x, 0);
        assertArrayEquals(new float[] {x[3], x[4], x[5], x[3], x[4]}, out);
        NaiveForecast.lastValue().forecast(w, 0, out);
        assertArrayEquals(new float[] {x[5], x[5], x[5], x[5], x[5]}, out);
        assertEquals("seasonal naive (3)", NaiveForecast.seasonal(3).name());
        assertEquals("the season (7) is longer than the look-back (6), so its last season is not in it; use a --season of at most 6 or a longer --lookback",
                SeriesCsvTest.error(() -> NaiveForecast.seasonal(7).forecast(w, 0, new float[5])));
    }

    @Test
    void aPeriodicSeriesHasZeroSeasonalErrorAndTheRampAKnownLastValueError() {
        TimeSeries s = periodic(1000, 24);
        ForecastData periodic = ForecastData.prepare(s, Features.S, "a", 48, 30, Split.Rule.RATIO);
        Windows test = periodic.windows(Split.TEST);
        ForecastErrors seasonal = ForecastErrors.evaluate(test, NaiveForecast.seasonal(24), periodic.outputStd());
        assertEquals(test.count(), seasonal.windows());
        assertEquals(0, seasonal.mse(), 1e-10);
        assertEquals(0, seasonal.maeOriginal(), 1e-5);
        assertTrue(ForecastErrors.evaluate(test, NaiveForecast.lastValue(), periodic.outputStd()).mse() > 0.5);
        // on x_t = t, the last value misses step h (1-based) by h: in original units MAE = mean(1..H), MSE = mean(h²)
        ForecastData ramp = ForecastData.prepare(s, Features.S, "ramp", 48, 30, Split.Rule.RATIO);
        ForecastErrors last = ForecastErrors.evaluate(ramp.windows(Split.TEST), NaiveForecast.lastValue(), ramp.outputStd());
        assertEquals(15.5, last.maeOriginal(), 1e-3);
        assertEquals(31 * 61 / 6.0, last.mseOriginal(), 1e-2);
        double std = ramp.normaliser().std(0);
        assertEquals(15.5 / std, last.mae(), 1e-5, "normalised = original / std");
        ForecastErrors.StepGroup first = last.groups(10).getFirst();
        assertEquals(1, first.firstStep());
        assertEquals(10, first.lastStep());
        assertEquals(5.5, first.maeOriginal(), 1e-3);
        assertEquals(3, last.groups(10).size());
        assertEquals(30, last.groups(10).getLast().lastStep());
    }

    @Test
    void errorsInOriginalUnitsEqualErrorsOnDenormalisedValues() {
        ForecastErrors e = new ForecastErrors(2, new double[] {2, 0.5});
        e.add(new float[] {1, 0, 3, -1}, new float[] {0, 0, 1, 1}); // d = [1, 0; 2, −2]
        e.add(new float[] {0, 2, 0, 0}, new float[] {0, 0, 0, 0});  // d = [0, 2; 0, 0]
        assertEquals((1 + 4 + 4 + 4) / 8.0, e.mse(), 1e-12);
        assertEquals((1 + 2 + 2 + 2) / 8.0, e.mae(), 1e-12);
        // original: channel 0 × 2, channel 1 × 0.5
        assertEquals((4 + 16 + 4 * 0.25 * 2) / 8.0, e.mseOriginal(), 1e-12);
        assertEquals((2 + 4 + 0.5 * 4) / 8.0, e.maeOriginal(), 1e-12);
        assertEquals((1 + 4) / 4.0, e.group(0, 1).mse(), 1e-12, "step 1 only");
        assertThrows(IllegalArgumentException.class, () -> e.add(new float[3], new float[3]));
    }

    @Test
    void seasonIsInferredFromAutocorrelationDespiteTrendAndNoise() {
        TimeSeries s = periodic(1000, 24);
        ForecastData d = ForecastData.prepare(s, Features.S, "a", 96, 24, Split.Rule.RATIO);
        assertEquals(OptionalInt.of(24), Seasonality.infer(d, 96));
        assertEquals(OptionalInt.of(24), Seasonality.infer(ForecastData.prepare(SyntheticSeries.generate(), Features.M, null, 96, 96, Split.Rule.RATIO), 96));
        ForecastData ramp = ForecastData.prepare(s, Features.S, "ramp", 96, 24, Split.Rule.RATIO);
        assertEquals(OptionalInt.empty(), Seasonality.infer(ramp, 96), "a straight line has no season");
        assertEquals(OptionalInt.of(7), Seasonality.infer(new double[][] {periodic(300, 7).columns()[1]}, 30));
    }

    @Test
    void theBaselinesAreTheLastValueAndTheGivenOrInferredSeason() {
        ForecastData synthetic = ForecastData.prepare(SyntheticSeries.generate(), Features.M, null, 96, 24, Split.Rule.RATIO);
        assertEquals(List.of("last value", "seasonal naive (24)"), NaiveForecast.baselines(synthetic, null).stream().map(NaiveForecast::name).toList());
        assertEquals(12, NaiveForecast.baselines(synthetic, 12).get(1).season());
        assertEquals(1, NaiveForecast.baselines(synthetic, 1).size(), "season 1 is the last value");
        ForecastData ramp = ForecastData.prepare(periodic(1000, 24), Features.S, "ramp", 96, 24, Split.Rule.RATIO);
        assertEquals(List.of("last value"), NaiveForecast.baselines(ramp, null).stream().map(NaiveForecast::name).toList());
        assertTrue(SeriesCsvTest.error(() -> NaiveForecast.baselines(synthetic, 168)).startsWith("the season (168) is longer than the look-back (96)"));
        assertEquals("--season must be ≥ 1, got 0", SeriesCsvTest.error(() -> NaiveForecast.baselines(synthetic, 0)));
    }
}
