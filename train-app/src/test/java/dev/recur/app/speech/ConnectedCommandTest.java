package dev.recur.app.speech;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.app.Run;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code speech --task connected} end to end on the generated sounds, at a tiny size: training
 * writes checkpoints, metrics with the test digit error rate and the curve; a resumed run ends
 * where the uninterrupted one does; eval and transcribe (--json with each digit's CTC-path times,
 * --plot) read the checkpoint; a file that is not a WAV is refused in one line.
 */
class ConnectedCommandTest {
    static final String[] TINY = {"--task", "connected", "--hidden", "16", "--layers", "1", "--batch", "16", "--utterances", "64",
        "--test-utterances", "16", "--threads", "1", "--seed", "3", "--lr-schedule", "constant"};
    @TempDir Path dir;

    static String[] tiny(String... more) {
        String[] all = new String[1 + TINY.length + more.length];
        all[0] = "speech";
        System.arraycopy(TINY, 0, all, 1, TINY.length);
        System.arraycopy(more, 0, all, 1 + TINY.length, more.length);
        return all;
    }

    static List<Map<?, ?>> records(Path out) throws Exception {
        ObjectMapper m = new ObjectMapper();
        List<Map<?, ?>> rs = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) rs.add(m.readValue(line, Map.class));
        return rs;
    }

    /** A 16-bit mono 8 kHz WAV of three generated digits with gaps. */
    static Path wav(Path file) throws Exception {
        SplittableRandom r = new SplittableRandom(1);
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        for (int d : new int[] {4, 0, 7}) {
            float[] x = SyntheticDigits.signal(d, 1.0, r);
            for (int i = 0; i < 1200 + x.length; i++) {
                short v = (short) (i < 1200 ? 0 : Math.round(x[i - 1200] * 32000));
                pcm.write(v & 0xff);
                pcm.write((v >> 8) & 0xff);
            }
        }
        byte[] data = pcm.toByteArray();
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt(36 + data.length).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(data.length);
        Files.write(file, h.array());
        Files.write(file, data, java.nio.file.StandardOpenOption.APPEND);
        return file;
    }

    @Test
    void trainsEvaluatesAndTranscribesWithTimes() throws Exception {
        Path out = dir.resolve("run");
        Run r = Run.of(tiny("--epochs", "2", "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        List<Map<?, ?>> rs = records(out);
        Map<?, ?> test = rs.get(rs.size() - 1);
        assertEquals("test", test.get("split"));
        double der = ((Number) test.get("test_der")).doubleValue();
        assertTrue(der >= 0 && Double.isFinite(der), "digit error rate " + der);   // insertions can take it past 1 this early
        assertTrue(((Number) rs.get(0).get("val_der")).doubleValue() >= 0);
        assertTrue(Files.size(out.resolve("best.safetensors")) > 0 && Files.size(out.resolve("curve.png")) > 0);
        assertTrue(r.err().contains("digit error rate") || r.out().contains("digit error rate"), r.toString());

        Run e = Run.of("speech", "eval", "--checkpoint", out.resolve("best.safetensors").toString(), "--test-utterances", "16", "--seed", "3", "--json");
        assertEquals(0, e.code(), e.toString());
        Map<?, ?> ev = new ObjectMapper().readValue(e.out().trim(), Map.class);
        // the same strings (batches of another size may round a logit differently: a tie could flip)
        assertEquals(der, ((Number) ev.get("digit_error_rate")).doubleValue(), 0.03, "eval scores the run's test strings");

        Path audio = wav(dir.resolve("407.wav")), png = dir.resolve("align.png");
        Run t = Run.of("speech", "transcribe", "--checkpoint", out.resolve("best.safetensors").toString(), "--json", "--beam", "4",
                "--plot", png.toString(), audio.toString());
        assertEquals(0, t.code(), t.toString());
        Map<?, ?> j = new ObjectMapper().readValue(t.out().trim(), Map.class);
        String text = (String) j.get("text");
        assertTrue(text.matches("[0-9]*"), text);
        double seconds = ((Number) j.get("seconds")).doubleValue(), previous = 0;
        List<?> digits = (List<?>) j.get("digits");
        assertEquals(text.length(), digits.size());
        for (Object o : digits) {
            Map<?, ?> d = (Map<?, ?>) o;
            double s = ((Number) d.get("start")).doubleValue(), en = ((Number) d.get("end")).doubleValue();
            assertTrue(previous <= s && s < en && en <= seconds + 0.05, "times in order inside the file: " + j);
            previous = en;
        }
        assertTrue(Files.size(png) > 0);
    }

    @Test
    void resumeEndsWhereTheUninterruptedRunEnds() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        assertEquals(0, Run.of(tiny("--epochs", "2", "--out", a.toString())).code());
        assertEquals(0, Run.of(tiny("--epochs", "1", "--out", b.toString())).code());
        Run r = Run.of(tiny("--epochs", "2", "--out", b.toString(), "--resume"));
        assertEquals(0, r.code(), r.toString());
        List<Map<?, ?>> ra = records(a), rb = records(b);
        assertEquals(ra.get(1).get("train_loss"), rb.get(1).get("train_loss"), "epoch 2's loss after a resume");
        assertEquals(ra.get(ra.size() - 1).get("test_der"), rb.get(rb.size() - 1).get("test_der"));
        Run changed = Run.of(tiny("--epochs", "3", "--out", b.toString(), "--resume", "--utterances", "65"));
        assertNotEquals(0, changed.code());
    }

    @Test
    void aFileThatIsNotAWavIsRefusedInOneLine() throws Exception {
        Path out = dir.resolve("run");
        assertEquals(0, Run.of(tiny("--epochs", "1", "--out", out.toString())).code());
        Path bad = Files.writeString(dir.resolve("notes.wav"), "these are not samples");
        Run t = Run.of("speech", "transcribe", "--checkpoint", out.resolve("best.safetensors").toString(), bad.toString());
        assertNotEquals(0, t.code());
        assertTrue(t.err().contains("notes.wav"), t.toString());
        assertFalse(t.err().contains("Exception") || t.err().contains("\tat "), t.toString());
    }
}
