package dev.recur.app.lab;

import dev.recur.app.core.AppException;
import dev.recur.app.core.Io;
import dev.recur.app.data.CharCorpus;
import dev.recur.app.data.CharVocabulary;
import dev.recur.app.run.Plots;
import dev.recur.app.run.progress.Bar;
import dev.recur.app.run.progress.Field;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Embedding;
import dev.recur.layers.Linear;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The vanishing-gradient experiment: {@code ‖∂L/∂h_k‖} against the distance {@code T−k} for each
 * cell, loss at the last step, averaged over batches; writes {@code gradients.csv} and
 * {@code gradients.png}.
 */
public final class VanishingExperiment {
    /**
     * A trained character model to measure (from an {@code lm} checkpoint), with the text to feed it.
     *
     * @param description where it came from, for the chart's title
     */
    public record TrainedModel(String description, CellType cell, int layers, Embedding embedding,
                               RecurrentLayer recurrent, Linear output, CharVocabulary vocabulary, CharCorpus text) { }

    private final LabSettings s;
    private final Io io;

    public VanishingExperiment(LabSettings settings, Io io) {
        this.s = settings;
        this.io = io;
    }

    /**
     * Runs the experiment on, in this order of precedence: a trained model ({@code trained} not
     * null), IMDB reviews ({@code imdb}: a path or "sample"), a text ({@code data}), or the adding problem.
     */
    public void run(TrainedModel trained, String imdb, Path data) {
        CsvTable csv = new CsvTable("model", "stage", "distance", "mean_grad_norm", "relative_to_distance_0");
        List<Plots.Line> lines = new ArrayList<>(), trainedLines = new ArrayList<>();
        String source;
        if (trained != null) {
            source = trained.description();
            double[] norms = textNorms(trained.embedding(), trained.recurrent(), trained.output(), trained.vocabulary(),
                    trained.text(), "checkpoint");
            addLine(csv, lines, LabSettings.label(trained.cell()) + " (trained, " + trained.layers() + " layer"
                    + (trained.layers() > 1 ? "s" : "") + ")", "checkpoint", norms);
        } else if (imdb != null) {
            ImdbWindows w = imdbWindows(imdb);
            source = "IMDB reviews, " + w.source;
            for (CellType cell : s.cells()) {
                try (Arena arena = Arena.ofShared();
                     RecurrentLayer rnn = new RecurrentLayer("rnn.", new RecurrentConfig(cell, 32, s.hidden(), 1, false,
                             DirectionMerge.CONCAT, 0f, false, s.forgetBias() && cell == CellType.LSTM, s.seed()), s.length(), s.batch())) {
                    SplittableRandom rng = new SplittableRandom(s.seed());
                    Embedding emb = new Embedding(arena, "embedding", w.vocabSize, 32, 0, rng);
                    Linear fc = new Linear(arena, "fc", s.hidden(), 2, rng);
                    addLine(csv, lines, LabSettings.label(cell), "initialisation", probeIds(emb, rnn, fc, w.inputs, w.targets, LabSettings.label(cell)));
                }
            }
        } else {
            CharCorpus text = data == null ? null : CharCorpus.read(data, 0.1);
            source = text == null ? "adding problem" : text.name();
            for (CellType cell : s.cells()) {
                if (text == null) {
                    addLine(csv, lines, LabSettings.label(cell), "initialisation", addingNorms(cell, 0));
                    if (s.pretrainSteps() > 0) {
                        addLine(csv, trainedLines, LabSettings.label(cell), "after " + s.pretrainSteps() + " steps", addingNorms(cell, s.pretrainSteps()));
                    }
                } else {
                    try (Arena arena = Arena.ofShared();
                         RecurrentLayer rnn = new RecurrentLayer("rnn.", new RecurrentConfig(cell, 32, s.hidden(), 1, false,
                                 DirectionMerge.CONCAT, 0f, false, s.forgetBias() && cell == CellType.LSTM, s.seed()), s.length(), s.batch())) {
                        SplittableRandom rng = new SplittableRandom(s.seed());
                        Embedding emb = new Embedding(arena, "embedding", text.vocabulary().size(), 32, -1, rng);
                        Linear fc = new Linear(arena, "fc", s.hidden(), text.vocabulary().size(), rng);
                        addLine(csv, lines, LabSettings.label(cell), "initialisation",
                                textNorms(emb, rnn, fc, text.vocabulary(), text, LabSettings.label(cell)));
                    }
                }
            }
        }
        Path csvFile = s.out().resolve("gradients.csv"), png = s.out().resolve("gradients.png");
        csv.write(csvFile);
        String x = "distance T−1−k (steps back from the loss)", y = "mean ‖∂L/∂h_k‖ (log scale)";
        String head = trained != null ? "Trained model" : "At initialisation";
        var top = Plots.chart(head + ": " + source + ", loss at step T−1 = " + (s.length() - 1), x, y, true, lines);
        if (trainedLines.isEmpty()) {
            Plots.save(png, top);
        } else {
            Plots.save(png, top, Plots.chart("After " + s.pretrainSteps() + " training steps on the adding problem",
                    x, y, true, trainedLines));
        }
        io.out().println("vanishing gradients: " + csvFile + ", " + png);
        List<Plots.Line> both = new ArrayList<>(lines);
        both.addAll(trainedLines);
        for (int i = 0; i < both.size(); i++) {
            Plots.Line l = both.get(i);
            double[] v = l.y();
            io.out().printf(Locale.ROOT, "  %-12s %-16s ‖∂L/∂h‖ at distance 0: %.3g, 10: %.3g, %d: %.3g%n", l.name(),
                    i < lines.size() ? (trained != null ? "checkpoint" : "initialisation") : "trained", v[0],
                    v[Math.min(10, v.length - 1)], v.length - 1, v[v.length - 1]);
        }
    }

