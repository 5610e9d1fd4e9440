package dev.recur.app.forecast;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks the protocol on the real ETT files against their SOURCE.md: row counts, time step, the
 * training statistics of the normaliser, the reference window counts; prints the naive baselines.
 * Not part of {@code ./recur test} (the files are not in the repository; the name does not match
 * the test pattern). Run it where {@code ../shared/data/timeseries/ett/} exists, from the project root:
 *
 * <pre>
 *   mvn -q -pl train-app -am test -Dtest=EttCheck -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * or point {@code -Dett.dir=FOLDER} elsewhere. A missing folder fails the check: it never skips.
 */
class EttCheck {
    private static final List<String> COLUMNS = List.of("HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT");

    private static Path folder() {
        String given = System.getProperty("ett.dir");
        if (given != null) return Path.of(given);
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("recur"))) dir = dir.getParent();
        assertNotNull(dir, "project root (the folder with ./recur) not found from " + Path.of("").toAbsolutePath());
        return dir.resolve("../shared/data/timeseries/ett").normalize();
    }

    /** SOURCE.md's "mean / std" table row of {@code file}, as [mean…, std…]. */
    private static double[][] sourceStatistics(String source, String file) {
        Matcher row = Pattern.compile("(?m)^\\| " + file + " \\|(.*)\\|\\s*$").matcher(source);
        assertTrue(row.find(), "SOURCE.md has no statistics row for " + file);
        String[] cells = row.group(1).split("\\|");
        assertEquals(COLUMNS.size(), cells.length);
        double[][] ms = new double[2][cells.length];
        for (int c = 0; c < cells.length; c++) {
            String[] parts = cells[c].trim().split(" / ");
            ms[0][c] = Double.parseDouble(parts[0]);
            ms[1][c] = Double.parseDouble(parts[1]);
        }
        return ms;
    }

    @Test
    void ettFilesFollowTheProtocolOfTheirSource() throws IOException {
        Path dir = folder();
        assertTrue(Files.isDirectory(dir), "ETT folder " + dir + " not found; give -Dett.dir=FOLDER");
        String source = Files.readString(dir.resolve("SOURCE.md"));
        for (String file : List.of("ETTh1", "ETTh2")) {
            TimeSeries s = new SeriesCsv(null, Fill.NONE).read(dir.resolve(file + ".csv"), "--data");
            assertEquals(17_420, s.rows(), file);
            assertEquals(COLUMNS, s.names());
            assertEquals(LocalDateTime.of(2016, 7, 1, 0, 0), s.times()[0]);
            assertEquals(LocalDateTime.of(2018, 6, 26, 19, 0), s.times()[s.rows() - 1]);
            TimeStep step = s.step();
            assertEquals(Duration.ofHours(1), step.duration());
            assertTrue(step.regular(), "no gaps or repeats");
            Split.Rule rule = Split.Rule.forFile(file + ".csv");
            assertEquals(Split.Rule.ETT_HOUR, rule);

            ForecastData d = ForecastData.prepare(s, Features.M, "OT", 96, 96, rule);
            double[][] expected = sourceStatistics(source, file);
            for (int c = 0; c < COLUMNS.size(); c++) {
                assertEquals(expected[0][c], d.normaliser().mean(c), 5.1e-7, file + " mean of " + COLUMNS.get(c));
                assertEquals(expected[1][c], d.normaliser().std(c), 5.1e-7, file + " std of " + COLUMNS.get(c));
            }
            for (int h : new int[] {96, 192, 336, 720}) {
                Split split = ForecastData.prepare(s, Features.M, "OT", 96, h, rule).split();
                assertEquals(8_545 - h, split.windows(Split.TRAIN), file + " train windows, H=" + h);
                assertEquals(2_881 - h, split.windows(Split.VALIDATION), file + " validation windows, H=" + h);
                assertEquals(2_881 - h, split.windows(Split.TEST), file + " test windows, H=" + h);
            }
            assertEquals(OptionalInt.of(24), Seasonality.infer(d, 96), file + ": the daily season");
            for (int h : new int[] {96, 192, 336, 720}) {
                ForecastData dh = ForecastData.prepare(s, Features.M, "OT", 96, h, rule);
                for (Forecaster f : List.of(NaiveForecast.lastValue(), NaiveForecast.seasonal(24))) {
                    // the baselines' test windows are the published protocol's: 2,881 − H of them
                    assertEquals(2_881 - h, dh.windows(Split.TEST).count());
                    ForecastErrors e = ForecastErrors.evaluate(dh.windows(Split.TEST), f, dh.outputStd());
                    System.out.printf(Locale.ROOT, "%s M L=96 H=%d %-19s test MSE %.4f MAE %.4f (original units: MSE %.3f MAE %.3f)%n",
                            file, h, f.name(), e.mse(), e.mae(), e.mseOriginal(), e.maeOriginal());
                }
            }
        }
    }
}
