package dev.recur.examples;

import dev.recur.app.data.TextEncoder;
import dev.recur.app.data.Tokenizer;
import dev.recur.app.data.Vocabulary;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Checkpoint;
import dev.recur.layers.model.SequenceClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A trained text classifier: a {@link SequenceClassifier} with the tokenizer, vocabulary and label
 * names it was trained with, loaded from a checkpoint written by {@link TrainCsvClassifier}.
 *
 * <p><b>One thread at a time.</b> The model computes in workspaces it owns (allocated once, reused
 * by every call), so two threads calling it at once would overwrite each other's numbers. A call
 * made while another is running fails with an {@link IllegalStateException} instead. For a service
 * with many threads, use {@link ClassifierPool}, which holds one classifier per concurrent caller.
 *
 * <p>Holds off-heap memory (weights and workspaces): close it, e.g. with try-with-resources.
 */
public final class TextClassifier implements AutoCloseable {
    /** Checkpoint metadata: the vocabulary, one word per line, in id order. */
    public static final String VOCABULARY_KEY = "examples.vocabulary";
    /** Checkpoint metadata: the label names, one per line, in class-id order. */
    public static final String LABELS_KEY = "examples.labels";
    /** Checkpoint metadata: the tokenizer's name and version ({@link Tokenizer#NAME}). */
    public static final String TOKENIZER_KEY = "examples.tokenizer";
    /** Checkpoint metadata: the most words of a text the model reads (the last ones are kept). */
    public static final String MAX_WORDS_KEY = "examples.max_words";

    /** The predicted label of one text and the model's probability for it. */
    public record Prediction(String label, float probability) {
        @Override
        public String toString() { return label + " " + String.format(Locale.ROOT, "%.4f", probability); }
    }

    private final SequenceClassifier model;
    private final TextEncoder encoder;
    private final List<String> labels;
    private final Batch batch;
    private final float[] probabilities;
    private final AtomicBoolean inUse = new AtomicBoolean();

    private TextClassifier(SequenceClassifier model, TextEncoder encoder, List<String> labels) {
        this.model = model;
        this.encoder = encoder;
        this.labels = List.copyOf(labels);
        this.batch = new Batch(model.maxSteps(), model.maxBatch());
        this.probabilities = new float[model.maxBatch() * model.config().outputs()];
        model.eval();
    }

    /** The checkpoint metadata that {@link #load} reads back: how texts become ids, and the label names. */
    public static Map<String, String> metadata(TextEncoder encoder, List<String> labels) {
        Map<String, String> m = new HashMap<>();
        m.put(VOCABULARY_KEY, encoder.vocabulary().serialize());
        m.put(LABELS_KEY, String.join("\n", labels));
        m.put(TOKENIZER_KEY, Tokenizer.NAME);
        m.put(MAX_WORDS_KEY, Integer.toString(encoder.maxLen()));
        return m;
    }

