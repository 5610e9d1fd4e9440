package dev.recur.spark.ml;

import dev.recur.app.data.Batcher;
import dev.recur.app.data.TextEncoder;
import dev.recur.app.sentiment.SentimentCheckpoint;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An executor's loaded copy of a model for {@code transform}: the checkpoint's model, encoder and
 * a reused batch. Not thread-safe; {@link Predictors} hands one to each running task.
 */
final class Predictor {
    private final SequenceClassifier model;
    private final TextEncoder encoder;
    private final Batch batch;
    private final int[] order;
    private final int[][] ids;
    private final int[] labels;
    private final int[] members;

    Predictor(byte[] checkpoint, int maxBatch) {
        SentimentCheckpoint ck;
        try {
            Path tmp = Files.createTempFile("recur-model-", ".safetensors");
            try {
                Files.write(tmp, checkpoint);
                ck = SentimentCheckpoint.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        encoder = ck.encoder();
        model = ck.newModel(encoder.maxLen(), maxBatch);
        model.eval();
        batch = new Batch(encoder.maxLen(), maxBatch);
        order = new int[maxBatch];
        ids = new int[maxBatch][];
        labels = new int[maxBatch];
        members = new int[maxBatch];
        for (int i = 0; i < maxBatch; i++) members[i] = i;
    }

    /** {@code out[i]} = P(positive) of {@code texts.get(i)}; an empty text reads as one unknown word. */
    void predict(List<String> texts, float[] out) {
        int n = texts.size();
        for (int i = 0; i < n; i++) {
            int[] e = encoder.encode(texts.get(i));
            ids[i] = e.length == 0 ? new int[] {dev.recur.app.data.Vocabulary.UNK} : e;
        }
        Batcher.fill(ids, labels, java.util.Arrays.copyOf(members, n), batch, order);
        model.predict(batch, out);
    }
}