    private void addLine(CsvTable csv, List<Plots.Line> lines, String name, String stage, double[] norms) {
        double[] x = new double[norms.length];
        for (int d = 0; d < norms.length; d++) {
            x[d] = d;
            csv.add(name, stage, d, norms[d], norms[0] > 0 ? norms[d] / norms[0] : Double.NaN);
        }
        lines.add(new Plots.Line(name, x, norms));
    }

    /** Adding-problem inputs and a squared-error head; optionally trained first. */
    private double[] addingNorms(CellType cell, int pretrainSteps) {
        try (LabTasks.AddingNet net = new LabTasks.AddingNet(cell, s.hidden(), s.length(), s.batch(), s.seed(), s.forgetBias())) {
            if (pretrainSteps > 0) {
                try (var opt = new dev.recur.layers.optim.Adam(net.params, (float) s.lr());
                     Bar bar = io.progress().start("pre-training " + LabSettings.label(cell), pretrainSteps, "steps")) {
                    AddingProblem train = new AddingProblem(s.length(), s.seed() * 7 + 1);
                    for (int step = 1; step <= pretrainSteps; step++) {
                        net.zeroGrad();
                        double loss = net.batch(train, true);
                        dev.recur.app.run.UpdateGuard.check(net.params, (float) loss, step, s.clipNorm());
                        opt.step();
                        bar.update(step, Field.metric("mse %.4f", loss));
                    }
                }
            }
            AddingProblem data = new AddingProblem(s.length(), s.seed() * 7 + 3);
            double[] sum = new double[s.length()];
            try (GradientProbe probe = new GradientProbe(net.rnn, GradientProbe.squaredError(net.fc, net.ys, s.batch()), net.fc, s.batch(), s.length());
                 Bar bar = io.progress().start("‖∂L/∂h_k‖ " + LabSettings.label(cell), s.batches(), "batches")) {
                for (int i = 0; i < s.batches(); i++) {
                    data.next(s.batch(), net.xs, net.ys);
                    net.x.copyFrom(net.xs);
                    double[] n = probe.norms(net.x, s.length());
                    for (int d = 0; d < s.length(); d++) sum[d] += n[d] / s.batches();
                    bar.update(i + 1);
                }
            }
            return sum;
        }
    }

