package dev.recur.app.forecast;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.app.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code forecast} end to end: on the generated series, and refusing bad input with one-line errors. */
class ForecastCommandTest {
    @TempDir Path dir;

    @Test
    void beatsTheNaiveBaselinesOnTheGeneratedSeries() throws Exception {
        Path out = dir.resolve("run");
        Run r = Run.of("forecast", "--hidden", "16", "--epochs", "2", "--batch", "64", "--lr", "0.01", "--revin",
                "--threads", "1", "--json", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> j = new ObjectMapper().readValue(r.out(), Map.class);
        double model = ((Number) ((Map<?, ?>) j.get("model")).get("mse")).doubleValue();
        List<?> baselines = (List<?>) j.get("baselines");
        assertEquals(2, baselines.size(), r.out());
        for (Object b : baselines) {
            double mse = ((Number) ((Map<?, ?>) b).get("mse")).doubleValue();
            assertTrue(model < mse, "model MSE " + model + " vs " + b);
        }
        assertEquals(4, ((List<?>) j.get("step_groups")).size());
        for (String f : List.of("last.safetensors", "best.safetensors", "metrics.jsonl", "curve.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(3, lines.size()); // two epochs and the test line
        Map<?, ?> test = new ObjectMapper().readValue(lines.get(2), Map.class);
        assertEquals(model, ((Number) test.get("test_mse")).doubleValue(), 1e-12);
    }

    @Test
    void channelIndependentLstmRunsOnACsvAndASecondRunIntoTheFolderIsRefused() throws Exception {
        Path out = dir.resolve("ci"), csv = dir.resolve("series.csv");
        Files.writeString(csv, SeriesCsv.format(SyntheticSeries.generate(600, 3)));
        String[] args = {"forecast", "--data", csv.toString(), "--model", "lstm", "--channel-independent", "--lookback", "24", "--horizon", "12",
            "--hidden", "8", "--epochs", "1", "--batch", "128", "--loss", "huber", "--threads", "1", "--out", out.toString()};
        Run r = Run.of(args);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("LSTM 1×8 → linear"), r.out());
        assertTrue(r.out().contains("last value"), r.out());
        assertTrue(r.err().contains("channel-independent"), r.err());
        Run again = Run.of(args);
        assertEquals(2, again.code(), again.toString());
        assertTrue(again.err().contains("already holds a run"), again.err());

        Run p = Run.of("forecast", "predict", "--checkpoint", out.resolve("best.safetensors").toString(), "--data", csv.toString());
        assertEquals(0, p.code(), p.toString());
        TimeSeries f = new SeriesCsv("date", Fill.NONE).read(p.out(), "forecast");
        assertEquals(List.of("load", "temperature", "target"), f.names());
        assertEquals(12, f.rows());
        assertEquals(SyntheticSeries.START.plusHours(600), f.times()[0]); // the hour after the data's last row
        for (double[] col : f.columns()) for (double v : col) assertTrue(Double.isFinite(v) && Math.abs(v) < 1e3, p.out());
        Path pic = dir.resolve("predict.png");
        Run pp = Run.of("forecast", "predict", "--checkpoint", out.resolve("best.safetensors").toString(), "--data", csv.toString(),
                "--plot", pic.toString());
        assertEquals(0, pp.code(), pp.toString());
        assertEquals(p.out(), pp.out(), "the plot does not change the forecast");
        assertPng(pic, 900, 3 * 520);   // one panel per output column (3 here)

        Path evalPic = dir.resolve("eval.png");
        Run ev = Run.of("forecast", "eval", "--checkpoint", out.resolve("best.safetensors").toString(), "--data", csv.toString(),
                "--json", "--plot", evalPic.toString());
        assertEquals(0, ev.code(), ev.toString());
        Map<?, ?> ej = new ObjectMapper().readValue(ev.out(), Map.class);
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        Map<?, ?> testLine = new ObjectMapper().readValue(metrics.getLast(), Map.class);
        assertEquals(((Number) testLine.get("test_mse")).doubleValue(), ((Number) ((Map<?, ?>) ej.get("model")).get("mse")).doubleValue(),
                1e-9, "eval of best.safetensors scores what the training run's test scored");
        assertEquals(12, ((Number) ej.get("horizon")).intValue());
        assertEquals(2, ((List<?>) ej.get("baselines")).size());
        assertPng(evalPic, 900, 3 * 520);   // the first, middle and last test windows
        Run evText = Run.of("forecast", "eval", "--checkpoint", out.resolve("best.safetensors").toString(), "--data", csv.toString());
        assertEquals(0, evText.code(), evText.toString());
        assertTrue(evText.out().contains("seasonal naive") && evText.out().contains("steps   1-3"), evText.out());
        Run badPlot = Run.of("forecast", "eval", "--checkpoint", out.resolve("best.safetensors").toString(), "--data", csv.toString(),
                "--plot", dir.resolve("x.jpg").toString());
        assertEquals(2, badPlot.code(), badPlot.toString());
        assertTrue(badPlot.err().contains("ending in .png"), badPlot.err());

        Run info = Run.of("info", "--checkpoint", out.resolve("best.safetensors").toString(), "--json");
        assertEquals(0, info.code(), info.toString());
        assertTrue(info.out().contains("\"task\":\"forecast\"") && info.out().contains("LSTM 1×8 → linear"), info.out());
        Run short_ = Run.of("forecast", "predict", "--checkpoint", out.resolve("best.safetensors").toString(), "--data",
                dir.resolve("nothing.csv").toString());
        assertEquals(1, short_.code(), short_.toString());
        assertTrue(short_.err().startsWith("error: ") && short_.err().contains("no such file"), short_.err());
    }

    @Test
    void segRnnTrainsChannelIndependentAndRefusesASegmentThatDoesNotDivide() throws Exception {
        Path csv = dir.resolve("seg.csv");
        Files.writeString(csv, SeriesCsv.format(SyntheticSeries.generate(600, 4)));
        Run r = Run.of("forecast", "--data", csv.toString(), "--model", "segrnn", "--lookback", "48", "--horizon", "24",
                "--segment", "12", "--hidden", "16", "--epochs", "1", "--batch", "64", "--subtract-last", "--threads", "1",
                "--json", "--out", dir.resolve("seg").toString());
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> j = new ObjectMapper().readValue(r.out(), Map.class);
        assertEquals("SegRNN (GRU 16, segment 12)", ((Map<?, ?>) j.get("model")).get("name"));
        assertTrue(Double.isFinite(((Number) ((Map<?, ?>) j.get("model")).get("mse")).doubleValue()));
        oneLineError(Run.of("forecast", "--data", csv.toString(), "--model", "segrnn", "--lookback", "48", "--horizon", "24",
                "--segment", "10", "--out", dir.resolve("seg2").toString()), 2, "--segment 10 must divide --lookback 48");
        oneLineError(Run.of("forecast", "--data", csv.toString(), "--model", "segrnn", "--features", "MS",
                "--out", dir.resolve("seg3").toString()), 2, "--model segrnn is channel-independent");
        oneLineError(Run.of("forecast", "--data", csv.toString(), "--model", "segrnn", "--revin", "--subtract-last",
                "--out", dir.resolve("seg4").toString()), 2, "--revin and --subtract-last", "give one");
        // the checkpoint says which normalisation the model was trained with
        var meta = dev.recur.app.run.Checkpoint.read(dir.resolve("seg").resolve("best.safetensors"), ForecastTrainer.TASK, "forecast");
        assertEquals("last", meta.meta(dev.recur.layers.forecast.ForecastConfig.META_PREFIX + "norm"));
    }

    @Test
    void resumeEndsWhereTheUninterruptedRunEnds() throws Exception {
        Path csv = dir.resolve("r.csv"), a = dir.resolve("a"), b = dir.resolve("b");
        Files.writeString(csv, SeriesCsv.format(SyntheticSeries.generate(300, 5)));
        String[] common = {"forecast", "--data", csv.toString(), "--lookback", "24", "--horizon", "12", "--hidden", "8",
            "--batch", "64", "--threads", "1", "--json", "--patience", "0"};
        Run full = Run.of(concat(common, "--epochs", "2", "--out", a.toString()));
        assertEquals(0, full.code(), full.toString());
        assertEquals(0, Run.of(concat(common, "--epochs", "1", "--out", b.toString())).code());
        Run resumed = Run.of(concat(common, "--epochs", "2", "--out", b.toString(), "--resume"));
        assertEquals(0, resumed.code(), resumed.toString());
        Map<?, ?> x = new ObjectMapper().readValue(full.out(), Map.class), y = new ObjectMapper().readValue(resumed.out(), Map.class);
        assertEquals(x.get("model"), y.get("model"));
        assertEquals(3, Files.readAllLines(b.resolve("metrics.jsonl")).size(), "two epoch lines and one test line");
        Run other = Run.of(concat(common, "--epochs", "3", "--lr", "0.02", "--out", b.toString(), "--resume"));
        assertEquals(2, other.code(), other.toString());
        assertTrue(other.err().contains("--lr 0.02 (the run was started with 0.003)"), other.err());
        // the shared training options are run options too
        Run schedule = Run.of(concat(common, "--epochs", "3", "--lr-schedule", "cosine", "--out", b.toString(), "--resume"));
        assertEquals(2, schedule.code(), schedule.toString());
        assertTrue(schedule.err().contains("--lr-schedule cosine"), schedule.err());
    }

    private static void assertPng(Path f, int width, int height) throws Exception {
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(f.toFile());
        assertNotNull(img, f + " is not a PNG");
        assertEquals(width, img.getWidth());
        assertEquals(height, img.getHeight());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private Run onFile(String name, String csv, String... more) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, csv);
        String[] args = new String[6 + more.length];
        args[0] = "forecast";
        args[1] = "--data";
        args[2] = f.toString();
        args[3] = "--out";
        args[4] = dir.resolve("out-" + name).toString();
        args[5] = "--threads=1";
        System.arraycopy(more, 0, args, 6, more.length);
        return Run.of(args);
    }

    private static void oneLineError(Run r, int code, String... parts) {
        assertEquals(code, r.code(), r.toString());
        String err = r.err().strip();
        assertTrue(err.startsWith("error: "), err);
        assertEquals(1, err.lines().count(), err);
        for (String p : parts) assertTrue(err.contains(p), err);
        assertFalse(err.contains("Exception"), err);
    }

    @Test
    void badInputGivesTheDataCodesOneLineErrors() throws Exception {
        oneLineError(onFile("f.csv", "date,a,b\n2020-01-01 00:00,1,2\n2020-01-01 01:00,abc,3\n"), 1,
                "f.csv, line 3, column 'a': 'abc' is not a number");
        oneLineError(onFile("o.csv", "date,a\n2020-01-01 01:00,1\n2020-01-01 00:00,2\n"), 1, "o.csv, line 3", "increasing time order");
        oneLineError(onFile("m.csv", "date,a\n2020-01-01 00:00,1\n2020-01-01 01:00,\n"), 1, "missing value", "--fill previous");
        StringBuilder small = new StringBuilder("date,a,b\n");
        for (int i = 0; i < 100; i++) small.append(String.format("2020-01-%02d %02d:00,%d,%d%n", 1 + i / 24, i % 24, i, i * i % 7));
        oneLineError(onFile("s.csv", small.toString()), 1, "needs at least", "the data has 100");
        oneLineError(onFile("t.csv", small.toString(), "--target", "OT"), 1, "no numeric column 'OT'");
        oneLineError(onFile("c.csv", small.toString(), "--features", "MS", "--channel-independent"), 2, "--features M or S");
        oneLineError(onFile("x.csv", small.toString(), "--features", "X"), 2, "--features must be M, S or MS");
        oneLineError(onFile("w.csv", small.toString(), "--lr-warmup", "-1"), 2, "--lr-warmup");
        oneLineError(onFile("k.csv", small.toString(), "--lr-schedule", "step", "--lr-step-factor", "0"), 2,
                "--lr-step-factor must be above 0 and at most 1, got 0.0");
        oneLineError(onFile("n.csv", small.toString(), "--lr-step-after", "-1"), 2, "--lr-step-after");
        oneLineError(onFile("l.csv", small.toString(), "--time-limit", "-5"), 2, "--time-limit");
        assertFalse(Files.exists(dir.resolve("out-f.csv").resolve("last.safetensors")));
    }

    @Test
    void encoderDecoderTrainsAndResumesBitExactWithDropoutAndTeacherForcing() throws Exception {
        Path csv = dir.resolve("ed.csv");
        Files.writeString(csv, SeriesCsv.format(SyntheticSeries.generate(500, 5)));
        List<String> common = List.of("forecast", "--data", csv.toString(), "--model", "encdec", "--lookback", "24", "--horizon", "12",
                "--hidden", "8", "--layers", "2", "--dropout", "0.3", "--teacher-forcing", "0.5", "--revin", "--batch", "64",
                "--patience", "0", "--threads", "1", "--json");
        Run whole = Run.of(concat(common, "--epochs", "2", "--out", dir.resolve("whole").toString()));
        assertEquals(0, whole.code(), whole.toString());
        assertTrue(whole.out().contains("GRU 2×8 encoder → GRU decoder"), whole.out());
        Run first = Run.of(concat(common, "--epochs", "1", "--out", dir.resolve("split").toString()));
        assertEquals(0, first.code(), first.toString());
        Run rest = Run.of(concat(common, "--epochs", "2", "--out", dir.resolve("split").toString(), "--resume"));
        assertEquals(0, rest.code(), rest.toString());
        assertEquals(whole.out().replace("whole", "split"), rest.out(), "a resumed run ends where an uninterrupted one does");
        assertArrayEquals(tensors(dir.resolve("whole/last.safetensors")), tensors(dir.resolve("split/last.safetensors")));

        Run ms = Run.of("forecast", "--data", csv.toString(), "--model", "encdec", "--features", "MS", "--out", dir.resolve("ms").toString());
        assertEquals(2, ms.code(), ms.toString());
        assertTrue(ms.err().contains("--features M or S"), ms.err());
        Run tf = Run.of("forecast", "--model", "gru", "--teacher-forcing", "0.5", "--out", dir.resolve("tf").toString());
        assertEquals(2, tf.code(), tf.toString());
        assertTrue(tf.err().contains("--teacher-forcing is for --model encdec"), tf.err());
    }

    private static String[] concat(List<String> a, String... b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    /** The tensor bytes of a safetensors file (after its header, which names the run folder). */
    private static byte[] tensors(Path f) throws Exception {
        byte[] all = Files.readAllBytes(f);
        long n = java.nio.ByteBuffer.wrap(all, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        return java.util.Arrays.copyOfRange(all, (int) (8 + n), all.length);
    }
}
