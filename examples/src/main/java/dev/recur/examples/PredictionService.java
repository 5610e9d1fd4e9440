package dev.recur.examples;

import dev.recur.examples.TextClassifier.Prediction;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Classifies texts with a saved model on several threads at once, the way a multi-threaded service
 * would: requests (here, the lines of a file) go to a thread pool, and every thread borrows a
 * classifier from a {@link ClassifierPool} loaded from the checkpoint, so no two threads share a
 * model's workspaces.
 *
 * <pre>
 * ./recur example PredictionService model.safetensors examples/data/texts.txt [--threads 4]
 * </pre>
 *
 * <p>Prints one line per non-blank input line, in input order: the label, its probability and the
 * text, separated by tabs. The output does not depend on the number of threads.
 */
public final class PredictionService {
    static final String USAGE = "usage: PredictionService MODEL.safetensors TEXTS.txt [--threads N]";

    private PredictionService() {}

    /** Runs the program; exits with 0 on success, 1 for bad input, 2 for a bad command line. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** What {@link #main} does, without exiting: returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Options o = new Options(args, Set.of("--threads"), USAGE);
            List<String> files = o.positional(2);
            int threads = o.integer("--threads", 4, 1, 256);
            List<String> texts = readTexts(Path.of(files.get(1)));
            List<Prediction> predictions = classify(Path.of(files.get(0)), texts, threads);
            for (int i = 0; i < texts.size(); i++) {
                Prediction p = predictions.get(i);
                out.printf(Locale.ROOT, "%s\t%.4f\t%s%n", p.label(), p.probability(), texts.get(i));
            }
            return 0;
        } catch (Options.UsageException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (ExampleException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** Classifies every text as its own request on {@code threads} threads; results in input order. */
    static List<Prediction> classify(Path model, List<String> texts, int threads) {
        try (ClassifierPool pool = ClassifierPool.load(model, threads, 1);
             ExecutorService service = Executors.newFixedThreadPool(threads)) {
            List<Future<Prediction>> requests = new ArrayList<>(texts.size());
            for (String text : texts) requests.add(service.submit(() -> pool.classify(text)));
            List<Prediction> results = new ArrayList<>(texts.size());
            for (Future<Prediction> f : requests) results.add(f.get());
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExampleException("interrupted while classifying", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The non-blank lines of {@code file} (UTF-8). */
    static List<String> readTexts(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ExampleException("texts file '" + file + "' " + (Files.exists(file) ? "is not a regular file" : "does not exist")
                    + "; pass a UTF-8 text file with one text per line");
        }
        try {
            List<String> texts = Files.readAllLines(file).stream().filter(s -> !s.isBlank()).toList();
            if (texts.isEmpty()) throw new ExampleException("texts file '" + file + "' has no text; write one text per line");
            return texts;
        } catch (MalformedInputException e) {
            throw new ExampleException("texts file '" + file + "' is not valid UTF-8; save it as UTF-8 and retry", e);
        } catch (IOException e) {
            throw new ExampleException("cannot read texts file '" + file + "': " + e.getMessage(), e);
        }
    }
}
