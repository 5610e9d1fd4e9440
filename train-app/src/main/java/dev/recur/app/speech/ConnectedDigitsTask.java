package dev.recur.app.speech;

import dev.recur.app.core.AppException;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.audio.Features;
import dev.recur.layers.loss.CtcDecoder;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.CtcAcousticModel;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.optim.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The connected-digit task's work, cut the way a training loop drives it: {@link #startEpoch}
 * draws the epoch's training strings afresh from the training recordings (seed + epoch) and cuts
 * them into length-bucketed batches; {@link #step} trains one (forward, backward, clipping, the
 * optimizer); {@link #evaluate} decodes a fixed set of strings and scores the digit error rate.
 * Digit d is CTC class d + 1 (class 0 is the blank).
 */
public final class ConnectedDigitsTask {
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
    private List<Example> epochData = List.of();
    private List<int[]> plan = List.of();

    public ConnectedDigitsTask(CtcAcousticModel model, StackedFeatures features, List<ConnectedDigits.Recording> trainPool,
                               int utterancesPerEpoch, float noise, long seed, int batchSize) {
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

    /** Draws epoch {@code e}'s training strings and plans its batches (shuffled); returns the batch count. */
    public int startEpoch(int e) {
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

    /** Utterances of batch {@code index} of the epoch. */
    public int batchUtterances(int index) { return plan.get(index).length; }

    /** Model frames of batch {@code index} of the epoch. */
    public long batchFrames(int index) {
        long n = 0;
        for (int i : plan.get(index)) n += epochData.get(i).frames().frames();
        return n;
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

    /** Trains on batch {@code index} of the epoch; returns {loss, gradient norm before clipping}. */
    public float[] step(int index, Optimizer optimizer, double clipNorm) {
        fill(epochData, plan.get(index));
        model.train(true);
        model.zeroGrad();
        float loss = model.forward(batch);
        if (!Float.isFinite(loss)) {
            throw new AppException("the CTC loss became " + loss + " at batch " + (index + 1) + "; lower --lr or --clip-norm");
        }
        model.backward();
        float norm = clipNorm > 0 ? GradientClipping.clipGradNorm(model.parameters(), (float) clipNorm) : GradientClipping.globalNorm(model.parameters());
        GradientClipping.requireFinite(model.parameters(), optimizer.steps());
        optimizer.step();
        return new float[] {loss, norm};
    }

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
