package dev.recur.app.lab;

import dev.recur.app.AppException;
import dev.recur.app.cli.Checks;
import dev.recur.app.cli.Choices.ModelKind;
import dev.recur.app.cli.Io;
import dev.recur.app.lm.CharCorpus;
import dev.recur.app.run.progress.Bar;
import dev.recur.app.run.progress.Field;
import dev.recur.app.lm.CharModel;
import dev.recur.app.lm.LmCheckpoint;
import dev.recur.app.lm.LmConfig;
import dev.recur.app.lm.LmTrainer;
import dev.recur.engine.Engine;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code train-app gradients}: the vanishing/exploding gradient lab. */
@Command(name = "gradients", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "The vanishing/exploding gradient lab. Experiments (--experiment):",
            "  vanishing   ‖∂L/∂h_k‖ against the distance T−k for RNN, LSTM and GRU (loss at the last step),",
            "              averaged over batches: gradients.csv and gradients.png (log scale). Inputs: the",
            "              adding problem (default), a UTF-8 text (--data), or an lm checkpoint (--checkpoint).",
            "  long-range  trains each cell on the adding problem at several lengths (--lengths) and shows",
            "              where the plain RNN stops learning: long_range.csv and long_range.png.",
            "  exploding   a tanh RNN with recurrent weights scaled by --recurrent-scale, trained by SGD with",
            "              and without --clip-norm: loss and gradient norm per step, exploding.csv/.png.",
            "  all         the three in turn."})
public final class GradientsCommand implements Callable<Integer> {
    /** Which experiment to run. */
    public enum Experiment { vanishing, long_range, exploding, all }

    @Option(names = "--experiment", paramLabel = "NAME", converter = ExperimentConverter.class,
            description = "vanishing, long-range, exploding or all. Default: vanishing.")
    Experiment experiment = Experiment.vanishing;

    @Option(names = "--models", split = ",", paramLabel = "rnn,lstm,gru", description = "Cells to compare. Default: rnn,lstm,gru.")
    List<ModelKind> models = List.of(ModelKind.rnn, ModelKind.lstm, ModelKind.gru);

    @Option(names = "--hidden", paramLabel = "N", description = "Hidden units. Default: ${DEFAULT-VALUE}.")
    int hidden = 64;

    @Option(names = "--length", paramLabel = "T", description = "Sequence length (vanishing, exploding). Default: ${DEFAULT-VALUE}.")
    int length = 50;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences per batch. Default: ${DEFAULT-VALUE}.")
    int batch = 32;

    @Option(names = "--batches", paramLabel = "N", description = "Batches averaged over (vanishing). Default: ${DEFAULT-VALUE}.")
    int batches = 4;

    @Option(names = "--pretrain-steps", paramLabel = "N", description = "Vanishing: train each fresh model this many steps on the adding problem first (0 = measure at initialisation). Default: ${DEFAULT-VALUE}.")
    int pretrainSteps = 0;

    @Option(names = "--no-forget-bias", description = "Start LSTM forget gates at PyTorch's default bias instead of 1 (the usual practice, on by default in the lab).")
    boolean noForgetBias;

    @Option(names = "--data", paramLabel = "FILE", description = "Vanishing: measure on this UTF-8 text (characters through a fixed random embedding) instead of the adding problem.")
    Path data;

    @Option(names = "--imdb", paramLabel = "PATH|sample", description = "Vanishing: measure on IMDB reviews (aclImdb folder or .tar.gz, or 'sample' for the embedded sample): the last --length words of each review through a fixed random embedding, loss = sentiment at the last word.")
    String imdb;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Vanishing: measure a trained 'lm' model (on --data, or the embedded text) instead of fresh ones.")
    Path checkpoint;

    @Option(names = "--lengths", split = ",", paramLabel = "T,T,...", description = "Long-range: adding-problem lengths. Default: 10,25,50,100.")
    List<Integer> lengths = List.of(10, 25, 50, 100);

