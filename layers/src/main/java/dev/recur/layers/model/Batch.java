package dev.recur.layers.model;

import java.util.Arrays;

/**
 * A reusable, time-major batch of token sequences: {@code T} steps × {@code B} sequences, with a
 * length per sequence and the targets. Allocated once for a maximum size and refilled for every
 * step (no allocation in a training loop).
 *
 * <p>Layout: token of sequence {@code b} at step {@code t} is {@code tokens()[t·B + b]} where B is
 * the current {@link #size()} (not the maximum). Steps at or past a sequence's length are padding:
 * their tokens are never read into the result (use the padding id there) and their targets ignored.
 *
 * <p>A batch has one or more <em>features</em>: parallel id sequences of the same shape, each
 * looked up in its own embedding table ({@link SequenceTagger} embeds word, shape and suffix ids of
 * every token side by side). {@link #tokens()} is feature 0.
 *
 * <ul>
 * <li>{@link SequenceClassifier}: {@code labels()[b]} is the class of sequence b (0/1 when the
 *     model has one output).</li>
 * <li>{@link SequenceTagger}, {@link CharLanguageModel}: {@code targets()[t·B + b]} is the tag or
 *     next symbol at step t, or {@link #IGNORE} for no target.</li>
 * <li>{@link CtcAcousticModel}: the unaligned label sequence of sequence b is
 *     {@code targets()[j·B + b]} for j = 0, 1, … up to the first {@link #IGNORE} (at most T labels;
 *     {@link #setLabels} writes it, {@link #labelCount} counts it).</li>
 * </ul>
 *
 * <p>A <em>frame</em> batch ({@link #ofFrames}) carries real-valued input vectors instead of ids:
 * frame t of sequence b is {@code frames()[(t·B + b)·F + f]}, f in [0, F) (audio features for
 * {@link CtcAcousticModel}); its id features exist but are not read.
 */
public final class Batch {
    /** Target value meaning "no target here" (PyTorch's default ignore_index). */
    public static final int IGNORE = -100;

    private final int maxSteps;
    private final int maxSize;
    private final int[][] features;
    private final int[] tokens;
    private final int[] lengths;
    private final int[] labels;
    private final int[] targets;
    private final int frameSize;
    private final float[] frames;
    private int steps;
    private int size;

    /** A batch with one feature (token ids) for up to {@code maxSteps × maxSize}. */
    public Batch(int maxSteps, int maxSize) { this(maxSteps, maxSize, 1); }

    /** A batch with {@code featureCount} parallel id sequences for up to {@code maxSteps × maxSize}. */
    public Batch(int maxSteps, int maxSize, int featureCount) { this(maxSteps, maxSize, featureCount, 0); }

    /** A frame batch: {@code frameSize} reals per step for up to {@code maxSteps × maxSize}. */
    public static Batch ofFrames(int maxSteps, int maxSize, int frameSize) {
        if (frameSize < 1) throw new IllegalArgumentException("a frame batch needs frameSize ≥ 1, got " + frameSize);
        return new Batch(maxSteps, maxSize, 1, frameSize);
    }

    private Batch(int maxSteps, int maxSize, int featureCount, int frameSize) {
        if (maxSteps < 1 || maxSize < 1 || featureCount < 1) {
            throw new IllegalArgumentException("Batch needs maxSteps, maxSize and featureCount ≥ 1, got " + maxSteps + ", "
                    + maxSize + " and " + featureCount);
        }
        this.maxSteps = maxSteps;
        this.maxSize = maxSize;
        int cells = Math.multiplyExact(maxSteps, maxSize);
        features = new int[featureCount][cells];
        tokens = features[0];
        lengths = new int[maxSize];
        labels = new int[maxSize];
        targets = new int[cells];
        this.frameSize = frameSize;
        frames = new float[Math.multiplyExact(cells, Math.max(frameSize, 0))];
        steps = maxSteps;
        size = maxSize;
    }

