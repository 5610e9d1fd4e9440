package dev.recur.app.speech;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.app.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code speech} end to end on the generated set: it learns, writes its run folder, {@code eval}
 * agrees with the training's test score, {@code transcribe} reads generated WAV files (one digit,
 * and several digits with pauses) and plots them; bad input gets one clear line and exit 1 or 2.
 */
class SpeechCommandTest {
    @TempDir static Path dir;
    static Path run;
    static Run trained;
    static final String[] TINY = {"--hidden", "32", "--layers", "1", "--epochs", "6", "--lr", "0.01", "--threads", "1", "--seed", "3"};

    @BeforeAll
    static void train() {
        run = dir.resolve("run");
        String[] args = new String[TINY.length + 3];
        args[0] = "speech";
        args[1] = "--out";
        args[2] = run.toString();
        System.arraycopy(TINY, 0, args, 3, TINY.length);
        trained = Run.of(args);
    }

    static double accuracy(String out) {
        Matcher m = Pattern.compile("accuracy ([0-9.]+) %").matcher(out);
        double last = -1;
        while (m.find()) last = Double.parseDouble(m.group(1));
        return last;
    }

    /** A mono 16-bit 8 kHz WAV of the generated digits {@code digits}, each followed by 0.4 s of low noise. */
    static Path wav(String name, String digits, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        java.io.ByteArrayOutputStream pcm = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < digits.length(); i++) {
            float[] x = SyntheticDigits.signal(digits.charAt(i) - '0', 1.0, r);
            ByteBuffer b = ByteBuffer.allocate((x.length + 3200) * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : x) b.putShort((short) Math.round(v * 32767));
            for (int k = 0; k < 3200; k++) b.putShort((short) Math.round((r.nextDouble() - 0.5) * 0.01 * 32767));   // room noise between digits
            pcm.write(b.array());
        }
        byte[] data = pcm.toByteArray();
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt(36 + data.length).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(data.length);
        Path f = dir.resolve(name);
        Files.write(f, h.array());
        Files.write(f, data, java.nio.file.StandardOpenOption.APPEND);
        return f;
    }

    @Test
    void trainsOnTheGeneratedSetAndWritesItsRunFolder() {
        assertEquals(0, trained.code(), trained.toString());
        assertTrue(trained.out().contains("test (generated set: takes 0–4 test, 5–9 train, best epoch"), trained.out());
        assertTrue(accuracy(trained.out()) >= 80, "the generated digits are learnt: " + trained.out());
        for (String f : new String[] {"last.safetensors", "best.safetensors", "metrics.jsonl", "curve.png"}) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
    }

    @Test
    void evalScoresTheCheckpointAsTheTrainingDid() {
        Run e = Run.of("speech", "eval", "--checkpoint", run.resolve("best.safetensors").toString(), "--seed", "3");
        assertEquals(0, e.code(), e.toString());
        assertEquals(accuracy(trained.out()), accuracy(e.out()), 1e-9, e.out());
        Run j = Run.of("speech", "eval", "--checkpoint", run.resolve("best.safetensors").toString(), "--seed", "3", "--json");
        assertTrue(j.out().startsWith("{\"checkpoint\":") && j.out().contains("\"confusion\":[["), j.out());
    }

    @Test
    void transcribesFilesOfOneAndOfSeveralDigitsAndPlotsThem() throws IOException {
        Path one = wav("one.wav", "4", 11), several = wav("several.wav", "3719", 12);
        Path png = dir.resolve("spec.png");
        Run t = Run.of("speech", "transcribe", "--checkpoint", run.resolve("best.safetensors").toString(), "--json", "--plot", png.toString(),
                one.toString(), several.toString());
        assertEquals(0, t.code(), t.toString());
        String[] lines = t.out().strip().split("\n");
        assertEquals(2, lines.length, t.out());
        assertTrue(lines[0].contains("\"text\":\"4\""), lines[0]);
        Matcher m = Pattern.compile("\"text\":\"([0-9]*)\"").matcher(lines[1]);
        assertTrue(m.find(), lines[1]);
        assertEquals(4, m.group(1).length(), "four stretches found: " + lines[1]);
        int right = 0;
        for (int i = 0; i < 4; i++) if (m.group(1).charAt(i) == "3719".charAt(i)) right++;
        assertTrue(right >= 3, "at least three of the four digits right: " + lines[1]);
        assertTrue(lines[1].contains("\"start\":") && lines[1].contains("\"probability\":"), lines[1]);
        assertTrue(Files.size(dir.resolve("spec-one.png")) > 1000 && Files.size(dir.resolve("spec-several.png")) > 1000);
    }

    @Test
    void resumeContinuesTheRunAndRefusesOtherData() throws IOException {
        Path r = dir.resolve("resumed");
        String[] base = {"speech", "--out", r.toString(), "--layers", "1", "--threads", "1", "--seed", "5"};
        Run first = Run.of(concat(base, "--epochs", "1", "--hidden", "8"));
        assertEquals(0, first.code(), first.toString());
        Run again = Run.of(concat(base, "--epochs", "2", "--resume", "--hidden", "8"));
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("resuming") || again.out().contains("resuming"), again.toString());
        long epochs = Files.readAllLines(r.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"epoch\":")).count();
        assertEquals(2, epochs, "one line per epoch across the two runs");
        Run other = Run.of(concat(base, "--epochs", "3", "--resume", "--hidden", "9"));
        assertEquals(2, other.code(), other.toString());
        assertTrue(other.err().contains("--hidden") && !other.err().contains("only once"), other.err());
    }

    @Test
    void leaveOneSpeakerOutTrainsAFoldPerSpeakerAndTablesTheirMean() throws IOException {
        Path r = dir.resolve("folds");
        Run folds = Run.of("speech", "--leave-one-speaker-out", "--out", r.toString(), "--hidden", "8", "--epochs", "1", "--threads", "1",
                "--optimizer", "adamw", "--weight-decay", "0.001", "--seed", "4");
        assertEquals(0, folds.code(), folds.toString());
        Matcher row = Pattern.compile("(?m)^(synth[0-9]) +([0-9.]+) %  ([0-9]+) of ([0-9]+)").matcher(folds.out());
        double sum = 0;
        int n = 0;
        while (row.find()) {
            assertEquals("synth" + n, row.group(1), folds.out());
            assertEquals(100, Integer.parseInt(row.group(4)), "a generated speaker has 10 takes of 10 digits");
            assertEquals(Integer.parseInt(row.group(3)), Double.parseDouble(row.group(2)), 0.005, row.group());
            String metrics = Files.readString(r.resolve(row.group(1)).resolve("metrics.jsonl"));
            assertTrue(metrics.contains("\"test_set\":\"speaker " + row.group(1) + " held out\""), metrics);
            sum += Double.parseDouble(row.group(2));
            n++;
        }
        assertEquals(6, n, "one row per generated speaker:\n" + folds.out());
        Matcher mean = Pattern.compile("(?m)^mean +([0-9.]+) %  \\(6 folds\\)").matcher(folds.out());
        assertTrue(mean.find(), folds.out());
        assertEquals(sum / 6, Double.parseDouble(mean.group(1)), 0.01);

        Run help = Run.of("speech", "--help");
        assertEquals(0, help.code(), help.toString());
        for (String o : new String[] {"--leave-one-speaker-out", "--weight-decay", "--lr-warmup", "--clip-value", "Default: 2."}) {
            assertTrue(help.out().contains(o), "speech --help names " + o + ":\n" + help.out());
        }

        Run both = Run.of("speech", "--leave-one-speaker-out", "--test-speaker", "synth1", "--out", dir.resolve("r4").toString());
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.err().contains("drop --test-speaker synth1"), both.err());
    }

    static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void badInputIsOneClearLine() throws IOException {
        String ck = run.resolve("best.safetensors").toString();
        Path text = dir.resolve("notes.wav");
        Files.writeString(text, "not audio at all");
        Run r = Run.of("speech", "transcribe", "--checkpoint", ck, text.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("notes.wav is not a WAV file (no RIFF header) at byte 0"), r.err());

        Path quiet = dir.resolve("quiet.wav");
        byte[] silence = new byte[44 + 8000];
        System.arraycopy(Files.readAllBytes(wav("tmp.wav", "1", 1)), 0, silence, 0, 44);
        ByteBuffer.wrap(silence).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 36 + 8000).putInt(40, 8000);
        Files.write(quiet, silence);
        r = Run.of("speech", "transcribe", "--checkpoint", ck, quiet.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("quiet.wav is silence only"), r.err());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        r = Run.of("speech", "--data", empty.toString(), "--out", dir.resolve("r2").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("holds no recordings named DIGIT_SPEAKER_TAKE.wav"), r.err());

        r = Run.of("speech", "transcribe", "--checkpoint", dir.resolve("none.safetensors").toString(), text.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("does not exist"), r.err());

        r = Run.of("speech", "--features", "spectrum", "--out", dir.resolve("r3").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown feature kind 'spectrum': use logmel or mfcc"), r.err());
        for (Run x : new Run[] {r}) assertFalse(x.err().contains("Exception"), x.err());
    }
}
