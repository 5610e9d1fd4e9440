package dev.recur.app.speech;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Leave-one-speaker-out: the speakers of a data set, one fold per speaker (that speaker's
 * recordings the test set, the others' training), and the table of the folds' test scores with
 * their mean. Isolated digits are scored by accuracy, connected digits by the digit error rate.
 */
public final class SpeakerFolds {
    /**
     * One fold's test score: {@code score} is the accuracy (isolated) or the digit error rate
     * (connected), {@code detail} the counts behind it.
     */
    public record Fold(double score, String detail, double trainSeconds) {
        /** An isolated-digit fold. */
        public static Fold isolated(DigitScores test, double trainSeconds) {
            return new Fold(test.accuracy(), test.correct() + " of " + test.total(), trainSeconds);
        }

        /** A connected-digit fold. */
        public static Fold connected(ConnectedDigitsTask.Score test, double trainSeconds) {
            return new Fold(test.digitErrorRate(), String.format(Locale.ROOT, "%d digits, strings right %.1f %%",
                    test.referenceDigits(), 100 * test.stringAccuracy()), trainSeconds);
        }
    }

    private final SpeechConfig.Task task;
    private final List<String> speakers = new ArrayList<>();
    private final List<Fold> folds = new ArrayList<>();

    public SpeakerFolds(SpeechConfig.Task task) { this.task = task; }

    /** The speakers of {@code --data} (FSDD's, from the file names), or of the generated set when it is null. */
    public static List<String> speakers(Path data) {
        return data == null ? SyntheticDigits.speakers() : DigitData.speakers(data);
    }

    /** Records the fold of {@code speaker}. */
    public void add(String speaker, Fold fold) {
        speakers.add(speaker);
        folds.add(fold);
    }

    /** The mean of the folds' scores (accuracy or digit error rate). */
    public double mean() {
        double s = 0;
        for (Fold f : folds) s += f.score();
        return folds.isEmpty() ? Double.NaN : s / folds.size();
    }

    /** One row per fold and the mean, as plain text. */
    public String table() {
        String what = task == SpeechConfig.Task.CONNECTED ? "digit error rate" : "accuracy";
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "leave one speaker out (%s digits): test %s per held-out speaker%n",
                task.id(), what));
        int w = Math.max(7, speakers.stream().mapToInt(String::length).max().orElse(0));
        boolean connected = task == SpeechConfig.Task.CONNECTED;
        s.append(String.format(Locale.ROOT, "%-" + w + "s  %9s  %-32s  %s%n", "speaker", connected ? "DER" : "accuracy",
                connected ? "test strings" : "recordings right", "training"));
        for (int i = 0; i < folds.size(); i++) {
            Fold f = folds.get(i);
            s.append(String.format(Locale.ROOT, "%-" + w + "s  %7.2f %%  %-32s  %.0f s%n", speakers.get(i), 100 * f.score(), f.detail(),
                    f.trainSeconds()));
        }
        s.append(String.format(Locale.ROOT, "%-" + w + "s  %7.2f %%  (%d folds)%n", "mean", 100 * mean(), folds.size()));
        return s.toString();
    }
}
