/**
 * Time-series forecasting: the strict CSV reader ({@link dev.recur.app.forecast.SeriesCsv}), the
 * long-term forecasting protocol (chronological {@link dev.recur.app.forecast.Split}, z-scores from
 * the training part ({@link dev.recur.app.forecast.Normaliser}), sliding
 * {@link dev.recur.app.forecast.Windows}), the {@link dev.recur.app.forecast.ForecastErrors} metrics,
 * the naive baselines and the embedded {@link dev.recur.app.forecast.SyntheticSeries}. A task
 * package: it imports no other task's package. Reference: docs/forecast.md.
 */
package dev.recur.app.forecast;
