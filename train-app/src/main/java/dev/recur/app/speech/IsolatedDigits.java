package dev.recur.app.speech;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.SequenceClassifier;

/**
 * The isolated-digit task's step and evaluation over a {@link SequenceClassifier} of frames: what a
 * training loop calls per batch ({@link #step}) and per validation ({@link #evaluate}). The model
 * and optimizer are the caller's; this class owns one reused frame batch.
 */
public final class IsolatedDigits {
    /** The widest frequency or time mask, in features or frames. */
    public static final int MASK_WIDTH = 6;

    private final SequenceClassifier model;
    private final Batch batch;

    public IsolatedDigits(SequenceClassifier model, int maxFrames, int batchSize, int width) {
        this.model = model;
        this.batch = Batch.ofFrames(maxFrames, batchSize, width);
    }

    public SequenceClassifier model() { return model; }

    /**
     * Zeroes the gradients and runs forward and backward in training mode on {@code members} of
     * {@code data}, masked ({@link FrameBatches#mask}) with {@code masks} masks drawn from
     * {@code r} (0: none); returns the batch's mean loss. The caller checks, clips and steps.
     */
    public float forwardBackward(FrameBatches data, int[] members, int masks, java.util.SplittableRandom r) {
        data.fill(batch, members);
        if (masks > 0) data.mask(batch, masks, MASK_WIDTH, r);
        model.zeroGrad();
        float loss = model.forward(batch, true);
        if (Float.isFinite(loss)) model.backward();
        return loss;
    }

    /** Draws what {@link #forwardBackward} would have drawn from {@code r} for {@code members} (to resume inside an epoch). */
    public void replayMasks(FrameBatches data, int[] members, int masks, java.util.SplittableRandom r) {
        if (masks == 0) return;
        data.fill(batch, members);
        data.mask(batch, masks, MASK_WIDTH, r);
    }

    /** Loss, accuracy and confusion matrix over every utterance of {@code data}. */
    public DigitScores evaluate(FrameBatches data) {
        int[][] confusion = new int[10][10];
        double lossSum = 0;
        int correct = 0, total = 0;
        model.eval();
        for (int[] members : data.evaluationPlan()) {
            data.fill(batch, members);
            float loss = model.forward(batch);
            FloatMatrix lg = model.lastLogits();
            for (int k = 0; k < members.length; k++) {
                int guess = argmax(lg, k), truth = batch.labels()[k];
                confusion[truth][guess]++;
                if (guess == truth) correct++;
            }
            lossSum += (double) loss * members.length;
            total += members.length;
        }
        model.train(true);
        return new DigitScores(lossSum / total, correct, total, confusion);
    }

    static int argmax(FloatMatrix logits, int row) {
        int best = 0;
        for (int k = 1; k < logits.cols(); k++) if (logits.get(row, k) > logits.get(row, best)) best = k;
        return best;
    }
}