    @Option(names = "--train-steps", paramLabel = "N", description = "Long-range: Adam steps per model and length. Default: ${DEFAULT-VALUE}.")
    int trainSteps = 1500;

    @Option(names = "--lr", paramLabel = "X", description = "Long-range: Adam learning rate. Default: ${DEFAULT-VALUE}.")
    double lr = 5e-3;

    @Option(names = "--learned-below", paramLabel = "F", description = "Long-range: a model has learned when its test MSE is below F × the baseline 1/6. Default: ${DEFAULT-VALUE}.")
    double learnedBelow = 0.2;

    @Option(names = "--recurrent-scale", paramLabel = "X", description = "Exploding: factor on the initial recurrent weights. Default: ${DEFAULT-VALUE}.")
    double recurrentScale = 2.5;

    @Option(names = "--sgd-lr", paramLabel = "X", description = "Exploding: SGD learning rate. Default: ${DEFAULT-VALUE}.")
    double sgdLr = 0.05;

    @Option(names = "--exploding-steps", paramLabel = "N", description = "Exploding: SGD steps per run. Default: ${DEFAULT-VALUE}.")
    int explodingSteps = 300;

    @Option(names = "--clip-norm", paramLabel = "X", description = "Clipping threshold (exploding: the clipped run; long-range: always). Default: ${DEFAULT-VALUE}.")
    double clipNorm = 1.0;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed = 42;

