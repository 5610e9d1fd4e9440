package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.audio.Features;
import dev.recur.layers.loss.CtcDecoder;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.CtcAcousticModel;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.EpochMeter;
import dev.recur.app.run.PositionKeys;
import dev.recur.app.run.TrainingLoop;
import dev.recur.app.run.progress.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The connected-digit task on the shared {@link TrainingLoop}: {@link #planEpoch} draws the
 * epoch's training strings afresh from the training recordings (a pure function of seed and
 * epoch) and cuts them into length-bucketed batches; {@link #step} runs the forward and backward
 * pass of one; {@link #evaluate} decodes the validation strings and scores the digit error rate
 * (the primary metric, lower is better). Digit d is CTC class d + 1 (class 0 is the blank).
 */
public final class ConnectedDigitsTask implements TrainingLoop.Task {
    /** One utterance ready for the model: its frames and its digits. */
    public record Example(Features frames, int[] digits) {}

    /** The score of a pass over a set: digit error rate, exact strings, mean CTC loss. */
    public record Score(double digitErrorRate, double stringAccuracy, double loss, long referenceDigits, long utterances) {}

    private final CtcAcousticModel model;
    private final StackedFeatures features;
    private final List<ConnectedDigits.Recording> trainPool;
    private final int utterances, batchSize;
    private final float noise;
    private final long seed;
    private final Batch batch;
    private final CtcDecoder decoder = new CtcDecoder(0);
    private final List<Example> validation;
    private final int beam;
    private final Map<String, String> meta;
    private List<Example> epochData = List.of();
    private List<int[]> plan = List.of();
    private final EpochMeter meter = new EpochMeter();
    private Score lastScore;

    /**
     * A task training {@code model} on {@code utterancesPerEpoch} fresh strings of {@code trainPool}
     * per epoch, validated on {@code validation} (decoded with a beam of {@code beam}, 1 = best
     * path); {@code meta} is the checkpoint metadata it adds its position to.
     */
    /** Where its checkpoints record the loop's position. */
    private static final PositionKeys KEYS = PositionKeys.STANDARD.withBestAt("train.best_at");

    public ConnectedDigitsTask(CtcAcousticModel model, StackedFeatures features, List<ConnectedDigits.Recording> trainPool,
                               int utterancesPerEpoch, float noise, long seed, int batchSize, List<Example> validation, int beam,
                               Map<String, String> meta) {
        this.validation = validation;
        this.beam = beam;
        this.meta = new LinkedHashMap<>(meta);
        this.model = model;
        this.features = features;
        this.trainPool = trainPool;
        this.utterances = utterancesPerEpoch;
        this.noise = noise;
        this.seed = seed;
        this.batchSize = batchSize;
        batch = Batch.ofFrames(model.maxSteps(), batchSize, features.width());
    }

    /** Model frames of the longest utterance {@link ConnectedDigits#generate} can make from these recordings. */
    public static int maxFrames(StackedFeatures features, List<List<ConnectedDigits.Recording>> pools) {
        int longest = 0;
        for (List<ConnectedDigits.Recording> p : pools) for (ConnectedDigits.Recording r : p) longest = Math.max(longest, r.samples().length);
        long samples = (long) ConnectedDigits.MAX_DIGITS * longest + (ConnectedDigits.MAX_DIGITS + 1L) * ConnectedDigits.MAX_GAP;
        return features.frames(samples);
    }

    /** {@code n} utterances drawn from {@code pool} with {@code seed}, as model frames. */
    public static List<Example> examples(StackedFeatures features, List<ConnectedDigits.Recording> pool, long seed, int n, float noise) {
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ConnectedDigits.Utterance u = ConnectedDigits.generate(pool, seed, i, noise);
            out.add(new Example(features.of(u.samples(), "utterance " + i), u.digits()));
        }
        return out;
    }

    /** The loop's position a connected-digit checkpoint recorded. */
    static TrainingLoop.Position position(Checkpoint ck, long steps) { return KEYS.read(ck, steps); }

    @Override
    public int planEpoch(int epoch, int first) {
        meter.startEpoch();
        return plan(epoch - 1);
    }

    /** Draws epoch {@code e}'s (0-based) training strings and plans its batches (shuffled); returns the batch count. */
    int plan(int e) {
        epochData = examples(features, trainPool, seed + 1000L * e, utterances, noise);
        Integer[] idx = new Integer[epochData.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        SplittableRandom rng = new SplittableRandom(seed * 31 + e);
        shuffle(idx, rng);
        int chunk = batchSize * 16;
        List<int[]> batches = new ArrayList<>();
        for (int c = 0; c < idx.length; c += chunk) {
            Integer[] part = Arrays.copyOfRange(idx, c, Math.min(idx.length, c + chunk));
            Arrays.sort(part, Comparator.comparingInt((Integer i) -> -epochData.get(i).frames().frames()));
            for (int k = 0; k < part.length; k += batchSize) {
                int[] one = new int[Math.min(batchSize, part.length - k)];
                for (int j = 0; j < one.length; j++) one[j] = part[k + j];
                batches.add(one);
            }
        }
        int[][] arr = batches.toArray(new int[0][]);
        shuffle(arr, rng);
        plan = List.of(arr);
        return plan.size();
    }

    private static <T> void shuffle(T[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private void fill(List<Example> data, int[] members) {
        int steps = 0;
        for (int i : members) steps = Math.max(steps, data.get(i).frames().frames());
        if (steps > model.maxSteps()) {
            throw new AppException("an utterance of " + steps + " frames exceeds the model's " + model.maxSteps());
        }
        batch.reset(steps, members.length);
        int w = features.width();
        for (int j = 0; j < members.length; j++) {
            Example ex = data.get(members[j]);
            Features f = ex.frames();
            for (int t = 0; t < f.frames(); t++) System.arraycopy(f.values(), t * w, batch.frames(), (t * members.length + j) * w, w);
            batch.lengths()[j] = f.frames();
            int[] labels = new int[ex.digits().length];
            for (int k = 0; k < labels.length; k++) labels[k] = ex.digits()[k] + 1;
            batch.setLabels(j, labels);
        }
    }

    @Override
    public float step(int index) {
        long s0 = System.nanoTime();
        int[] members = plan.get(index);
        fill(epochData, members);
        model.train(true);
        model.zeroGrad();
        float loss = model.forward(batch);
        if (!Float.isFinite(loss)) return loss;   // the loop stops, naming the step
        model.backward();
        long frames = 0;
        for (int i = 0; i < members.length; i++) frames += batch.lengths()[i];
        meter.add(loss, members.length, frames, s0);
        return loss;
    }

    @Override
    public List<Field> progress() {
        return List.of(Field.metric("loss %.4f", meter.meanLoss()),
                Field.detail("%,.1f utterances/s", meter.count() / meter.epochSeconds()));
    }

    @Override
    public TrainingLoop.Training training(double seconds) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_loss", meter.meanLoss());
        m.put("utterances_per_s", meter.count() / seconds);
        m.put("frames_per_s", meter.units() / seconds);
        return new TrainingLoop.Training(m, String.format(Locale.ROOT, "train loss %.4f, %,.1f utterances/s", meter.meanLoss(),
                meter.count() / seconds));
    }

    @Override
    public TrainingLoop.Evaluation evaluate() {
        Score s = evaluate(validation, beam);
        lastScore = s;
        model.train(true);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", s.loss());
        m.put("der", s.digitErrorRate());
        m.put("string_accuracy", s.stringAccuracy());
        return new TrainingLoop.Evaluation(m, "der", false, String.format(Locale.ROOT,
                "validation loss %.4f, digit error rate %.2f %%, strings %.1f %%", s.loss(), 100 * s.digitErrorRate(), 100 * s.stringAccuracy()));
    }

    @Override
    public Map<String, String> metadata(TrainingLoop.Position at, List<Map<String, Object>> history) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        KEYS.write(m, at);
        m.putAll(model.rngState());
        return m;
    }

    /** The last validation score (null before one). */
    public Score lastScore() { return lastScore; }

    /** Training utterances per second over the steps run in this process (0 before one). */
    public double utterancesPerSecond() { return meter.runSeconds() == 0 ? 0 : meter.runCount() / meter.runSeconds(); }

    /** Seconds spent in training steps in this process. */
    public double trainSeconds() { return meter.runSeconds(); }

    /** Decodes {@code set} (greedy, or prefix beam search of {@code beam} > 1) and scores it. */
    public Score evaluate(List<Example> set, int beam) {
        model.eval();
        DigitErrorRate der = new DigitErrorRate();
        double lossSum = 0;
        for (int start = 0; start < set.size(); start += batchSize) {
            int[] members = new int[Math.min(batchSize, set.size() - start)];
            for (int j = 0; j < members.length; j++) members[j] = start + j;
            fill(set, members);
            lossSum += (double) model.forward(batch) * members.length;
            FloatMatrix lg = model.lastLogits();
            for (int j = 0; j < members.length; j++) {
                int frames = batch.lengths()[j];
                List<CtcDecoder.Symbol> s = beam > 1 ? decoder.beam(lg, members.length, j, frames, beam) : decoder.greedy(lg, members.length, j, frames);
                der.add(digits(s), set.get(members[j]).digits());
            }
        }
        return new Score(der.rate(), der.stringAccuracy(), lossSum / Math.max(1, set.size()), der.referenceDigits(), der.utterances());
    }

    /** The digits of decoded CTC symbols (class d + 1 → digit d). */
    public static int[] digits(List<CtcDecoder.Symbol> symbols) {
        int[] out = CtcDecoder.labels(symbols);
        for (int k = 0; k < out.length; k++) out[k] -= 1;
        return out;
    }
}
