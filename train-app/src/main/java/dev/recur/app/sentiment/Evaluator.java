package dev.recur.app.sentiment;

import dev.recur.app.data.Batcher;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;
import java.util.List;

/** Runs a classifier over a whole set in evaluation mode (no dropout) and gathers the figures. */
public final class Evaluator {
    private Evaluator() {}

    /**
     * Evaluates {@code model} on {@code set}; {@code probs}, when not null (length set.size()),
     * receives the probability of "positive" for every example. Leaves the model in evaluation mode.
     */
    public static BinaryMetrics evaluate(SequenceClassifier model, EncodedSet set, Batch batch, int batchSize, float[] probs) {
        BinaryMetrics m = new BinaryMetrics();
        if (set.size() == 0) return m;
        model.eval();
        int[] order = new int[batchSize];
        List<int[]> plan = Batcher.evaluationPlan(set.lengths(), batchSize);
        for (int[] members : plan) {
            Batcher.fill(set.sequences(), set.labels(), members, batch, order); // the last batch may be short
            float loss = model.forward(batch); // the model's own loss (binary cross-entropy with logits), mean over the batch
            FloatMatrix logits = model.lastLogits();
            for (int b = 0; b < members.length; b++) {
                double p = 1 / (1 + Math.exp(-logits.get(b, 0)));
                m.add(batch.labels()[b], p, 0);
                if (probs != null) probs[order[b]] = (float) p;
            }
            m.addLoss((double) loss * members.length);
        }
        return m;
    }
}