    @Option(names = "--threads", paramLabel = "N", description = "Engine threads. Default: the number of processors.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out = Path.of("runs", "lab");

    private final Io io;

    public GradientsCommand(Io io) { this.io = io; }

    /** Accepts {@code long-range} as well as {@code long_range}. */
    static final class ExperimentConverter implements picocli.CommandLine.ITypeConverter<Experiment> {
        @Override
        public Experiment convert(String s) {
            try {
                return Experiment.valueOf(s.toLowerCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + s
                        + "' is not an experiment; use vanishing, long-range, exploding or all");
            }
        }
    }

    static CellType cell(ModelKind k) {
        return switch (k) {
            case rnn -> CellType.RNN_TANH;
            case lstm -> CellType.LSTM;
            case gru -> CellType.GRU;
        };
    }

    static String label(CellType c) {
        return switch (c) {
            case RNN_TANH -> "RNN (tanh)";
            case RNN_RELU -> "RNN (relu)";
            case LSTM -> "LSTM";
            case GRU -> "GRU";
        };
    }

    @Override
    public Integer call() {
        Checks.range("--hidden", hidden, 1, 4096);
        Checks.range("--length", length, 2, 100_000);
        Checks.range("--batch", batch, 1, 100_000);
        Checks.range("--batches", batches, 1, 100_000);
        Checks.range("--pretrain-steps", pretrainSteps, 0, 10_000_000);
        Checks.range("--train-steps", trainSteps, 1, 10_000_000);
        Checks.range("--exploding-steps", explodingSteps, 1, 10_000_000);
        Checks.positive("--lr", lr);
        Checks.positive("--sgd-lr", sgdLr);
        Checks.positive("--recurrent-scale", recurrentScale);
        Checks.range("--clip-norm", clipNorm, 1e-9, 1e9);
        Checks.range("--learned-below", learnedBelow, 1e-9, 1);
        Checks.range("--threads", threads, 1, 1024);
        if (models.isEmpty()) throw AppException.usage("--models needs at least one of rnn, lstm, gru");
        for (int l : lengths) Checks.range("--lengths", l, 2, 100_000);
        Engine.setThreads(threads);
        boolean all = experiment == Experiment.all;
        if (all || experiment == Experiment.vanishing) vanishing();
        if (all || experiment == Experiment.long_range) longRange();
        if (all || experiment == Experiment.exploding) exploding();
        return 0;
    }

    // ------------------------------------------------------------------ vanishing

    void vanishing() {
        CsvTable csv = new CsvTable("model", "stage", "distance", "mean_grad_norm", "relative_to_distance_0");
        List<LabPlots.Line> lines = new ArrayList<>(), trainedLines = new ArrayList<>();
        String source;
        if (checkpoint != null) {
            var st = LmCheckpoint.read(checkpoint);
            LmConfig cfg = LmConfig.fromMetadata(st.metadata(), checkpoint.toString());
            CharCorpus text = LmTrainer.corpus(data, 0.1);
            source = "lm checkpoint " + checkpoint.getFileName() + " on " + text.name();
            try (CharModel m = new CharModel(cfg, batch, length)) {
                LmCheckpoint.loadParameters(st, m.parameters());
                double[] norms = textNorms(m.embedding(), m.recurrent(), m.output(), cfg.vocabulary(), text, "checkpoint");
                addLine(csv, lines, label(cfg.cell()) + " (trained, " + cfg.layers() + " layer" + (cfg.layers() > 1 ? "s" : "") + ")",
                        "checkpoint", norms);
            }
        } else if (imdb != null) {
            ImdbWindows w = imdbWindows();
            source = "IMDB reviews, " + w.source;
            for (ModelKind k : models) {
                CellType cell = cell(k);
                try (Arena arena = Arena.ofShared();
                     RecurrentLayer rnn = new RecurrentLayer("rnn.", new RecurrentConfig(cell, 32, hidden, 1, false,
                             DirectionMerge.CONCAT, 0f, false, !noForgetBias && cell == CellType.LSTM, seed), length, batch)) {
                    SplittableRandom rng = new SplittableRandom(seed);
                    Embedding emb = new Embedding(arena, "embedding", w.vocabSize, 32, 0, rng);
                    Linear fc = new Linear(arena, "fc", hidden, 2, rng);
                    addLine(csv, lines, label(cell), "initialisation", probeIds(emb, rnn, fc, w.inputs, w.targets, label(cell)));
                }
            }
        } else {
            CharCorpus text = data == null ? null : CharCorpus.read(data, 0.1);
            source = text == null ? "adding problem" : text.name();
            for (ModelKind k : models) {
                CellType cell = cell(k);
                if (text == null) {
                    addLine(csv, lines, label(cell), "initialisation", addingNorms(cell, 0));
                    if (pretrainSteps > 0) {
                        addLine(csv, trainedLines, label(cell), "after " + pretrainSteps + " steps", addingNorms(cell, pretrainSteps));
                    }
                } else {
                    try (Arena arena = Arena.ofShared();
                         RecurrentLayer rnn = new RecurrentLayer("rnn.", new RecurrentConfig(cell, 32, hidden, 1, false,
                                 DirectionMerge.CONCAT, 0f, false, !noForgetBias && cell == CellType.LSTM, seed), length, batch)) {
                        SplittableRandom rng = new SplittableRandom(seed);
                        Embedding emb = new Embedding(arena, "embedding", text.vocabulary().size(), 32, -1, rng);
                        Linear fc = new Linear(arena, "fc", hidden, text.vocabulary().size(), rng);
                        addLine(csv, lines, label(cell), "initialisation",
                                textNorms(emb, rnn, fc, text.vocabulary(), text, label(cell)));
                    }
                }
            }
        }
        Path csvFile = out.resolve("gradients.csv"), png = out.resolve("gradients.png");
        csv.write(csvFile);
        String x = "distance T−1−k (steps back from the loss)", y = "mean ‖∂L/∂h_k‖ (log scale)";
        String head = checkpoint != null ? "Trained model" : "At initialisation";
        var top = LabPlots.chart(head + ": " + source + ", loss at step T−1 = " + (length - 1), x, y, true, lines);
        if (trainedLines.isEmpty()) {
            LabPlots.save(png, top);
        } else {
            LabPlots.save(png, top, LabPlots.chart("After " + pretrainSteps + " training steps on the adding problem",
                    x, y, true, trainedLines));
        }
        io.out().println("vanishing gradients: " + csvFile + ", " + png);
        List<LabPlots.Line> both = new ArrayList<>(lines);
        both.addAll(trainedLines);
        for (int i = 0; i < both.size(); i++) {
            LabPlots.Line l = both.get(i);
            double[] v = l.y();
            io.out().printf(Locale.ROOT, "  %-12s %-16s ‖∂L/∂h‖ at distance 0: %.3g, 10: %.3g, %d: %.3g%n", l.name(),
                    i < lines.size() ? (checkpoint != null ? "checkpoint" : "initialisation") : "trained", v[0],
                    v[Math.min(10, v.length - 1)], v.length - 1, v[v.length - 1]);
        }
    }

    private void addLine(CsvTable csv, List<LabPlots.Line> lines, String name, String stage, double[] norms) {
        double[] x = new double[norms.length];
        for (int d = 0; d < norms.length; d++) {
            x[d] = d;
            csv.add(name, stage, d, norms[d], norms[0] > 0 ? norms[d] / norms[0] : Double.NaN);
        }
        lines.add(new LabPlots.Line(name, x, norms));
    }

    /** Adding-problem inputs and a squared-error head; optionally trained first. */
    private double[] addingNorms(CellType cell, int pretrainSteps) {
        try (LabTasks.AddingNet net = new LabTasks.AddingNet(cell, hidden, length, batch, seed, !noForgetBias)) {
            if (pretrainSteps > 0) {
                try (var opt = new dev.recur.layers.optim.Adam(net.params, (float) lr);
                     Bar bar = io.progress().start("pre-training " + label(cell), pretrainSteps, "steps")) {
                    AddingProblem train = new AddingProblem(length, seed * 7 + 1);
                    for (int s = 1; s <= pretrainSteps; s++) {
                        net.zeroGrad();
                        double loss = net.batch(train, true);
                        dev.recur.app.lm.Training.clipAndCheck(net.params, clipNorm, (float) loss, s);
                        opt.step();
                        bar.update(s, Field.metric("mse %.4f", loss));
                    }
                }
            }
            AddingProblem data = new AddingProblem(length, seed * 7 + 3);
            double[] sum = new double[length];
            try (GradientProbe probe = new GradientProbe(net.rnn, GradientProbe.squaredError(net.fc, net.ys, batch), net.fc, batch, length);
                 Bar bar = io.progress().start("‖∂L/∂h_k‖ " + label(cell), batches, "batches")) {
                for (int i = 0; i < batches; i++) {
                    data.next(batch, net.xs, net.ys);
                    net.x.copyFrom(net.xs);
                    double[] n = probe.norms(net.x, length);
                    for (int d = 0; d < length; d++) sum[d] += n[d] / batches;
                    bar.update(i + 1);
                }
            }
            return sum;
        }
    }

    /** Windows of a text: characters through {@code emb}, loss = cross-entropy of the next character after the window. */
    private double[] textNorms(Embedding emb, RecurrentLayer rnn, Linear fc, dev.recur.app.lm.CharVocabulary vocab,
                               CharCorpus text, String name) {
        int[] ids = text.train();
        if (ids.length < (long) batch * (length + 1)) {
            throw new AppException(text.name() + ": " + ids.length + " characters are too few for " + batch
                    + " windows of " + (length + 1) + "; lower --batch or --length");
        }
        if (!vocab.asString().equals(text.vocabulary().asString())) {
            // a checkpoint's vocabulary: re-encode the text with it
            int[] cps = decode(text);
            ids = vocab.encode(new String(cps, 0, cps.length));
        }
        SplittableRandom rng = new SplittableRandom(seed + 11);
        List<int[]> inputs = new ArrayList<>(), targets = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            int[] in = new int[length * batch], tg = new int[batch];
            for (int b = 0; b < batch; b++) {
                int start = rng.nextInt(ids.length - length - 1);
                for (int t = 0; t < length; t++) in[t * batch + b] = ids[start + t];
                tg[b] = ids[start + length];
            }
            inputs.add(in);
            targets.add(tg);
        }
        return probeIds(emb, rnn, fc, inputs, targets, name);
    }

