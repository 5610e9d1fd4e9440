package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.layers.audio.AudioException;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.audio.FeatureExtractor;
import dev.recur.layers.audio.WavReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The spoken-digit data: the Free Spoken Digit Dataset's layout ({@code {digit}_{speaker}_{take}.wav},
 * in the folder given or its {@code recordings/} sub-folder), read in name order and turned into
 * normalised features; and the splits: the official one (takes 0–4 are the test set) or one
 * speaker held out.
 */
public final class DigitData {
    private static final Pattern NAME = Pattern.compile("([0-9])_([A-Za-z0-9-]+)_([0-9]+)\\.wav");

    private DigitData() {}

    /** Training and test utterances. */
    public record Split(List<Utterance> train, List<Utterance> test, String description) { }

    /** Reads every {@code D_SPEAKER_TAKE.wav} of {@code dir} (or {@code dir/recordings}). */
    public static List<Utterance> load(Path dir, FeatureConfig features) {
        List<Path> files = files(dir);
        FeatureExtractor fe = new FeatureExtractor(features);
        List<Utterance> out = new ArrayList<>(files.size());
        for (Path f : files) {
            Matcher m = NAME.matcher(f.getFileName().toString());
            if (!m.matches()) throw new IllegalStateException("filtered above");
            try (WavReader r = WavReader.open(f)) {
                out.add(new Utterance(f.getFileName().toString(), Integer.parseInt(m.group(1)), m.group(2).toLowerCase(Locale.ROOT),
                        Integer.parseInt(m.group(3)), fe.extract(r).normalise()));
            } catch (AudioException e) {
                throw new AppException(e.getMessage());
            }
        }
        return out;
    }

    /** The recordings' files of {@code dir} (or {@code dir/recordings}), in name order; a usage error when there are none. */
    private static List<Path> files(Path dir) {
        if (!Files.exists(dir)) throw AppException.usage("--data " + dir + " does not exist: give the FSDD folder (…/fsdd or …/fsdd/recordings)");
        if (!Files.isDirectory(dir)) throw AppException.usage("--data " + dir + " is not a folder: give the FSDD folder of D_SPEAKER_TAKE.wav files");
        Path folder = Files.isDirectory(dir.resolve("recordings")) ? dir.resolve("recordings") : dir;
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (files.isEmpty()) {
            throw AppException.usage(folder + " holds no recordings named DIGIT_SPEAKER_TAKE.wav (e.g. 7_jackson_32.wav): "
                    + "give the FSDD folder (../shared/data/speech/fsdd), or no --data for the generated set");
        }
        return files;
    }

    /** The speakers of the recordings in {@code dir}, in name order, from the file names alone (nothing is read). */
    public static List<String> speakers(Path dir) {
        return files(dir).stream().map(f -> {
            Matcher m = NAME.matcher(f.getFileName().toString());
            if (!m.matches()) throw new IllegalStateException("filtered above");
            return m.group(2).toLowerCase(Locale.ROOT);
        }).distinct().sorted().toList();
    }

    /** The speakers, in name order. */
    public static List<String> speakers(List<Utterance> all) {
        return all.stream().map(Utterance::speaker).distinct().sorted().toList();
    }

    /** FSDD's official split: takes 0–4 of every speaker and digit are the test set. */
    public static Split official(List<Utterance> all) {
        List<Utterance> train = new ArrayList<>(), test = new ArrayList<>();
        for (Utterance u : all) (u.take() < 5 ? test : train).add(u);
        if (train.isEmpty() || test.isEmpty()) {
            throw AppException.usage("the official split (takes 0–4 are test) leaves " + train.size() + " training and " + test.size()
                    + " test recordings; give the whole FSDD folder");
        }
        return new Split(train, test, "official split (takes 0–4 test)");
    }

    /** Every recording of {@code speaker} is the test set, the others train. */
    public static Split heldOut(List<Utterance> all, String speaker) {
        String s = speaker.toLowerCase(Locale.ROOT);
        List<Utterance> train = new ArrayList<>(), test = new ArrayList<>();
        for (Utterance u : all) (u.speaker().equals(s) ? test : train).add(u);
        if (test.isEmpty()) {
            throw AppException.usage("--test-speaker " + speaker + " has no recordings; the speakers are " + String.join(", ", speakers(all)));
        }
        if (train.isEmpty()) throw AppException.usage("--test-speaker " + speaker + " is the only speaker: nothing is left to train on");
        return new Split(train, test, "speaker " + s + " held out");
    }
}
