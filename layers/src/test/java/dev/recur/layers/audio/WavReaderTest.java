package dev.recur.layers.audio;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The strict reader: what it reads (16-bit, 8-bit, stereo mixed down, extra chunks) and what it refuses, clearly. */
class WavReaderTest {
    @TempDir Path dir;

    /** A canonical WAV header for {@code dataBytes} of data, with {@code extra} chunk bytes before the data chunk. */
    static byte[] header(int tag, int channels, int rate, int bits, long dataBytes, byte[] extra) {
        ByteBuffer b = ByteBuffer.allocate(44 + extra.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt((int) (36 + extra.length + dataBytes)).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) tag).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
        b.put(extra);
        b.put("data".getBytes()).putInt((int) dataBytes);
        return b.array();
    }

    Path write(String name, byte[]... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.write(p);
        Path f = dir.resolve(name);
        Files.write(f, out.toByteArray());
        return f;
    }

    static byte[] pcm16(short... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : v) b.putShort(s);
        return b.array();
    }

    String error(Path f) {
        return assertThrows(AudioException.class, () -> WavReader.readAll(f)).getMessage();
    }

    @Test
    void reads16Bit8BitAndStereoMixedDownSkippingOtherChunks() throws IOException {
        Path mono = write("mono.wav", header(1, 1, 8000, 16, 6, new byte[0]), pcm16((short) 16384, (short) -32768, (short) 0));
        assertArrayEquals(new float[] {0.5f, -1f, 0f}, WavReader.readAll(mono));

        Path eight = write("eight.wav", header(1, 1, 8000, 8, 3, new byte[0]), new byte[] {(byte) 192, (byte) 0, (byte) 128});
        assertArrayEquals(new float[] {0.5f, -1f, 0f}, WavReader.readAll(eight));

        byte[] list = ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN).put("LIST".getBytes()).putInt(5).put(new byte[5]).array();
        Path stereo = write("stereo.wav", header(1, 2, 8000, 16, 8, Arrays.copyOf(list, 14)),
                pcm16((short) 16384, (short) 0, (short) -8192, (short) -8192));
        assertArrayEquals(new float[] {0.25f, -0.25f}, WavReader.readAll(stereo), "channels averaged; the odd chunk's pad byte skipped");
        try (WavReader r = WavReader.open(stereo)) {
            assertEquals(2, r.channels());
            assertEquals(2, r.frames());
        }
    }

    @Test
    void refusesWhatItCannotReadNamingTheFileAndOffset() throws IOException {
        String e = error(write("text.wav", "hello, I am not a sound".getBytes()));
        assertTrue(e.contains("text.wav is not a WAV file (no RIFF header) at byte 0"), e);

        e = error(write("cut.wav", Arrays.copyOf(header(1, 1, 8000, 16, 100, new byte[0]), 30)));
        assertTrue(e.contains("cut.wav has a truncated fmt chunk"), e);

        e = error(write("short.wav", "RIFF".getBytes(), new byte[3]));
        assertTrue(e.contains("truncated RIFF header (7 of 12 bytes)"), e);

        e = error(write("data.wav", header(1, 1, 8000, 16, 1000, new byte[0]), new byte[100]));
        assertTrue(e.contains("data.wav has a truncated data chunk (100 of 1000 bytes) at byte 144"), e);

        e = error(write("cd.wav", header(1, 2, 44100, 16, 4, new byte[0]), new byte[4]));
        assertTrue(e.contains("is sampled at 44100 Hz; the speech front end reads 8000 Hz") && e.contains("sox IN.wav -r 8000"), e);

        e = error(write("float.wav", header(3, 1, 8000, 32, 4, new byte[0]), new byte[4]));
        assertTrue(e.contains("format tag 3 (float), not PCM"), e);

        e = error(write("deep.wav", header(1, 1, 8000, 24, 3, new byte[0]), new byte[3]));
        assertTrue(e.contains("has 24-bit samples"), e);

        e = error(write("nodata.wav", Arrays.copyOf(header(1, 1, 8000, 16, 0, new byte[0]), 36)));
        assertTrue(e.contains("has no data chunk at byte 36"), e);

        e = assertThrows(AudioException.class, () -> WavReader.open(dir)).getMessage();
        assertTrue(e.endsWith("is a folder, not a WAV file"), e);
        e = assertThrows(AudioException.class, () -> WavReader.open(dir.resolve("missing.wav"))).getMessage();
        assertTrue(e.contains("does not exist"), e);
    }

    @Test
    void aHugeFileIsRefusedBeforeReadingAndATenMinuteOneIsStreamed() throws IOException {
        long tooLong = (long) (WavReader.MAX_SECONDS + 1) * 8000 * 2;
        String e = error(write("huge.wav", header(1, 1, 8000, 16, tooLong, new byte[0]), new byte[16]));
        assertTrue(e.contains("holds 1801 s of audio, over the limit of 1800 s"), e);

        int samples = 10 * 60 * 8000;
        Path ten = dir.resolve("ten.wav");
        try (OutputStream out = Files.newOutputStream(ten)) {
            out.write(header(1, 1, 8000, 16, samples * 2L, new byte[0]));
            ByteBuffer b = ByteBuffer.allocate(8000 * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int s = 0; s < 600; s++) {
                b.clear();
                for (int i = 0; i < 8000; i++) b.putShort((short) (8000 * Math.sin(2 * Math.PI * (300 + s) * i / 8000.0)));
                out.write(b.array());
            }
        }
        FeatureConfig cfg = FeatureConfig.defaults(FeatureConfig.Kind.LOGMEL);
        try (WavReader r = WavReader.open(ten)) {
            Features f = new FeatureExtractor(cfg).extract(r);
            assertEquals(cfg.frames(samples), f.frames());
            assertEquals((long) f.frames() * 40, f.values().length, "only the features are kept");
        }
    }
}