    /**
     * Loads the classifier in {@code file} (written by {@link TrainCsvClassifier}), with room for
     * {@code maxBatch} texts per {@link #classifyAll} batch.
     *
     * @throws ExampleException naming the file, when it is missing, damaged or not such a checkpoint
     */
    public static TextClassifier load(Path file, int maxBatch) {
        if (!Files.isRegularFile(file)) {
            throw new ExampleException("model file '" + file + "' does not exist; train one first with TrainCsvClassifier");
        }
        String where = "model file '" + file + "'";
        Map<String, String> meta;
        try {
            meta = Checkpoint.read(file).metadata();
        } catch (IOException e) {
            throw new ExampleException("cannot read the model: " + e.getMessage(), e);
        }
        String tokenizer = meta.get(TOKENIZER_KEY);
        if (tokenizer == null || meta.get(VOCABULARY_KEY) == null || meta.get(LABELS_KEY) == null || meta.get(MAX_WORDS_KEY) == null) {
            throw new ExampleException(where + " is a Recur checkpoint but not a text classifier from TrainCsvClassifier "
                    + "(it lacks the " + TOKENIZER_KEY + ", " + VOCABULARY_KEY + ", " + LABELS_KEY + " or " + MAX_WORDS_KEY + " metadata)");
        }
        if (!tokenizer.equals(Tokenizer.NAME)) {
            throw new ExampleException(where + " was trained with tokenizer " + tokenizer + ", this Recur has " + Tokenizer.NAME
                    + "; train the model again");
        }
        Vocabulary vocabulary;
        try {
            vocabulary = Vocabulary.deserialize(meta.get(VOCABULARY_KEY), where);
        } catch (RuntimeException e) {
            throw new ExampleException(e.getMessage(), e);
        }
        List<String> labels = List.of(meta.get(LABELS_KEY).split("\n", -1));
        int maxWords;
        try {
            maxWords = Integer.parseInt(meta.get(MAX_WORDS_KEY));
        } catch (NumberFormatException e) {
            throw new ExampleException(where + ": " + MAX_WORDS_KEY + " is not a number", e);
        }
        SequenceClassifier model;
        try {
            model = Checkpoint.loadClassifier(file, maxWords, maxBatch);
        } catch (IOException e) {
            throw new ExampleException("cannot load the model: " + e.getMessage(), e);
        }
        int outputs = model.config().outputs();
        if (labels.size() < 2 || (outputs == 1 ? labels.size() != 2 : labels.size() != outputs)
                || vocabulary.size() != model.config().vocabSize()) {
            model.close();
            throw new ExampleException(where + " is inconsistent: " + labels.size() + " labels and " + vocabulary.size()
                    + " words for a model with " + outputs + " output(s) and " + model.config().vocabSize() + " embedding rows");
        }
        try {
            return new TextClassifier(model, new TextEncoder(new Tokenizer(), vocabulary, maxWords, TextEncoder.Truncation.END), labels);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The label names, in class-id order. */
    public List<String> labels() { return labels; }

    /** The most texts one {@link #classifyAll} batch holds. */
    public int maxBatch() { return model.maxBatch(); }

    /** The label of {@code text} and its probability. */
    public Prediction classify(String text) {
        return classifyAll(List.of(text)).getFirst();
    }

    /** The labels of {@code texts}, in their order (any number of texts; run in batches of {@link #maxBatch}). */
    public List<Prediction> classifyAll(List<String> texts) {
        if (!inUse.compareAndSet(false, true)) {
            throw new IllegalStateException("this TextClassifier is already in use by another thread; "
                    + "give each thread its own (ClassifierPool holds one per thread)");
        }
        try {
            List<Prediction> out = new ArrayList<>(texts.size());
            for (int start = 0; start < texts.size(); start += maxBatch()) {
                classifyBatch(texts.subList(start, Math.min(texts.size(), start + maxBatch())), out);
            }
            return out;
        } finally {
            inUse.set(false);
        }
    }

    private void classifyBatch(List<String> texts, List<Prediction> out) {
        int n = texts.size();
        int[][] ids = new int[n][];
        int steps = 1;
        for (int i = 0; i < n; i++) {
            ids[i] = encoder.encode(texts.get(i));
            steps = Math.max(steps, ids[i].length);
        }
        batch.reset(steps, n);
        int[] tokens = batch.tokens();
        java.util.Arrays.fill(tokens, 0, steps * n, Vocabulary.PAD);
        for (int b = 0; b < n; b++) {
            batch.lengths()[b] = ids[b].length;
            for (int t = 0; t < ids[b].length; t++) tokens[t * n + b] = ids[b][t];
        }
        model.predict(batch, probabilities);
        int outputs = model.config().outputs();
        for (int b = 0; b < n; b++) {
            if (outputs == 1) {
                float p = probabilities[b];
                out.add(p >= 0.5f ? new Prediction(labels.get(1), p) : new Prediction(labels.get(0), 1 - p));
            } else {
                int best = 0;
                for (int k = 1; k < outputs; k++) if (probabilities[b * outputs + k] > probabilities[b * outputs + best]) best = k;
                out.add(new Prediction(labels.get(best), probabilities[b * outputs + best]));
            }
        }
    }

    /** Frees the model's off-heap memory; the classifier cannot be used afterwards. */
    @Override
    public void close() { model.close(); }
}
