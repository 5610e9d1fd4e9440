package dev.recur.app.speech;

import dev.recur.app.run.Checkpoint;
import dev.recur.layers.model.SequenceClassifier;
import java.nio.file.Path;

/** {@code speech eval}: a checkpoint's scores on the test recordings of a split. */
public final class SpeechEvaluation {
    private SpeechEvaluation() {}

    /** The test set scored, and what it was. */
    public record Outcome(String description, DigitScores scores) { }

    /** What {@code info} shows of a {@code speech} checkpoint, after loading it into a model. */
    public static java.util.Map<String, Object> describe(Path file) {
        Checkpoint ck = Checkpoint.read(file, SpeechConfig.TASK, "speech");
        SpeechConfig cfg = SpeechConfig.fromMetadata(ck.metadata(), file.toString());
        try (SequenceClassifier model = new SequenceClassifier(cfg.model(), 0, 1, 1)) {
            ck.loadParameters(model.parameters());
        }
        var f = cfg.features();
        var m = cfg.model();
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("speech_task", cfg.task().id());
        out.put("features", java.util.Map.of("kind", f.kind().id(), "width", f.width(), "frame_ms", 1000 * f.frameLength() / f.sampleRate(),
                "hop_ms", 1000 * f.hop() / f.sampleRate()));
        out.put("model", java.util.Map.of("cell", dev.recur.layers.model.ModelConfig.cellId(m.cell()), "layers", m.layers(),
                "hidden", m.hidden(), "bidirectional", m.bidirectional(), "pool", m.pool().id(), "outputs", m.outputs()));
        out.put("epochs_done", Integer.parseInt(ck.meta("train.epoch")));
        out.put("best_val_accuracy", Double.parseDouble(ck.meta("train.best_score")));
        out.put("run_options", ck.runOptions());
        return out;
    }

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