    /** Mean ‖∂L/∂h_k‖ over batches of ids ({@code T·B}, time-major) with one target class per sequence. */
    private double[] probeIds(Embedding emb, RecurrentLayer rnn, Linear fc, List<int[]> inputs, List<int[]> targetList,
                              String name) {
        int[] targets = new int[batch];
        double[] sum = new double[length];
        try (Arena arena = Arena.ofShared();
             GradientProbe probe = new GradientProbe(rnn, GradientProbe.crossEntropy(fc, targets, batch), fc, batch, length);
             Bar bar = io.progress().start("‖∂L/∂h_k‖ " + name, inputs.size(), "batches")) {
            FloatMatrix x = FloatMatrix.allocate(arena, length * batch, emb.embeddingDim());
            for (int i = 0; i < inputs.size(); i++) {
                System.arraycopy(targetList.get(i), 0, targets, 0, batch);
                emb.forward(inputs.get(i), length * batch, x);
                double[] n = probe.norms(x, length);
                for (int d = 0; d < length; d++) sum[d] += n[d] / inputs.size();
                bar.update(i + 1);
            }
        }
        return sum;
    }

    /** Batches of IMDB reviews at least {@code length} words long: their last {@code length} word ids, and the label. */
    private record ImdbWindows(String source, int vocabSize, List<int[]> inputs, List<int[]> targets) { }

