package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.audio.Features;
import dev.recur.layers.loss.CtcDecoder;
import dev.recur.layers.model.AcousticConfig;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Checkpoint;
import dev.recur.layers.model.CtcAcousticModel;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Connected digits with CTC, end to end: utterances from {@link ConnectedDigits}, features from
 * {@link StackedFeatures}, a bidirectional {@link CtcAcousticModel}, Adam with gradient-norm
 * clipping, the digit error rate of greedy (or beam) decoding on a fixed test set.
 *
 * <p>The work is cut the way the shared training loop wants it: {@link #step} trains one batch,
 * {@link #evaluate} scores the test set, {@link #save} writes the state; {@link #run} drives them
 * for a fixed number of epochs or a time budget. The training strings are drawn afresh every epoch
 * (seed + epoch) from the training recordings; the test strings are drawn once with their own seed.
 *
 * <p>Run as a program for the measured results:
 * {@code java … dev.recur.app.speech.ConnectedDigitsExperiment FSDD_DIR [official|<speaker>|loso] [key=value…]}.
 */
public final class ConnectedDigitsExperiment implements AutoCloseable {

    /** What a run is. */
    public record Settings(int trainUtterances, int testUtterances, int epochs, double minutes, CellType cell, int hidden,
                           int layers, float dropout, int batch, double lr, float clip, int stack, float noise, long seed,
                           int threads, int beam) {
        public static Settings defaults() {
            return new Settings(3000, 400, 30, 13, CellType.LSTM, 128, 1, 0.1f, 32, 2e-3, 5f, 3, 0.002f, 1, 2, 0);
        }

        Settings with(String key, String v) {
            return switch (key) {
                case "train" -> new Settings(Integer.parseInt(v), testUtterances, epochs, minutes, cell, hidden, layers, dropout, batch, lr, clip, stack, noise, seed, threads, beam);
                case "test" -> new Settings(trainUtterances, Integer.parseInt(v), epochs, minutes, cell, hidden, layers, dropout, batch, lr, clip, stack, noise, seed, threads, beam);
                case "epochs" -> new Settings(trainUtterances, testUtterances, Integer.parseInt(v), minutes, cell, hidden, layers, dropout, batch, lr, clip, stack, noise, seed, threads, beam);
                case "minutes" -> new Settings(trainUtterances, testUtterances, epochs, Double.parseDouble(v), cell, hidden, layers, dropout, batch, lr, clip, stack, noise, seed, threads, beam);
                case "cell" -> new Settings(trainUtterances, testUtterances, epochs, minutes, CellType.valueOf(v.toUpperCase()), hidden, layers, dropout, batch, lr, clip, stack, noise, seed, threads, beam);
                case "hidden" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, Integer.parseInt(v), layers, dropout, batch, lr, clip, stack, noise, seed, threads, beam);
                case "layers" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, hidden, Integer.parseInt(v), dropout, batch, lr, clip, stack, noise, seed, threads, beam);
                case "dropout" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, hidden, layers, Float.parseFloat(v), batch, lr, clip, stack, noise, seed, threads, beam);
                case "batch" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, hidden, layers, dropout, Integer.parseInt(v), lr, clip, stack, noise, seed, threads, beam);
                case "lr" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, hidden, layers, dropout, batch, Double.parseDouble(v), clip, stack, noise, seed, threads, beam);
                case "clip" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, hidden, layers, dropout, batch, lr, Float.parseFloat(v), stack, noise, seed, threads, beam);
                case "stack" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, hidden, layers, dropout, batch, lr, clip, Integer.parseInt(v), noise, seed, threads, beam);
                case "noise" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, hidden, layers, dropout, batch, lr, clip, stack, Float.parseFloat(v), seed, threads, beam);
                case "seed" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, hidden, layers, dropout, batch, lr, clip, stack, noise, Long.parseLong(v), threads, beam);
                case "threads" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, hidden, layers, dropout, batch, lr, clip, stack, noise, seed, Integer.parseInt(v), beam);
                case "beam" -> new Settings(trainUtterances, testUtterances, epochs, minutes, cell, hidden, layers, dropout, batch, lr, clip, stack, noise, seed, threads, Integer.parseInt(v));
                default -> throw new AppException("unknown setting '" + key + "' (train, test, epochs, minutes, cell, hidden, layers,"
                        + " dropout, batch, lr, clip, stack, noise, seed, threads, beam)");
            };
        }
    }

    /** One utterance ready for the model: its frames and its digits. */
    record Example(Features frames, int[] digits) {}

    /** The score of a test pass. */
    public record Score(double digitErrorRate, double stringAccuracy, double loss, long referenceDigits) {}

    private final Settings settings;
    private final List<ConnectedDigits.Recording> trainPool;
    private final StackedFeatures features;
    private final List<Example> test;
    private final int maxSteps;
    private final CtcAcousticModel model;
    private final Adam optimizer;
    private final Batch batch;
    private final CtcDecoder decoder = new CtcDecoder(0);
    private List<Example> epochData = List.of();
    private List<int[]> plan = List.of();

    public ConnectedDigitsExperiment(Settings s, List<ConnectedDigits.Recording> trainPool, List<ConnectedDigits.Recording> testPool) {
        this.settings = s;
        this.trainPool = trainPool;
        Engine.setThreads(s.threads());
        features = new StackedFeatures(FeatureConfig.defaults(FeatureConfig.Kind.MFCC), s.stack());
        test = examples(testPool, s.seed() + 1_000_003L, s.testUtterances());
        // the longest possible utterance: 7 of the longest recordings and 7 + 1 of the longest gaps
        int longest = 0;
        for (ConnectedDigits.Recording r : trainPool) longest = Math.max(longest, r.samples().length);
        for (ConnectedDigits.Recording r : testPool) longest = Math.max(longest, r.samples().length);
        long samples = (long) ConnectedDigits.MAX_DIGITS * longest + (ConnectedDigits.MAX_DIGITS + 1) * (3L * ConnectedDigits.RATE / 10);
        maxSteps = features.frames(samples);
        AcousticConfig cfg = new AcousticConfig(features.width(), s.cell(), s.hidden(), s.layers(), true, 0f, s.layers() > 1 ? s.dropout() : 0f,
                s.dropout(), 11, s.cell() == CellType.GRU ? "gru" : "lstm");
        model = new CtcAcousticModel(cfg, s.seed(), maxSteps, s.batch(), ConnectedDigits.MAX_DIGITS);
        optimizer = new Adam(model.parameters(), s.lr());
        batch = Batch.ofFrames(maxSteps, s.batch(), features.width());
    }

    private List<Example> examples(List<ConnectedDigits.Recording> pool, long seed, int n) {
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ConnectedDigits.Utterance u = ConnectedDigits.generate(pool, seed, i, settings.noise());
            out.add(new Example(features.of(u.samples(), "utterance " + i), u.digits()));
        }
        return out;
    }

    public CtcAcousticModel model() { return model; }

    public StackedFeatures features() { return features; }

    /** Draws epoch {@code e}'s training strings and cuts them into length-bucketed batches (shuffled); returns the batch count. */
    public int startEpoch(int e) {
        epochData = examples(trainPool, settings.seed() + e, settings.trainUtterances());
        Integer[] idx = new Integer[epochData.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        SplittableRandom rng = new SplittableRandom(settings.seed() * 31 + e);
        for (int i = idx.length - 1; i > 0; i--) { int j = rng.nextInt(i + 1); Integer t = idx[i]; idx[i] = idx[j]; idx[j] = t; }
        int b = settings.batch(), chunk = b * 16;
        List<int[]> batches = new ArrayList<>();
        for (int c = 0; c < idx.length; c += chunk) {
            Integer[] part = Arrays.copyOfRange(idx, c, Math.min(idx.length, c + chunk));
            Arrays.sort(part, Comparator.comparingInt((Integer i) -> -epochData.get(i).frames().frames()));
            for (int k = 0; k < part.length; k += b) {
                int[] one = new int[Math.min(b, part.length - k)];
                for (int j = 0; j < one.length; j++) one[j] = part[k + j];
                batches.add(one);
            }
        }
        for (int i = batches.size() - 1; i > 0; i--) { int j = rng.nextInt(i + 1); int[] t = batches.get(i); batches.set(i, batches.get(j)); batches.set(j, t); }
        plan = batches;
        return plan.size();
    }

    private void fill(List<Example> data, int[] members) {
        int steps = 0;
        for (int i : members) steps = Math.max(steps, data.get(i).frames().frames());
        batch.reset(steps, members.length);
        int w = features.width();
        for (int j = 0; j < members.length; j++) {
            Example ex = data.get(members[j]);
            Features f = ex.frames();
            for (int t = 0; t < f.frames(); t++) System.arraycopy(f.values(), t * w, batch.frames(), (t * members.length + j) * w, w);
            batch.lengths()[j] = f.frames();
            int[] labels = new int[ex.digits().length];
            for (int k = 0; k < labels.length; k++) labels[k] = ex.digits()[k] + 1;   // class 0 is the blank
            batch.setLabels(j, labels);
        }
    }

    /** Trains on batch {@code index} of the epoch: forward, backward, clipping, Adam. Returns the loss. */
    public float step(int index) {
        fill(epochData, plan.get(index));
        model.train(true);
        model.zeroGrad();
        float loss = model.forward(batch);
        if (!Float.isFinite(loss)) throw new AppException("the CTC loss became " + loss + " at batch " + index + ": lower the learning rate");
        model.backward();
        GradientClipping.clipGradNorm(model.parameters(), settings.clip());
        optimizer.step();
        return loss;
    }

    /** The digit error rate on the test strings (greedy, or prefix beam search with the beam setting). */
    public Score evaluate() {
        model.eval();
        DigitErrorRate der = new DigitErrorRate();
        double lossSum = 0;
        int b = settings.batch();
        for (int start = 0; start < test.size(); start += b) {
            int[] members = new int[Math.min(b, test.size() - start)];
            for (int j = 0; j < members.length; j++) members[j] = start + j;
            fill(test, members);
            lossSum += model.forward(batch) * members.length;
            FloatMatrix lg = model.lastLogits();
            for (int j = 0; j < members.length; j++) {
                List<CtcDecoder.Symbol> s = settings.beam() > 1 ? decoder.beam(lg, members.length, j, batch.lengths()[j], settings.beam())
                        : decoder.greedy(lg, members.length, j, batch.lengths()[j]);
                int[] hyp = CtcDecoder.labels(s);
                for (int k = 0; k < hyp.length; k++) hyp[k] -= 1;
                der.add(hyp, test.get(members[j]).digits());
            }
        }
        return new Score(der.rate(), der.stringAccuracy(), lossSum / test.size(), der.referenceDigits());
    }

    /** Writes the model to {@code file} (the one checkpoint format). */
    public void save(Path file) throws IOException {
        Checkpoint.save(file, model, optimizer, Map.of("speech.task", "connected_digits", "speech.stack", Integer.toString(features.stack())));
    }

    /** Epochs until the epoch count or the time budget runs out, evaluating after each; returns the best score. */
    public Score run(PrintStream log) {
        long start = System.nanoTime(), budget = (long) (settings.minutes() * 60e9);
        Score best = null;
        for (int e = 0; e < settings.epochs(); e++) {
            long t0 = System.nanoTime();
            int n = startEpoch(e);
            double sum = 0;
            int done = 0;
            for (int i = 0; i < n; i++) {
                sum += step(i);
                done++;
                if (System.nanoTime() - start > budget) break;
            }
            long trained = System.nanoTime() - t0;
            Score s = evaluate();
            if (best == null || s.digitErrorRate() < best.digitErrorRate()) best = s;
            log.printf("epoch %d: %d batches, train loss %.4f, %.1f utt/s; test loss %.4f, DER %.2f %%, strings %.1f %%, elapsed %.1f min%n",
                    e + 1, done, sum / Math.max(1, done), done * (double) settings.batch() / (trained / 1e9), s.loss(),
                    100 * s.digitErrorRate(), 100 * s.stringAccuracy(), (System.nanoTime() - start) / 60e9);
            if (System.nanoTime() - start > budget) break;
        }
        return best;
    }

    @Override
    public void close() {
        optimizer.close();
        model.close();
    }

    /** {@code FSDD_DIR [official|<speaker>|loso] [key=value…]}: trains and prints the digit error rate. */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: ConnectedDigitsExperiment FSDD_DIR [official|<speaker>|loso] [key=value…]");
            System.exit(2);
        }
        ConnectedDigits data = ConnectedDigits.load(Path.of(args[0]));
        String split = args.length > 1 && !args[1].contains("=") ? args[1] : "official";
        Settings s = Settings.defaults();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq > 0) s = s.with(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        System.out.println("settings: " + s);
        List<String> speakers = split.equals("loso") ? data.speakers() : List.of(split);
        double sum = 0;
        for (String sp : speakers) {
            boolean official = sp.equals("official");
            try (ConnectedDigitsExperiment x = new ConnectedDigitsExperiment(s,
                    official ? data.officialSplit(false) : data.speakerSplit(sp, false),
                    official ? data.officialSplit(true) : data.speakerSplit(sp, true))) {
                System.out.println("split " + sp + ": " + x.model.parameterCount() + " parameters, max " + x.maxSteps + " frames");
                long t0 = System.nanoTime();
                Score best = x.run(System.out);
                System.out.printf("split %s: best DER %.2f %% over %d reference digits, strings %.1f %%, %.1f min%n", sp,
                        100 * best.digitErrorRate(), best.referenceDigits(), 100 * best.stringAccuracy(), (System.nanoTime() - t0) / 60e9);
                sum += best.digitErrorRate();
                if (official && args.length > 0) {
                    Path out = Path.of("target", "connected-digits.safetensors");
                    Files.createDirectories(out.getParent());
                    x.save(out);
                }
            }
        }
        if (speakers.size() > 1) System.out.printf("leave-one-speaker-out mean DER %.2f %%%n", 100 * sum / speakers.size());
    }
}
