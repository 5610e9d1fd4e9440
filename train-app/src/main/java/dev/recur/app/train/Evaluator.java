package dev.recur.app.train;

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
            model.forward(batch);
            FloatMatrix logits = model.lastLogits();
            for (int b = 0; b < members.length; b++) {
                double z = logits.get(b, 0);
                int y = batch.labels()[b];
                double p = 1 / (1 + Math.exp(-z));
                // binary cross-entropy with logits, stable form
                double loss = Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
                m.add(y, p, loss);
                if (probs != null) probs[order[b]] = (float) p;
            }
        }
        return m;
    }
}
