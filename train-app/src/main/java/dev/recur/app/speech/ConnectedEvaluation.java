package dev.recur.app.speech;

import dev.recur.app.run.Checkpoint;
import dev.recur.layers.model.CtcAcousticModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code speech eval} of a connected-digit checkpoint: the digit error rate on the test strings of a split. */
public final class ConnectedEvaluation {
    private ConnectedEvaluation() {}

    /** The test strings scored, and what they were. */
    public record Outcome(String description, ConnectedDigitsTask.Score score) { }

    /**
     * Scores {@code checkpoint} on the test strings of {@code data}'s split (or of the generated
     * sounds of {@code seed}): the strings {@code speech --task connected} tests on (fixed seed).
     */
    public static Outcome evaluate(Path checkpoint, Path data, String testSpeaker, long seed, ConnectedTrainer.Extra x) {
        Checkpoint ck = Checkpoint.read(checkpoint, SpeechConfig.TASK, "speech");
        ConnectedConfig cfg = ConnectedConfig.fromMetadata(ck.metadata(), checkpoint.toString());
        StackedFeatures features = cfg.frames();
        ConnectedTrainer.Split split = ConnectedTrainer.split(ConnectedTrainer.recordings(data, seed), testSpeaker, data == null);
        List<ConnectedDigitsTask.Example> test = ConnectedTrainer.testSet(features, split, x);
        int maxFrames = ConnectedDigitsTask.maxFrames(features, List.of(split.test()));
        try (CtcAcousticModel model = new CtcAcousticModel(cfg.model(), 0, maxFrames, 32, ConnectedDigits.MAX_DIGITS)) {
            ck.loadParameters(model.parameters());
            ConnectedDigitsTask task = new ConnectedDigitsTask(model, features, split.test(), 1, x.noise(), 0, 32, List.of(), x.beam(), Map.of());
            return new Outcome(split.description(), task.evaluate(test, x.beam()));
        }
    }
}
