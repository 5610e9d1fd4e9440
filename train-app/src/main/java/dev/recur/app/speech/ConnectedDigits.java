package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.layers.audio.AudioException;
import dev.recur.layers.audio.WavReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Connected-digit utterances made reproducibly from the Free Spoken Digit Dataset: 1–7 recordings
 * of one split joined end to end with short random gaps (100–300 ms before, between and after the
 * digits) and, optionally, low-level Gaussian noise over the whole utterance. A string of the
 * test split uses test takes only (takes 0–4, the dataset's official split), one of the training
 * split takes 5–49; leave-one-speaker-out puts one speaker's recordings (every take) on one side.
 *
 * <p>An utterance is a pure function of the pool and the seed ({@link #generate}); the recordings
 * are read once (3,000 files of ~0.5 s: about 15 MB of samples).
 */
public final class ConnectedDigits {
    /** Sample rate of FSDD and of the utterances. */
    public static final int RATE = WavReader.RATE;
    /** Most digits in one utterance. */
    public static final int MAX_DIGITS = 7;
    /** Takes below this are the official test split. */
    public static final int TEST_TAKES = 5;

    private static final Pattern NAME = Pattern.compile("([0-9])_([a-z]+)_([0-9]+)\\.wav");
    /** Shortest and longest gap (samples): 100 and 300 ms. */
    public static final int MIN_GAP = RATE / 10, MAX_GAP = 3 * RATE / 10;

    /** One FSDD recording with its samples. */
    public record Recording(int digit, String speaker, int take, float[] samples) {}

    /** A generated utterance: samples, the digits spoken, and where each digit's recording starts and ends (samples). */
    public record Utterance(float[] samples, int[] digits, int[] starts, int[] ends) {
        /** The digits as a string such as {@code "4071"}. */
        public String text() {
            StringBuilder s = new StringBuilder();
            for (int d : digits) s.append(d);
            return s.toString();
        }
    }

    private final List<Recording> recordings;

    private ConnectedDigits(List<Recording> recordings) { this.recordings = List.copyOf(recordings); }

    /**
     * Reads every {@code <digit>_<speaker>_<take>.wav} of {@code folder} (FSDD's {@code recordings/},
     * or the FSDD root holding it). A clear error when there is none.
     */
    public static ConnectedDigits load(Path folder) {
        Path dir = Files.isDirectory(folder.resolve("recordings")) ? folder.resolve("recordings") : folder;
        if (!Files.isDirectory(dir)) throw new AppException(folder + " is not a folder: give the FSDD folder (it holds recordings/)");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new AppException("cannot list " + dir + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new AppException(dir + " holds no FSDD recordings (files named <digit>_<speaker>_<take>.wav)");
        }
        List<Recording> out = new ArrayList<>();
        for (Path f : files) {
            Matcher m = NAME.matcher(f.getFileName().toString());
            if (!m.matches()) continue;
            try {
                out.add(new Recording(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3)), WavReader.readAll(f)));
            } catch (AudioException e) {
                throw new AppException(e.getMessage());
            }
        }
        return new ConnectedDigits(out);
    }

    /** Recordings as given (for tests and synthetic pools). */
    public static ConnectedDigits of(List<Recording> recordings) { return new ConnectedDigits(recordings); }

    public List<Recording> recordings() { return recordings; }

    /** The speakers, sorted. */
    public List<String> speakers() { return recordings.stream().map(Recording::speaker).distinct().sorted().toList(); }

    /** The official split: test takes 0–4 when {@code test}, else takes 5–49. */
    public List<Recording> officialSplit(boolean test) {
        return recordings.stream().filter(r -> (r.take() < TEST_TAKES) == test).toList();
    }

    /** Leave-one-speaker-out: every recording of {@code speaker} when {@code test}, else every other speaker's. */
    public List<Recording> speakerSplit(String speaker, boolean test) {
        if (!speakers().contains(speaker)) throw new AppException("no speaker '" + speaker + "' in the data; speakers: " + speakers());
        return recordings.stream().filter(r -> r.speaker().equals(speaker) == test).toList();
    }

    /**
     * Utterance {@code index} of a set drawn from {@code pool} with {@code seed}: 1–{@link #MAX_DIGITS}
     * digits (uniform), each a uniformly drawn recording of the pool, random gaps, noise of standard
     * deviation {@code noise} (0 for none). The same arguments give the same samples.
     */
    public static Utterance generate(List<Recording> pool, long seed, int index, float noise) {
        if (pool.isEmpty()) throw new AppException("no recordings to build connected digits from");
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int n = 1 + rng.nextInt(MAX_DIGITS);
        Recording[] picks = new Recording[n];
        int[] gaps = new int[n + 1];
        long total = 0;
        for (int i = 0; i < n; i++) {
            picks[i] = pool.get(rng.nextInt(pool.size()));
            total += picks[i].samples().length;
        }
        for (int i = 0; i <= n; i++) {
            gaps[i] = MIN_GAP + rng.nextInt(MAX_GAP - MIN_GAP + 1);
            total += gaps[i];
        }
        float[] x = new float[Math.toIntExact(total)];
        int[] digits = new int[n], starts = new int[n], ends = new int[n];
        int at = gaps[0];
        for (int i = 0; i < n; i++) {
            float[] s = picks[i].samples();
            System.arraycopy(s, 0, x, at, s.length);
            digits[i] = picks[i].digit();
            starts[i] = at;
            ends[i] = at + s.length;
            at += s.length + gaps[i + 1];
        }
        if (noise > 0) for (int i = 0; i < x.length; i++) x[i] = Math.clamp(x[i] + (float) (gaussian(rng) * noise), -1f, 1f);
        return new Utterance(x, digits, starts, ends);
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** The digits of a string such as {@code "4071"}; a clear error for anything else. */
    public static int[] parseDigits(String text) {
        int[] out = new int[text.length()];
        for (int i = 0; i < out.length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') throw new AppException("'" + text + "' is not a digit string");
            out[i] = c - '0';
        }
        return out;
    }

    @Override
    public String toString() { return recordings.size() + " recordings of " + speakers(); }
}
