package dev.recur.examples;

import dev.recur.app.data.Batcher;
import dev.recur.app.data.TextEncoder;
import dev.recur.app.data.Tokenizer;
import dev.recur.app.data.Vocabulary;
import dev.recur.layers.Pooling;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Checkpoint;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Trains a text classifier on your own CSV file of labelled texts and saves it as a checkpoint.
 *
 * <pre>
 * ./recur example TrainCsvClassifier examples/data/reviews.csv model.safetensors [--epochs 8] [--seed 1]
 * </pre>
 *
 * <p>The CSV file has a header row naming a {@code text} and a {@code label} column
 * ({@link LabelledCsv}). The labels may be any strings; two labels make a binary classifier, more a
 * softmax over all of them. A fifth of the rows (chosen by the seed) is held out for validation;
 * the vocabulary is built from the other rows only. The model: word embedding (32), one GRU layer
 * (64), the mean of its outputs over the words, a linear layer; Adam with learning rate 0.005, gradient norm clipped at
 * 5. Each epoch prints the training loss and the validation accuracy. The checkpoint of the last
 * epoch is written (atomically) with the vocabulary and label names in its metadata; {@link
 * PredictionService} and {@link TextClassifier#load} read it.
 */
public final class TrainCsvClassifier {
    static final String USAGE = "usage: TrainCsvClassifier DATA.csv MODEL.safetensors [--epochs N] [--seed N]";
    private static final int BATCH = 16;
    private static final int MAX_WORDS = 200;
    private static final int VOCABULARY = 20_000;

    private TrainCsvClassifier() {}

    /** Runs the program; exits with 0 on success, 1 for bad input, 2 for a bad command line. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** What {@link #main} does, without exiting: returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Options o = new Options(args, Set.of("--epochs", "--seed"), USAGE);
            List<String> files = o.positional(2);
            train(Path.of(files.get(0)), Path.of(files.get(1)), o.integer("--epochs", 8, 1, 10_000),
                    o.integer("--seed", 1, 0, Integer.MAX_VALUE), out);
            return 0;
        } catch (Options.UsageException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (ExampleException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** Trains on {@code data} and writes the model to {@code model}; returns the final validation accuracy. */
    static double train(Path data, Path model, int epochs, long seed, PrintStream out) {
        List<LabelledCsv.Row> rows = LabelledCsv.read(data);
        if (rows.size() < 10) {
            throw new ExampleException("data file '" + data + "' has " + rows.size() + " rows; at least 10 are needed "
                    + "(a fifth of them is held out for validation)");
        }
        List<String> labels = List.copyOf(new TreeSet<>(rows.stream().map(LabelledCsv.Row::label).toList()));
        if (labels.size() < 2) {
            throw new ExampleException("data file '" + data + "' has a single label (" + labels.getFirst()
                    + "); a classifier needs examples of at least two");
        }
        // hold out a fifth of the rows, chosen by the seed
        List<LabelledCsv.Row> shuffled = new ArrayList<>(rows);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            shuffled.set(j, shuffled.set(i, shuffled.get(j)));
        }
        int validationSize = Math.max(2, rows.size() / 5);
        List<LabelledCsv.Row> validation = shuffled.subList(0, validationSize);
        List<LabelledCsv.Row> training = shuffled.subList(validationSize, shuffled.size());

        Tokenizer tokenizer = new Tokenizer();
        List<List<String>> words = training.stream().map(r -> tokenizer.tokenize(r.text())).toList();
        Vocabulary vocabulary = Vocabulary.build(words, VOCABULARY, 1);
        TextEncoder encoder = new TextEncoder(tokenizer, vocabulary, MAX_WORDS, TextEncoder.Truncation.END);
        Encoded train = Encoded.of(training, encoder, labels);
        Encoded valid = Encoded.of(validation, encoder, labels);
        out.printf(Locale.ROOT, "%d rows: %d for training, %d for validation; %d labels %s; %d words in the vocabulary%n",
                rows.size(), training.size(), validation.size(), labels.size(), labels, vocabulary.size());

        int outputs = labels.size() == 2 ? 1 : labels.size();
        ModelConfig config = ModelConfig.defaults(CellType.GRU, vocabulary.size())
                .withEmbedDim(32).withHidden(64).withPool(Pooling.MEAN).withOutputs(outputs);
        double accuracy = 0;
        try (SequenceClassifier classifier = new SequenceClassifier(config, seed, MAX_WORDS, BATCH);
             Optimizer adam = new Adam(classifier.parameters(), 0.005)) {
            Batch batch = new Batch(MAX_WORDS, BATCH);
            int[] order = new int[BATCH];
            for (int epoch = 1; epoch <= epochs; epoch++) {
                classifier.train(true);
                double lossSum = 0;
                int batches = 0;
                for (int[] members : Batcher.trainingPlan(train.lengths(), BATCH, seed, epoch)) {
                    Batcher.fill(train.ids, train.labels, members, batch, order);
                    classifier.zeroGrad();
                    lossSum += classifier.forward(batch);
                    classifier.backward();
                    GradientClipping.clipGradNorm(classifier.parameters(), 5f);
                    adam.step();
                    batches++;
                }
                accuracy = accuracy(classifier, valid, batch, order);
                out.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  validation accuracy %.3f%n", epoch, epochs, lossSum / batches, accuracy);
            }
            try {
                Checkpoint.save(model, classifier, null, TextClassifier.metadata(encoder, labels));
            } catch (IOException e) {
                throw new ExampleException("cannot write the model to '" + model + "': " + e.getMessage()
                        + "; check that the folder exists and is writable", e);
            }
        }
        out.printf(Locale.ROOT, "saved %s (validation accuracy %.3f)%n", model, accuracy);
        return accuracy;
    }

    /** The fraction of {@code set} the model labels correctly (evaluation mode). */
    private static double accuracy(SequenceClassifier model, Encoded set, Batch batch, int[] order) {
        model.eval();
        int outputs = model.config().outputs();
        float[] p = new float[batch.maxSize() * outputs];
        int correct = 0;
        for (int[] members : Batcher.evaluationPlan(set.lengths(), batch.maxSize())) {
            Batcher.fill(set.ids, set.labels, members, batch, order);
            model.predict(batch, p);
            for (int b = 0; b < members.length; b++) {
                int predicted = 0;
                if (outputs == 1) {
                    predicted = p[b] >= 0.5f ? 1 : 0;
                } else {
                    for (int k = 1; k < outputs; k++) if (p[b * outputs + k] > p[b * outputs + predicted]) predicted = k;
                }
                if (predicted == batch.labels()[b]) correct++;
            }
        }
        return (double) correct / set.labels.length;
    }

    /** Rows as token ids and class ids. */
    private record Encoded(int[][] ids, int[] labels) {
        static Encoded of(List<LabelledCsv.Row> rows, TextEncoder encoder, List<String> labelNames) {
            int[][] ids = new int[rows.size()][];
            int[] labels = new int[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                ids[i] = encoder.encode(rows.get(i).text());
                labels[i] = labelNames.indexOf(rows.get(i).label());
            }
            return new Encoded(ids, labels);
        }

        int[] lengths() {
            int[] l = new int[ids.length];
            for (int i = 0; i < l.length; i++) l[i] = ids[i].length;
            return l;
        }
    }
}