    /** Windows of a text: characters through {@code emb}, loss = cross-entropy of the next character after the window. */
    private double[] textNorms(Embedding emb, RecurrentLayer rnn, Linear fc, CharVocabulary vocab,
                               CharCorpus text, String name) {
        int[] ids = text.train();
        if (ids.length < (long) s.batch() * (s.length() + 1)) {
            throw new AppException(text.name() + ": " + ids.length + " characters are too few for " + s.batch()
                    + " windows of " + (s.length() + 1) + "; lower --s.batch() or --s.length()");
        }
        if (!vocab.asString().equals(text.vocabulary().asString())) {
            // a checkpoint's vocabulary: re-encode the text with it
            int[] cps = decode(text);
            ids = vocab.encode(new String(cps, 0, cps.length));
        }
        SplittableRandom rng = new SplittableRandom(s.seed() + 11);
        List<int[]> inputs = new ArrayList<>(), targets = new ArrayList<>();
        for (int i = 0; i < s.batches(); i++) {
            int[] in = new int[s.length() * s.batch()], tg = new int[s.batch()];
            for (int b = 0; b < s.batch(); b++) {
                int start = rng.nextInt(ids.length - s.length() - 1);
                for (int t = 0; t < s.length(); t++) in[t * s.batch() + b] = ids[start + t];
                tg[b] = ids[start + s.length()];
            }
            inputs.add(in);
            targets.add(tg);
        }
        return probeIds(emb, rnn, fc, inputs, targets, name);
    }

    /** Mean ‖∂L/∂h_k‖ over s.batches() of ids ({@code T·B}, time-major) with one target class per sequence. */
    private double[] probeIds(Embedding emb, RecurrentLayer rnn, Linear fc, List<int[]> inputs, List<int[]> targetList,
                              String name) {
        int[] targets = new int[s.batch()];
        double[] sum = new double[s.length()];
        try (Arena arena = Arena.ofShared();
             GradientProbe probe = new GradientProbe(rnn, GradientProbe.crossEntropy(fc, targets, s.batch()), fc, s.batch(), s.length());
             Bar bar = io.progress().start("‖∂L/∂h_k‖ " + name, inputs.size(), "batches")) {
            FloatMatrix x = FloatMatrix.allocate(arena, s.length() * s.batch(), emb.embeddingDim());
            for (int i = 0; i < inputs.size(); i++) {
                System.arraycopy(targetList.get(i), 0, targets, 0, s.batch());
                emb.forward(inputs.get(i), s.length() * s.batch(), x);
                double[] n = probe.norms(x, s.length());
                for (int d = 0; d < s.length(); d++) sum[d] += n[d] / inputs.size();
                bar.update(i + 1);
            }
        }
        return sum;
    }

    /** Batches of IMDB reviews at least {@code s.length()} words long: their last {@code s.length()} word ids, and the label. */
    private record ImdbWindows(String source, int vocabSize, List<int[]> inputs, List<int[]> targets) { }

    private ImdbWindows imdbWindows(String imdb) {
        var data = dev.recur.app.data.ImdbDataset.load(imdb.equals("sample") ? null : Path.of(imdb),
                java.util.EnumSet.of(dev.recur.app.data.Review.Split.TRAIN));
        var tokenizer = new dev.recur.app.data.Tokenizer();
        List<dev.recur.app.data.Review> reviews = new ArrayList<>(data.train());
        java.util.Collections.shuffle(reviews, new java.util.Random(s.seed()));
        List<List<String>> docs = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (var r : reviews) {
            List<String> words = tokenizer.tokenize(r.text());
            if (words.size() >= s.length()) {
                docs.add(words.subList(words.size() - s.length(), words.size()));
                labels.add(r.label());
            }
            if (docs.size() == s.batches() * s.batch()) break;
        }
        if (docs.size() < s.batches() * s.batch()) {
            throw new AppException(data.source() + ": only " + docs.size() + " training reviews have at least " + s.length()
                    + " words; lower --s.length(), --s.batch() or --s.batches()");
        }
        var vocab = dev.recur.app.data.Vocabulary.build(docs, 20_000, 1);
        List<int[]> inputs = new ArrayList<>(), targets = new ArrayList<>();
        for (int i = 0; i < s.batches(); i++) {
            int[] in = new int[s.length() * s.batch()], tg = new int[s.batch()];
            for (int b = 0; b < s.batch(); b++) {
                List<String> words = docs.get(i * s.batch() + b);
                for (int t = 0; t < s.length(); t++) in[t * s.batch() + b] = vocab.id(words.get(t));
                tg[b] = labels.get(i * s.batch() + b);
            }
            inputs.add(in);
            targets.add(tg);
        }
        return new ImdbWindows(data.source(), vocab.size(), inputs, targets);
    }

    private static int[] decode(CharCorpus text) {
        int[] cps = new int[text.train().length];
        for (int i = 0; i < cps.length; i++) cps[i] = text.vocabulary().codePoint(text.train()[i]);
        return cps;
    }

}
