package dev.recur.app.speech;

import dev.recur.app.run.Checkpoint;
import dev.recur.layers.model.SequenceClassifier;
import java.nio.file.Path;

/** {@code speech eval}: a checkpoint's scores on the test recordings of a split. */
public final class SpeechEvaluation {
    private SpeechEvaluation() {}

    /** The test set scored, and what it was. */
    public record Outcome(String description, DigitScores scores) { }

    /** Scores {@code checkpoint} on the test part of {@code data} (or of the generated set of {@code seed}). */
    public static Outcome evaluate(Path checkpoint, Path data, String testSpeaker, long seed) {
        Checkpoint ck = Checkpoint.read(checkpoint, SpeechConfig.TASK, "speech");
        SpeechConfig cfg = SpeechConfig.fromMetadata(ck.metadata(), checkpoint.toString());
        DigitData.Split split = SpeechTrainer.split(data, testSpeaker, cfg.features(), seed);
        FrameBatches test = new FrameBatches(split.test(), 32);
        try (SequenceClassifier model = new SequenceClassifier(cfg.model(), 0, test.maxFrames(), test.batchSize())) {
            ck.loadParameters(model.parameters());
            return new Outcome(split.description(), new IsolatedDigits(model, test.maxFrames(), test.batchSize(), cfg.features().width()).evaluate(test));
        }
    }
}
