package dev.recur.bench;

import dev.recur.app.speech.ConnectedDigits;
import dev.recur.app.speech.StackedFeatures;
import dev.recur.engine.Engine;
import dev.recur.layers.audio.FeatureConfig;
import dev.recur.layers.audio.Features;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsWriter;
import dev.recur.layers.model.AcousticConfig;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.CtcAcousticModel;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Recur's side of the speech speed comparison (issue 15): the BiLSTM + CTC acoustic model trained
 * on fixed connected-digit feature batches, in utterances per second. The PyTorch peer,
 * {@code jmh/pytorch/bench_ctc.py}, trains the same model on the same batches, which this program
 * writes first ({@code --batches FILE}, a safetensors file: {@code frames.k} [T, B, F],
 * {@code lengths.k}, {@code targets.k} concatenated, {@code target_lengths.k}).
 *
 * <pre>
 *   java -cp jmh/target/benchmarks.jar dev.recur.bench.CtcSpeedBench \
 *       --fsdd ../shared/data/speech/fsdd --batches jmh/target/ctc-batches.safetensors \
 *       [--count 8] [--batch 32] [--hidden 128] [--threads 1] [--steps 20] [--warmup 5]
 *   /usr/bin/python3 jmh/pytorch/bench_ctc.py --batches jmh/target/ctc-batches.safetensors [same sizes]
 * </pre>
 * Without {@code --fsdd} the batches are random features of the same shapes (for a quick check).
 * Model: frames (13 MFCCs × 3 stacked = 39) → bidirectional LSTM(H) → Linear(2H → 11) at every
 * frame → CTC (blank 0, mean); Adam lr 1e-3; clip_grad_norm 5. One step = zero_grad, forward,
 * backward, clipping, Adam.
 */
public final class CtcSpeedBench {
    private CtcSpeedBench() {}

    public static void main(String[] args) throws IOException {
        Path fsdd = null, file = Path.of("jmh", "target", "ctc-batches.safetensors");
        int count = 8, b = 32, hidden = 128, threads = 1, steps = 20, warmup = 5;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--fsdd" -> fsdd = Path.of(v);
                case "--batches" -> file = Path.of(v);
                case "--count" -> count = Integer.parseInt(v);
                case "--batch" -> b = Integer.parseInt(v);
                case "--hidden" -> hidden = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        StackedFeatures features = new StackedFeatures(FeatureConfig.defaults(FeatureConfig.Kind.MFCC), 3);
        writeBatches(fsdd, file, features, count, b);
        SafeTensors st = SafeTensors.read(file);
        int f = features.width(), maxT = 0;
        for (int k = 0; k < count; k++) maxT = Math.max(maxT, (int) st.info("frames." + k).shape()[0]);
        Batch[] batches = new Batch[count];
        for (int k = 0; k < count; k++) {
            int t = (int) st.info("frames." + k).shape()[0];
            Batch one = Batch.ofFrames(t, b, f).reset(t, b);
            System.arraycopy(st.floats("frames." + k), 0, one.frames(), 0, t * b * f);
            float[] lens = st.floats("lengths." + k), tl = st.floats("target_lengths." + k), y = st.floats("targets." + k);
            for (int j = 0, off = 0; j < b; off += (int) tl[j], j++) {
                one.lengths()[j] = (int) lens[j];
                int[] labels = new int[(int) tl[j]];
                for (int q = 0; q < labels.length; q++) labels[q] = (int) y[off + q];
                one.setLabels(j, labels);
            }
            batches[k] = one;
        }
        Engine.setThreads(threads);
        AcousticConfig cfg = new AcousticConfig(f, CellType.LSTM, hidden, 1, true, 0f, 0f, 0f, 11, "lstm");
        try (CtcAcousticModel model = new CtcAcousticModel(cfg, 1, maxT, b, ConnectedDigits.MAX_DIGITS);
             Adam opt = new Adam(model.parameters(), 1e-3)) {
            model.train(true);
            for (int i = 0; i < warmup * count; i++) step(model, opt, batches[i % count]);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps * count; i++) step(model, opt, batches[i % count]);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "recur: BiLSTM(%d) + CTC, batch %d, %d batches × %d passes, %d thread(s): %.1f utterances/s%n",
                    hidden, b, count, steps, threads, steps * count * (double) b / s);
        }
    }

    private static void step(CtcAcousticModel model, Adam opt, Batch batch) {
        model.zeroGrad();
        model.forward(batch);
        model.backward();
        GradientClipping.clipGradNorm(model.parameters(), 5f);
        opt.step();
    }

    /** {@code count} batches of {@code b} utterances (FSDD connected digits, or random features), each sorted by length. */
    private static void writeBatches(Path fsdd, Path file, StackedFeatures features, int count, int b) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter();
        w.metadata("what", "connected-digit CTC feature batches for jmh/pytorch/bench_ctc.py");
        w.metadata("source", fsdd == null ? "random" : "fsdd");
        SplittableRandom rng = new SplittableRandom(42);
        List<ConnectedDigits.Recording> pool = fsdd == null ? null : ConnectedDigits.load(fsdd).officialSplit(false);
        int f = features.width();
        for (int k = 0; k < count; k++) {
            List<Features> frames = new ArrayList<>();
            List<int[]> labels = new ArrayList<>();
            for (int j = 0; j < b; j++) {
                if (pool != null) {
                    ConnectedDigits.Utterance u = ConnectedDigits.generate(pool, 42, k * b + j, 0.002f);
                    frames.add(features.of(u.samples(), "utterance"));
                    int[] y = u.digits().clone();
                    for (int q = 0; q < y.length; q++) y[q] += 1;
                    labels.add(y);
                } else {
                    int n = 1 + rng.nextInt(ConnectedDigits.MAX_DIGITS), t = 20 + n * 18 + rng.nextInt(20);
                    float[] v = new float[t * f];
                    for (int q = 0; q < v.length; q++) v[q] = (float) rng.nextGaussian();
                    frames.add(new Features(t, f, v));
                    int[] y = new int[n];
                    for (int q = 0; q < n; q++) y[q] = 1 + rng.nextInt(10);
                    labels.add(y);
                }
            }
            Integer[] order = new Integer[b];
            for (int j = 0; j < b; j++) order[j] = j;
            Arrays.sort(order, Comparator.comparingInt((Integer j) -> -frames.get(j).frames()));
            int t = frames.get(order[0]).frames();
            float[] x = new float[t * b * f], lens = new float[b], tl = new float[b];
            List<Float> ys = new ArrayList<>();
            for (int j = 0; j < b; j++) {
                Features fr = frames.get(order[j]);
                for (int s = 0; s < fr.frames(); s++) System.arraycopy(fr.values(), s * f, x, (s * b + j) * f, f);
                lens[j] = fr.frames();
                int[] y = labels.get(order[j]);
                tl[j] = y.length;
                for (int q : y) ys.add((float) q);
            }
            float[] yv = new float[ys.size()];
            for (int q = 0; q < yv.length; q++) yv[q] = ys.get(q);
            w.putFloats("frames." + k, new long[] {t, b, f}, x);
            w.putFloats("lengths." + k, new long[] {b}, lens);
            w.putFloats("targets." + k, new long[] {yv.length}, yv);
            w.putFloats("target_lengths." + k, new long[] {b}, tl);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        w.write(file);
    }
}
