package dev.recur.app.forecast;

import java.time.LocalDateTime;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small generated hourly series with trend, daily and weekly seasons and noise, embedded in the
 * code for the default run and the tests: columns {@code load}, {@code temperature} and
 * {@code target} (the last, so the default target). Deterministic from the seed on every JVM
 * (SplitMix64 and {@link StrictMath}).
 *
 * <pre>
 *   load        = 40 + 0.004t + 8 sin(2πt/24) + 3 sin(4πt/24 + 1) + 4 sin(2πt/168) + N(0, 1.5²)
 *   temperature = 12 + 0.001t + 5 sin(2π(t − 6)/24) + e_t,   e_t = 0.8 e_{t−1} + N(0, 0.5²)
 *   target      = 0.25 load + 0.5 temperature + 2 sin(2πt/24 + 0.5) + N(0, 0.5²)
 * </pre>
 */
public final class SyntheticSeries {
    /** Rows of the default series: 4,000 hours, about 24 weeks. */
    public static final int DEFAULT_ROWS = 4_000;
    /** Seed of the default series. */
    public static final long DEFAULT_SEED = 42;
    /** First timestamp. */
    public static final LocalDateTime START = LocalDateTime.of(2024, 1, 1, 0, 0);
    /** The file name messages use for it. */
    public static final String SOURCE = "the generated series";

    private SyntheticSeries() {}

    /** The default series: {@value #DEFAULT_ROWS} rows, seed {@value #DEFAULT_SEED}. */
    public static TimeSeries generate() { return generate(DEFAULT_ROWS, DEFAULT_SEED); }

    public static TimeSeries generate(int rows, long seed) {
        if (rows < 2) throw new IllegalArgumentException("rows must be ≥ 2, got " + rows);
        SplittableRandom rng = new SplittableRandom(seed);
        LocalDateTime[] times = new LocalDateTime[rows];
        double[] load = new double[rows], temperature = new double[rows], target = new double[rows];
        double ar = 0;
        for (int i = 0; i < rows; i++) {
            double t = i;
            times[i] = START.plusHours(i);
            double day = 2 * Math.PI * t / 24;
            load[i] = 40 + 0.004 * t + 8 * StrictMath.sin(day) + 3 * StrictMath.sin(2 * day + 1)
                    + 4 * StrictMath.sin(2 * Math.PI * t / 168) + 1.5 * gaussian(rng);
            ar = 0.8 * ar + 0.5 * gaussian(rng);
            temperature[i] = 12 + 0.001 * t + 5 * StrictMath.sin(2 * Math.PI * (t - 6) / 24) + ar;
            target[i] = 0.25 * load[i] + 0.5 * temperature[i] + 2 * StrictMath.sin(day + 0.5) + 0.5 * gaussian(rng);
        }
        return new TimeSeries(SOURCE, times, List.of("load", "temperature", "target"), new double[][] {load, temperature, target});
    }

    /** A standard normal by Box–Muller from two uniforms (reproducible, unlike a JDK's nextGaussian across versions). */
    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble(); // (0, 1]
        double v = rng.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * Math.PI * v);
    }
}
