package dev.recur.layers.audio;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small strict streaming reader of RIFF/WAVE files: PCM (format tag 1, or WAVE_FORMAT_EXTENSIBLE
 * with the PCM sub-format), 8-bit unsigned or 16-bit signed little-endian, 1 to 8 channels (mixed
 * down to mono by averaging), at {@value #RATE} Hz. Other rates are refused with a message that
 * says how to convert the file (no resampling here); so are other encodings (float, µ-law, 24-bit).
 *
 * <p>The reader pulls samples ({@link #read}) in blocks, so memory does not grow with the file; a
 * file whose data chunk holds more than {@link #MAX_SECONDS} seconds is refused before any sample
 * is read. Chunks other than {@code fmt } and {@code data} are skipped. Every error is an
 * {@link AudioException} naming the file and, for a bad or truncated structure, the byte offset.
 */
public final class WavReader implements AutoCloseable {
    /** The one sample rate the speech front end reads. */
    public static final int RATE = 8000;
    /** The longest file accepted, in seconds (30 minutes: 14.4 M samples). */
    public static final int MAX_SECONDS = 30 * 60;

    private final Path file;
    private final InputStream in;
    private final int channels, bits, rate;
    private final long dataBytes;
    private final long dataOffset;
    private final byte[] block;
    private long consumed;
    private long offset;

    private WavReader(Path file) throws IOException {
        this.file = file;
        this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        byte[] head = new byte[12];
        int n = readUpTo(head, 12);
        if (n < 4 || !ascii(head, 0, "RIFF")) {
            close();
            throw fail(0, "is not a WAV file (no RIFF header)", "give a RIFF/WAVE file, PCM 16-bit, 8000 Hz");
        }
        if (n < 12) {
            close();
            throw fail(n, "has a truncated RIFF header (" + n + " of 12 bytes)", "the file is cut short; record or copy it again");
        }
        if (!ascii(head, 8, "WAVE")) {
            close();
            throw fail(8, "is a RIFF file but not WAVE", "give a RIFF/WAVE file, PCM 16-bit, 8000 Hz");
        }
        offset = 12;
        int ch = -1, bps = -1, sr = -1;
        long data = -1;
        try {
            while (true) {
                byte[] hdr = new byte[8];
                long at = offset;
                int got = readUpTo(hdr, 8);
                if (got < 8) {
                    throw fail(at, got == 0 ? "has no data chunk" : "has a truncated chunk header",
                            "the file is cut short or not a WAV file; record or copy it again");
                }
                offset += 8;
                String id = new String(hdr, 0, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
                long size = u32(hdr, 4);
                if (id.equals("fmt ")) {
                    if (size < 16 || size > 4096) throw fail(at, "has a fmt chunk of " + size + " bytes", "this is not a valid WAV file");
                    byte[] fmt = new byte[(int) size];
                    int f = readUpTo(fmt, fmt.length);
                    if (f < fmt.length) throw fail(offset + f, "has a truncated fmt chunk", "the file is cut short; record or copy it again");
                    offset += size + (size & 1);
                    if ((size & 1) == 1) skip(1);
                    int tag = u16(fmt, 0);
                    if (tag == 0xFFFE && size >= 40) tag = u16(fmt, 24);   // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the tag
                    ch = u16(fmt, 2);
                    sr = (int) u32(fmt, 4);
                    bps = u16(fmt, 14);
                    if (tag != 1) {
                        throw fail(at + 8, "is encoded with format tag " + tag + (tag == 3 ? " (float)" : tag == 7 ? " (µ-law)" : tag == 6 ? " (A-law)" : "")
                                + ", not PCM", "convert it to PCM 16-bit, e.g. sox IN.wav -e signed -b 16 -r 8000 OUT.wav");
                    }
                    if (bps != 8 && bps != 16) {
                        throw fail(at + 22, "has " + bps + "-bit samples", "convert it to 16-bit PCM, e.g. sox IN.wav -b 16 -r 8000 OUT.wav");
                    }
                    if (ch < 1 || ch > 8) throw fail(at + 10, "has " + ch + " channels", "give a mono or stereo file");
                    if (sr != RATE) {
                        throw fail(at + 12, "is sampled at " + sr + " Hz; the speech front end reads " + RATE + " Hz",
                                "resample it, e.g. sox IN.wav -r 8000 OUT.wav (or ffmpeg -i IN.wav -ar 8000 OUT.wav)");
                    }
                } else if (id.equals("data")) {
                    if (ch < 0) throw fail(at, "has its data chunk before the fmt chunk", "this is not a valid WAV file");
                    data = size;
                    break;
                } else {
                    skip(size + (size & 1));
                    offset += size + (size & 1);
                }
            }
        } catch (AudioException e) {
            close();
            throw e;
        }
        channels = ch;
        bits = bps;
        rate = sr;
        dataOffset = offset;
        int frame = channels * bits / 8;
        long usable = data - data % frame;
        if (usable / frame > (long) MAX_SECONDS * RATE) {
            close();
            throw fail(dataOffset - 8, "holds " + (usable / frame / RATE) + " s of audio, over the limit of " + MAX_SECONDS + " s",
                    "cut it into shorter files");
        }
        dataBytes = usable;
        block = new byte[4096 * frame];
    }

    /** Opens {@code file} and reads its header; an {@link AudioException} says what is wrong with it. */
    public static WavReader open(Path file) {
        if (Files.isDirectory(file)) throw new AudioException(file + " is a folder, not a WAV file");
        if (!Files.isRegularFile(file)) throw new AudioException(file + " does not exist or is not a regular file");
        try {
            return new WavReader(file);
        } catch (IOException e) {
            throw new AudioException(file + ": cannot read it (" + e.getMessage() + ")");
        }
    }

    /** Reads a whole file into mono samples in [−1, 1). */
    public static float[] readAll(Path file) {
        try (WavReader r = open(file)) {
            float[] out = new float[(int) r.frames()];
            int n = 0;
            while (n < out.length) {
                int got = r.read(out, n, out.length - n);
                if (got < 0) break;
                n += got;
            }
            return out;
        }
    }

    public Path file() { return file; }

    public int channels() { return channels; }

    public int bitsPerSample() { return bits; }

    public int sampleRate() { return rate; }

    /** Samples (per channel) the data chunk holds. */
    public long frames() { return dataBytes / ((long) channels * bits / 8); }

    /**
     * Reads up to {@code len} mono samples into {@code out} from {@code off}; returns how many, or
     * −1 at the end of the data. A data chunk that ends before its declared size is an error that
     * names the offset.
     */
    public int read(float[] out, int off, int len) {
        if (consumed >= dataBytes) return -1;
        int frame = channels * bits / 8;
        int want = (int) Math.min(Math.min((long) len * frame, block.length), dataBytes - consumed);
        int got;
        try {
            got = readUpTo(block, want);
        } catch (IOException e) {
            throw new AudioException(file + ": cannot read it (" + e.getMessage() + ")");
        }
        if (got < want) {
            throw fail(dataOffset + consumed + got, "has a truncated data chunk (" + (consumed + got) + " of " + dataBytes
                    + " bytes)", "the file is cut short; record or copy it again");
        }
        consumed += got;
        int n = got / frame;
        float scale = 1f / channels;
        for (int i = 0; i < n; i++) {
            float sum = 0f;
            for (int c = 0; c < channels; c++) {
                int p = i * frame + c * (bits / 8);
                sum += bits == 16 ? (short) ((block[p] & 0xFF) | (block[p + 1] << 8)) / 32768f : ((block[p] & 0xFF) - 128) / 128f;
            }
            out[off + i] = sum * scale;
        }
        return n;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing was written: closing a reader cannot lose data
        }
    }

    private AudioException fail(long at, String what, String todo) {
        return new AudioException(file + " " + what + " at byte " + at + ": " + todo);
    }

    private int readUpTo(byte[] b, int len) throws IOException {
        int n = 0;
        while (n < len) {
            int r = in.read(b, n, len - n);
            if (r < 0) break;
            n += r;
        }
        return n;
    }

    private void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) throw fail(offset, "has a truncated chunk", "the file is cut short; record or copy it again");
                s = 1;
            }
            left -= s;
        }
    }

    private static boolean ascii(byte[] b, int at, String s) {
        for (int i = 0; i < 4; i++) if (b[at + i] != s.charAt(i)) return false;
        return true;
    }

    private static int u16(byte[] b, int at) { return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8; }

    private static long u32(byte[] b, int at) { return (u16(b, at) | (long) u16(b, at + 2) << 16) & 0xFFFFFFFFL; }
}