    private ImdbWindows imdbWindows() {
        var data = dev.recur.app.data.ImdbDataset.load(imdb.equals("sample") ? null : Path.of(imdb),
                java.util.EnumSet.of(dev.recur.app.data.Review.Split.TRAIN));
        var tokenizer = new dev.recur.app.data.Tokenizer();
        List<dev.recur.app.data.Review> reviews = new ArrayList<>(data.train());
        java.util.Collections.shuffle(reviews, new java.util.Random(seed));
        List<List<String>> docs = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (var r : reviews) {
            List<String> words = tokenizer.tokenize(r.text());
            if (words.size() >= length) {
                docs.add(words.subList(words.size() - length, words.size()));
                labels.add(r.label());
            }
            if (docs.size() == batches * batch) break;
        }
        if (docs.size() < batches * batch) {
            throw new AppException(data.source() + ": only " + docs.size() + " training reviews have at least " + length
                    + " words; lower --length, --batch or --batches");
        }
        var vocab = dev.recur.app.data.Vocabulary.build(docs, 20_000, 1);
        List<int[]> inputs = new ArrayList<>(), targets = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            int[] in = new int[length * batch], tg = new int[batch];
            for (int b = 0; b < batch; b++) {
                List<String> words = docs.get(i * batch + b);
                for (int t = 0; t < length; t++) in[t * batch + b] = vocab.id(words.get(t));
                tg[b] = labels.get(i * batch + b);
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

    // ------------------------------------------------------------------ long range

    void longRange() {
        CsvTable csv = new CsvTable("model", "length", "test_mse", "baseline_mse", "learned");
        List<LabPlots.Line> lines = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-12s", "length"));
        for (int l : lengths) table.append(String.format(Locale.ROOT, "%10d", l));
        table.append('\n');
        double threshold = learnedBelow * AddingProblem.BASELINE_MSE;
        for (ModelKind k : models) {
            CellType cell = cell(k);
            double[] x = new double[lengths.size()], y = new double[lengths.size()];
            table.append(String.format(Locale.ROOT, "%-12s", label(cell)));
            for (int i = 0; i < lengths.size(); i++) {
                int len = lengths.get(i);
                LabTasks.Outcome o;
                try (Bar bar = io.progress().start(label(cell) + " T=" + len, trainSteps, "steps")) {
                    o = LabTasks.trainAdding(cell, len, hidden, trainSteps, batch, lr, clipNorm, seed, !noForgetBias,
                            s -> bar.update(s));
                }
                boolean learned = o.testMse() < threshold;
                csv.add(label(cell), len, o.testMse(), AddingProblem.BASELINE_MSE, learned);
                x[i] = len;
                y[i] = o.testMse();
                table.append(String.format(Locale.ROOT, "%9.4f%s", o.testMse(), learned ? "*" : " "));
                io.progress().info(String.format(Locale.ROOT, "%s, T=%d: test MSE %.4f (%s)", label(cell), len, o.testMse(),
                        learned ? "learned" : "not learned"));
            }
            table.append('\n');
            lines.add(new LabPlots.Line(label(cell), x, y));
        }
        double[] bx = lengths.stream().mapToDouble(Integer::doubleValue).toArray();
        double[] by = new double[bx.length], ty = new double[bx.length];
        java.util.Arrays.fill(by, AddingProblem.BASELINE_MSE);
        java.util.Arrays.fill(ty, threshold);
        lines.add(new LabPlots.Line("baseline (always answer 1)", bx, by));
        lines.add(new LabPlots.Line("learned below this line", bx, ty));
        Path csvFile = out.resolve("long_range.csv"), png = out.resolve("long_range.png");
        csv.write(csvFile);
        LabPlots.save(png, LabPlots.chart("Adding problem: test error after " + trainSteps + " training steps",
                "sequence length T", "test mean squared error", true, lines));
        io.out().print("adding problem, test MSE after " + trainSteps + " steps (* = learned, below "
                + String.format(Locale.ROOT, "%.4f", threshold) + "; baseline " + String.format(Locale.ROOT, "%.4f", AddingProblem.BASELINE_MSE) + ")\n" + table);
        io.out().println("long-range table: " + csvFile + ", " + png);
    }

    // ------------------------------------------------------------------ exploding

    void exploding() {
        CsvTable csv = new CsvTable("run", "step", "loss", "grad_norm");
        List<LabPlots.Line> loss = new ArrayList<>(), norm = new ArrayList<>();
        for (boolean clip : new boolean[] {false, true}) {
            String name = clip ? String.format(Locale.ROOT, "clip-norm %.3g", clipNorm) : "no clipping";
            LabTasks.Outcome o;
            try (Bar bar = io.progress().start("exploding, " + name, explodingSteps, "steps")) {
                o = LabTasks.trainExploding(length, hidden, (float) recurrentScale, explodingSteps, batch, sgdLr,
                        clip ? clipNorm : 0, seed, s -> bar.update(s));
            }
            int n = o.log().size();
            double[] x = new double[n], l = new double[n], g = new double[n];
            for (int i = 0; i < n; i++) {
                LabTasks.StepLog s = o.log().get(i);
                x[i] = s.step();
                l[i] = s.loss();
                g[i] = s.gradNorm();
                csv.add(name, s.step(), s.loss(), s.gradNorm());
            }
            loss.add(new LabPlots.Line(name, x, l));
            norm.add(new LabPlots.Line(name, x, g));
            double maxNorm = 0;
            for (double v : g) if (Double.isFinite(v)) maxNorm = Math.max(maxNorm, v);
            io.out().printf(Locale.ROOT, "  %-16s %s; largest gradient norm %.3g; final loss %.4f%n", name,
                    o.diverged() ? "diverged at step " + n : "test MSE " + String.format(Locale.ROOT, "%.4f", o.testMse()),
                    maxNorm, l[n - 1]);
        }
        Path csvFile = out.resolve("exploding.csv"), png = out.resolve("exploding.png");
        csv.write(csvFile);
        String setup = String.format(Locale.ROOT, "tanh RNN, recurrent weights ×%.3g, SGD lr %.3g, adding problem T=%d",
                recurrentScale, sgdLr, length);
        LabPlots.save(png,
                LabPlots.chart("Training loss (" + setup + ")", "step", "loss (MSE)", true, loss),
                LabPlots.chart("Gradient norm before clipping", "step", "‖g‖₂", true, norm));
        io.out().println("exploding gradients: " + csvFile + ", " + png);
    }
}