    /** Sets the current shape T × B (within the maxima), every length to T and every target to {@link #IGNORE}. */
    public Batch reset(int steps, int size) {
        if (steps < 1 || steps > maxSteps || size < 1 || size > maxSize) {
            throw new IllegalArgumentException("batch shape " + steps + " steps × " + size + " sequences is outside the allocated "
                    + maxSteps + " × " + maxSize + " (steps and size must be ≥ 1)");
        }
        this.steps = steps;
        this.size = size;
        Arrays.fill(lengths, 0, size, steps);
        Arrays.fill(targets, 0, steps * size, IGNORE);
        return this;
    }

    public int maxSteps() { return maxSteps; }

    public int maxSize() { return maxSize; }

    /** T, the current number of steps. */
    public int steps() { return steps; }

    /** B, the current number of sequences. */
    public int size() { return size; }

    /** Token ids (feature 0), element {@code t·size() + b}; length maxSteps·maxSize. */
    public int[] tokens() { return tokens; }

    /** Number of parallel id sequences. */
    public int featureCount() { return features.length; }

    /** The ids of feature {@code k}, laid out as {@link #tokens()}. */
    public int[] feature(int k) {
        if (k < 0 || k >= features.length) {
            throw new IllegalArgumentException("feature " + k + " of a batch with " + features.length + " features");
        }
        return features[k];
    }

    /** Valid steps per sequence, in [1, steps()]. */
    public int[] lengths() { return lengths; }

    /** Class per sequence (classifier). */
    public int[] labels() { return labels; }

    /** Target per step and sequence, element {@code t·size() + b}, or {@link #IGNORE} (tagger, language model). */
    public int[] targets() { return targets; }

    /** F, reals per frame (0 for an id batch). */
    public int frameSize() { return frameSize; }

    /** The frames, {@code (t·size() + b)·F + f}; empty for an id batch. */
    public float[] frames() { return frames; }

    /** Copies {@code values} (F reals) into frame t of sequence b. */
    public void setFrame(int t, int b, float[] values) {
        System.arraycopy(values, 0, frames, (t * size + b) * frameSize, frameSize);
    }

    /** Writes the label sequence of sequence b ({@code labels.length ≤ steps()}) into the targets, IGNORE after it. */
    public void setLabels(int b, int[] labels) {
        if (labels.length > steps) {
            throw new IllegalArgumentException(labels.length + " labels for sequence " + b + " do not fit in " + steps + " steps");
        }
        for (int j = 0; j < steps; j++) targets[j * size + b] = j < labels.length ? labels[j] : IGNORE;
    }

    /** Length of the label sequence of sequence b (targets up to the first IGNORE). */
    public int labelCount(int b) {
        int n = 0;
        while (n < steps && targets[n * size + b] != IGNORE) n++;
        return n;
    }

    public int token(int t, int b) { return tokens[t * size + b]; }

    public void setToken(int t, int b, int id) { tokens[t * size + b] = id; }

    public void setTarget(int t, int b, int y) { targets[t * size + b] = y; }

    /** Longest length in the batch. */
    public int maxLength() {
        int m = 0;
        for (int b = 0; b < size; b++) m = Math.max(m, lengths[b]);
        return m;
    }

    /** Throws a clear error unless every length is in [1, T]. */
    public void checkLengths() {
        for (int b = 0; b < size; b++) {
            int len = lengths[b];
            if (len < 1 || len > steps) {
                throw new IllegalArgumentException("sequence " + b + " of the batch has length " + len + ", outside [1, " + steps + "]");
            }
        }
    }

    /** Throws a clear error unless every valid id of feature {@code k} is in [0, vocabSize). */
    public void checkIds(int k, int vocabSize) {
        int[] ids = feature(k);
        for (int b = 0; b < size; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                int id = ids[t * size + b];
                if (id < 0 || id >= vocabSize) {
                    throw new IllegalArgumentException((features.length > 1 ? "feature " + k + " id " : "token id ") + id
                            + " at step " + t + " of sequence " + b + " is outside the vocabulary [0, " + vocabSize + ")");
                }
            }
        }
    }
}
