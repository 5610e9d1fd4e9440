package dev.recur.app.forecast;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.engine.FloatMatrix;
import java.lang.foreign.Arena;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionTest {
    private static final TimeSeries SERIES = SyntheticSeries.generate(1200, 4);

    @Test
    void batchesAreTimeMajorInTheGivenOrder() {
        ForecastData d = ForecastData.prepare(SERIES, Features.MS, null, 10, 4, Split.Rule.RATIO);
        Windows w = d.windows(Split.TRAIN);
        int[] order = {9, 5, 2, 7};
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix in = FloatMatrix.allocate(a, 10 * 3, 3);
            FloatMatrix out = FloatMatrix.allocate(a, 4 * 3, 1);
            w.fillBatch(order, 1, 3, in, out);
            for (int b = 0; b < 3; b++) {
                for (int t = 0; t < 10; t++) for (int c = 0; c < 3; c++) assertEquals(w.input(order[1 + b], t, c), in.get(t * 3 + b, c));
                for (int h = 0; h < 4; h++) assertEquals(w.target(order[1 + b], h, 0), out.get(h * 3 + b, 0));
            }
            assertNotEquals(in.get(0, 0), in.get(1, 0), "different windows in neighbouring rows");
            w.fillBatch(order, 0, 3, in, null);
            assertEquals(w.input(9, 2, 1), in.get(2 * 3, 1));
            assertThrows(IllegalArgumentException.class, () -> w.fillBatch(order, 0, 4, in, out), "shape follows the batch");
        }
    }

    @Test
    void channelIndependentBatchesMakeEveryChannelItsOwnSeries() {
        ForecastData d = ForecastData.prepare(SERIES, Features.M, null, 10, 4, Split.Rule.RATIO);
        Windows w = d.windows(Split.VALIDATION);
        int[] order = {3, 0};
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix in = FloatMatrix.allocate(a, 10 * 6, 1);
            FloatMatrix out = FloatMatrix.allocate(a, 4 * 6, 1);
            w.fillChannelIndependentBatch(order, 0, 2, in, out);
            for (int b = 0; b < 2; b++) for (int c = 0; c < 3; c++) {
                for (int t = 0; t < 10; t++) assertEquals(w.input(order[b], t, c), in.get(t * 6 + b * 3 + c, 0));
                for (int h = 0; h < 4; h++) assertEquals(w.target(order[b], h, c), out.get(h * 6 + b * 3 + c, 0));
            }
        }
        Windows ms = ForecastData.prepare(SERIES, Features.MS, null, 10, 4, Split.Rule.RATIO).windows(Split.TRAIN);
        try (Arena a = Arena.ofConfined()) {
            assertThrows(IllegalStateException.class, () -> ms.fillChannelIndependentBatch(order, 0, 2, FloatMatrix.allocate(a, 60, 1), null));
        }
    }

    @Test
    void batchErrorsEqualWindowByWindowErrors() {
        ForecastData d = ForecastData.prepare(SERIES, Features.M, null, 24, 6, Split.Rule.RATIO);
        Windows test = d.windows(Split.TEST);
        ForecastErrors expected = ForecastErrors.evaluate(test, NaiveForecast.lastValue(), d.outputStd());
        ForecastErrors batched = new ForecastErrors(6, d.outputStd());
        int[] order = new int[test.count()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        int batch = 7;
        try (Arena a = Arena.ofConfined()) {
            for (int from = 0; from < order.length; from += batch) {
                int n = Math.min(batch, order.length - from);
                FloatMatrix in = FloatMatrix.allocate(a, 24 * n, 3), target = FloatMatrix.allocate(a, 6 * n, 3), pred = FloatMatrix.allocate(a, 6 * n, 3);
                test.fillBatch(order, from, n, in, target);
                for (int h = 0; h < 6; h++) for (int b = 0; b < n; b++) for (int c = 0; c < 3; c++) pred.set(h * n + b, c, in.get(23 * n + b, c));
                batched.add(pred, target, n);
            }
        }
        assertEquals(expected.windows(), batched.windows());
        assertEquals(expected.mse(), batched.mse(), 1e-12);
        assertEquals(expected.maeOriginal(), batched.maeOriginal(), 1e-12);
        assertEquals(expected.group(2, 4).mse(), batched.group(2, 4).mse(), 1e-12);
    }

    @Test
    void theLatestWindowIsTheLastRowsNormalisedWithTheTrainedStatistics() {
        ForecastData trained = ForecastData.prepare(SERIES, Features.MS, "target", 24, 6, Split.Rule.RATIO);
        // a later file, columns in another order, one extra column
        TimeSeries later = new TimeSeries("later.csv", SERIES.times(), List.of("target", "extra", "temperature", "load"),
                new double[][] {SERIES.columns()[2], SERIES.columns()[0], SERIES.columns()[1], SERIES.columns()[0]});
        Windows latest = LatestWindow.of(later, trained.normaliser(), trained.outputNames(), 24, 6);
        assertEquals(1, latest.count());
        assertFalse(latest.hasTargets());
        assertTrue(trained.windows(Split.TEST).hasTargets());
        int first = SERIES.rows() - 24;
        assertEquals(trained.value(first, 0), latest.input(0, 0, 0), "load");
        assertEquals(trained.value(SERIES.rows() - 1, 2), latest.input(0, 23, 2), "target");
        assertEquals(2, latest.inputOf(0));
        assertThrows(IllegalStateException.class, () -> latest.target(0, 0, 0));

        TimeSeries without = new TimeSeries("x.csv", SERIES.times(), List.of("load", "target"), new double[][] {SERIES.columns()[0], SERIES.columns()[2]});
        assertEquals("x.csv lacks the column temperature that the model was trained on (load, temperature, target)",
                SeriesCsvTest.error(() -> LatestWindow.of(without, trained.normaliser(), trained.outputNames(), 24, 6)));
        TimeSeries shortSeries = SyntheticSeries.generate(20, 1);
        assertEquals("the model looks back 24 rows and the generated series has 20; give a file that ends with at least 24 rows",
                SeriesCsvTest.error(() -> LatestWindow.of(shortSeries, trained.normaliser(), trained.outputNames(), 24, 6)));
    }

    @Test
    void aForecastIsWrittenWithTheNextTimestampsInOriginalUnitsAndReadsBack() {
        ForecastData trained = ForecastData.prepare(SERIES, Features.S, "load", 24, 5, Split.Rule.RATIO);
        Windows latest = LatestWindow.of(SERIES, trained.normaliser(), trained.outputNames(), 24, 5);
        float[] forecast = new float[5];
        NaiveForecast.lastValue().forecast(latest, 0, forecast);
        LocalDateTime last = SERIES.times()[SERIES.rows() - 1];
        String csv = ForecastCsv.format(latest, forecast, trained.normaliser(), last, SERIES.step());
        assertTrue(csv.startsWith("date,load\n" + SeriesCsv.TIMESTAMP.format(last.plusHours(1)) + ","), csv);
        TimeSeries back = new SeriesCsv(null, Fill.NONE).read(csv, "forecast.csv");
        assertEquals(5, back.rows());
        assertEquals(last.plusHours(5), back.times()[4]);
        double lastLoad = SERIES.columns()[0][SERIES.rows() - 1];
        for (int h = 0; h < 5; h++) assertEquals(lastLoad, back.columns()[0][h], 1e-4 * Math.abs(lastLoad), "the last value, in original units");
    }
}
