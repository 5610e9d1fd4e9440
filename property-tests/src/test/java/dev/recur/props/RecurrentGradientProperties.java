package dev.recur.props;

import dev.recur.engine.Engine;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.Pooling;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.model.SequenceTagger;
import dev.recur.layers.model.TaggerConfig;
import dev.recur.layers.model.SequenceModel;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
import dev.recur.props.reference.FiniteDifferences;
import dev.recur.props.reference.RefCell;
import dev.recur.props.reference.RefEmbedding;
import dev.recur.props.reference.RefHeads;
import dev.recur.props.reference.RefLinear;
import dev.recur.props.reference.RefParam;
import dev.recur.props.reference.RefPooling;
import dev.recur.props.reference.RefRecurrent;
import dev.recur.props.reference.RefTensors;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Recur's recurrent layers and models against the double-precision reference
 * ({@code dev.recur.props.reference}), on generated small configurations:
 *
 * <ul>
 *   <li>the float forward equals the reference's forward (outputs, final states, loss);</li>
 *   <li>Recur's analytic gradient of every parameter, of the input and of the initial state equals
 *       centred finite differences of the reference's loss, computed in double;</li>
 *   <li>truncated BPTT with window k accumulates the reference's gradient with the carried state
 *       detached at every window boundary.</li>
 * </ul>
 *
 * Every parameter shrinks on its own (cell towards RNN_TANH, sizes towards 1, one layer, one
 * direction, short and few sequences), so a failure reports a small case. Values come from a
 * seeded generator; the seed is a parameter too.
 *
 * <p>Tolerances: Recur computes in float32, so its results carry a relative rounding error of a few
 * 1e-7 per operation; {@link #FWD_TOL} and {@link #GRAD_TOL} bound the difference relative to
 * {@code max(1, |reference|)}. The finite differences themselves are accurate to ~1e-9 in double.
 * Relu pre-activations and max-pooling ties within 1e-3 of the kink are excluded (there the
 * derivative is not defined and float and double may take different branches).
 */
class RecurrentGradientProperties {

    static final double FWD_TOL = 1e-5;
    static final double GRAD_TOL = 2e-5;
    static final double KINK_MARGIN = 1e-3;

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<CellType> cells() {
        return Arbitraries.of(CellType.RNN_TANH, CellType.RNN_RELU, CellType.GRU, CellType.LSTM);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs().between(0, 1_000_000);
    }

    static RefCell refCell(CellType c) {
        return switch (c) {
            case RNN_TANH -> RefCell.RNN_TANH;
            case RNN_RELU -> RefCell.RNN_RELU;
            case LSTM -> RefCell.LSTM;
            case GRU -> RefCell.GRU;
        };
    }

    /** Uniform values in (−scale, scale), rounded to float (so Recur and the reference see the same numbers). */
    static double[] randomFloats(SplittableRandom rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        return v;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    static double[] toDouble(float[] f) {
        return RefTensors.toDouble(f);
    }

    static int[] sortedDescending(List<Integer> lengths) {
        return lengths.stream().sorted((a, b) -> Integer.compare(b, a)).mapToInt(Integer::intValue).toArray();
    }

    /** Gives every reference parameter float-rounded random values (PyTorch-like scale 1/√H, at least 0.5). */
    static void randomise(List<RefParam> params, SplittableRandom rng, int hidden) {
        double scale = Math.max(0.5, 1.0 / Math.sqrt(hidden)) * 1.5;
        for (RefParam p : params) {
            double[] v = randomFloats(rng, p.size(), scale);
            System.arraycopy(v, 0, p.data(), 0, v.length);
        }
    }

    // ------------------------------------------------------------------ (a) + (b): the recurrent layer

    /**
     * One recurrent layer stack (any cell, 1–2 layers, 1–2 directions concatenated or summed,
     * ragged lengths including 0, optional initial state): forward equals the reference; the
     * gradients of L = Σ output·A + Σ h_n·B (+ Σ c_n·C) w.r.t. every parameter, the input and the
     * initial state equal finite differences on the reference.
     */
    @Property(tries = 100)
    void layerForwardAndGradientsMatchReference(
            @ForAll("cells") CellType cell,
            @ForAll @IntRange(min = 1, max = 2) int layers,
            @ForAll boolean bidirectional,
            @ForAll boolean sumDirections,
            @ForAll @IntRange(min = 1, max = 5) int inputSize,
            @ForAll @IntRange(min = 1, max = 5) int hidden,
            @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 0, max = 5) Integer> lengthList,
            @ForAll @IntRange(min = 0, max = 1) int padding,
            @ForAll boolean initialState,
            @ForAll("seeds") long seed) {
        int[] lengths = sortedDescending(lengthList);
        int batch = lengths.length;
        int steps = Math.max(lengths[0], 1) + padding;
        SplittableRandom rng = new SplittableRandom(seed);
        RefRecurrent ref = new RefRecurrent(refCell(cell), inputSize, hidden, layers, bidirectional, sumDirections);
        randomise(ref.parameters(), rng, hidden);
        int states = layers * ref.directions();
        int outW = ref.outputSize();
        boolean lstm = cell.hasCellState();
        double[] x = randomFloats(rng, steps * batch * inputSize, 1.5);
        double[] h0 = initialState ? randomFloats(rng, states * batch * hidden, 0.8) : null;
        double[] c0 = initialState && lstm ? randomFloats(rng, states * batch * hidden, 0.8) : null;
        double[][][] gOut = RefTensors.nest(randomFloats(rng, steps * batch * outW, 1), steps, batch, outW);
        double[][][] gH = RefTensors.nest(randomFloats(rng, states * batch * hidden, 1), states, batch, hidden);
        double[][][] gC = lstm ? RefTensors.nest(randomFloats(rng, states * batch * hidden, 1), states, batch, hidden) : null;

        DoubleSupplier forwardLoss = () -> {
            RefRecurrent.Result r = ref.forward(RefTensors.nest(x, steps, batch, inputSize), lengths,
                    h0 == null ? null : RefTensors.nest(h0, states, batch, hidden),
                    c0 == null ? null : RefTensors.nest(c0, states, batch, hidden));
            double l = RefTensors.dot(r.output(), gOut) + RefTensors.dot(r.hN(), gH);
            return gC == null ? l : l + RefTensors.dot(r.cN(), gC);
        };
        RefRecurrent.Result expected = ref.forward(RefTensors.nest(x, steps, batch, inputSize), lengths,
                h0 == null ? null : RefTensors.nest(h0, states, batch, hidden),
                c0 == null ? null : RefTensors.nest(c0, states, batch, hidden));
        Assume.that(expected.reluMargin() > KINK_MARGIN);

        String where = cell + " layers=" + layers + (bidirectional ? (sumDirections ? " bidirectional(sum)" : " bidirectional") : "")
                + " F=" + inputSize + " H=" + hidden + " T=" + steps + " lengths=" + java.util.Arrays.toString(lengths)
                + (initialState ? " h0" : "") + ": ";
        RecurrentConfig cfg = RecurrentConfig.of(cell, inputSize, hidden).withLayers(layers);
        if (bidirectional) cfg = cfg.withBidirectional(sumDirections ? DirectionMerge.SUM : DirectionMerge.CONCAT);
        try (Arena arena = Arena.ofConfined();
             RecurrentLayer layer = new RecurrentLayer("", cfg, steps, batch)) {
            for (Parameter p : layer.parameters()) p.value().copyFrom(toFloat(ref.param(p.name()).data()));
            layer.zeroGrad();
            FloatMatrix xm = FloatMatrix.of(arena, steps * batch, inputSize, toFloat(x));
            FloatMatrix h0m = h0 == null ? null : FloatMatrix.of(arena, states * batch, hidden, toFloat(h0));
            FloatMatrix c0m = c0 == null ? null : FloatMatrix.of(arena, states * batch, hidden, toFloat(c0));
            FloatMatrix out = layer.forward(xm, batch, lengths, h0m, c0m, true);
            Tolerance.assertClose(where + "output", RefTensors.flat(expected.output()), toDouble(out.toArray()), FWD_TOL);
            Tolerance.assertClose(where + "h_n", RefTensors.flat(expected.hN()), toDouble(layer.finalHidden().toArray()), FWD_TOL);
            if (lstm) Tolerance.assertClose(where + "c_n", RefTensors.flat(expected.cN()), toDouble(layer.finalCell().toArray()), FWD_TOL);

            FloatMatrix dx = layer.backward(
                    FloatMatrix.of(arena, steps * batch, outW, toFloat(RefTensors.flat(gOut))),
                    FloatMatrix.of(arena, states * batch, hidden, toFloat(RefTensors.flat(gH))),
                    lstm ? FloatMatrix.of(arena, states * batch, hidden, toFloat(RefTensors.flat(gC))) : null);
            for (Parameter p : layer.parameters()) {
                Tolerance.assertClose(where + "grad." + p.name(), FiniteDifferences.gradient(forwardLoss, ref.param(p.name()).data()),
                        toDouble(p.grad().toArray()), GRAD_TOL);
            }
            Tolerance.assertClose(where + "grad.input", FiniteDifferences.gradient(forwardLoss, x), toDouble(dx.toArray()), GRAD_TOL);
            if (h0 != null) {
                Tolerance.assertClose(where + "grad.h0", FiniteDifferences.gradient(forwardLoss, h0),
                        toDouble(layer.gradInitialHidden().toArray()), GRAD_TOL);
            }
            if (c0 != null) {
                Tolerance.assertClose(where + "grad.c0", FiniteDifferences.gradient(forwardLoss, c0),
                        toDouble(layer.gradInitialCell().toArray()), GRAD_TOL);
            }
        }
    }

    /**
     * The thread count changes no bit (issue 9.2): one thread and two threads give identical
     * outputs, final states, input, initial-state and parameter gradients, over two training steps
     * (the first runs the batch-parallel split of the recurrence, the second the per-step split, as
     * the scheduler samples both) and an inference forward — ragged lengths, bidirectional, stacked
     * with inter-layer dropout, gradients in through outputs and final states.
     */
    @Property(tries = 40)
    void threadsChangeNoBit(
            @ForAll("cells") CellType cell,
            @ForAll @IntRange(min = 1, max = 2) int layers,
            @ForAll boolean bidirectional,
            @ForAll boolean sumDirections,
            @ForAll boolean dropout,
            @ForAll @IntRange(min = 1, max = 8) int inputSize,
            @ForAll @IntRange(min = 1, max = 20) int hidden,
            @ForAll @Size(min = 1, max = 24) List<@IntRange(min = 0, max = 9) Integer> lengthList,
            @ForAll("seeds") long seed) {
        int[] lengths = sortedDescending(lengthList);
        RecurrentConfig cfg = RecurrentConfig.of(cell, inputSize, hidden).withLayers(layers).withSeed(seed);
        if (bidirectional) cfg = cfg.withBidirectional(sumDirections ? DirectionMerge.SUM : DirectionMerge.CONCAT);
        if (dropout) cfg = cfg.withDropout(0.3f);
        int old = Engine.threads();
        try {
            Engine.setThreads(1);
            List<float[]> one = trainTwice(cfg, lengths, seed);
            Engine.setThreads(2);
            List<float[]> two = trainTwice(cfg, lengths, seed);
            for (int i = 0; i < one.size(); i++) {
                if (!java.util.Arrays.equals(one.get(i), two.get(i))) {
                    throw new AssertionError(cfg + " lengths=" + java.util.Arrays.toString(lengths)
                            + ": result " + i + " differs between 1 and 2 threads");
                }
            }
        } finally {
            Engine.setThreads(old);
        }
    }

    /** Two training steps and an inference forward on one layer; every number they produce. */
    private static List<float[]> trainTwice(RecurrentConfig cfg, int[] lengths, long seed) {
        int batch = lengths.length, steps = Math.max(1, lengths[0]);
        int states = cfg.numLayers() * cfg.directions() * batch, h = cfg.hiddenSize();
        boolean lstm = cfg.cell().hasCellState();
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> all = new ArrayList<>();
        try (Arena arena = Arena.ofShared(); RecurrentLayer layer = new RecurrentLayer("", cfg, steps, batch)) {
            FloatMatrix x = FloatMatrix.of(arena, steps * batch, cfg.inputSize(), toFloat(randomFloats(rng, steps * batch * cfg.inputSize(), 1.5)));
            FloatMatrix gOut = FloatMatrix.of(arena, steps * batch, cfg.outputSize(), toFloat(randomFloats(rng, steps * batch * cfg.outputSize(), 1)));
            FloatMatrix gH = FloatMatrix.of(arena, states, h, toFloat(randomFloats(rng, states * h, 1)));
            FloatMatrix gC = lstm ? FloatMatrix.of(arena, states, h, toFloat(randomFloats(rng, states * h, 1))) : null;
            for (int k = 0; k < 2; k++) {
                layer.zeroGrad();
                all.add(layer.forward(x, batch, lengths, null, null, true).toArray());
                all.add(layer.finalHidden().toArray());
                if (lstm) all.add(layer.finalCell().toArray());
                all.add(layer.backward(gOut, gH, gC).toArray());
                all.add(layer.gradInitialHidden().toArray());
                for (Parameter p : layer.parameters()) all.add(p.grad().toArray());
            }
            all.add(layer.forward(x, batch, lengths, null, null, false).toArray());
        }
        return all;
    }

    /**
     * Masking: what the padded steps hold — in the input and in the upstream output gradient —
     * never changes outputs, final states or any gradient. Two runs that differ only there give
     * bit-identical results.
     */
    @Property(tries = 60)
    void paddingContentChangesNothing(
            @ForAll("cells") CellType cell,
            @ForAll @IntRange(min = 1, max = 2) int layers,
            @ForAll boolean bidirectional,
            @ForAll @IntRange(min = 1, max = 4) int inputSize,
            @ForAll @IntRange(min = 1, max = 4) int hidden,
            @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 0, max = 4) Integer> lengthList,
            @ForAll @IntRange(min = 1, max = 2) int padding,
            @ForAll("seeds") long seed) {
        int[] lengths = sortedDescending(lengthList);
        int batch = lengths.length;
        int steps = lengths[0] + padding;
        RecurrentConfig cfg = RecurrentConfig.of(cell, inputSize, hidden).withLayers(layers);
        if (bidirectional) cfg = cfg.withBidirectional(DirectionMerge.CONCAT);
        int outW = cfg.outputSize();
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = randomFloats(rng, steps * batch * inputSize, 1.5);
        double[] gOut = randomFloats(rng, steps * batch * outW, 1);
        float[][] runA = runWithPadding(cfg, seed, steps, batch, lengths, x, gOut, new SplittableRandom(seed ^ 1));
        float[][] runB = runWithPadding(cfg, seed, steps, batch, lengths, x, gOut, new SplittableRandom(seed ^ 2));
        String[] what = {"output", "h_n", "input gradient", "parameter gradients"};
        for (int i = 0; i < what.length; i++) {
            if (!java.util.Arrays.equals(runA[i], runB[i])) {
                throw new AssertionError(cell + " layers=" + layers + (bidirectional ? " bidirectional" : "") + " lengths="
                        + java.util.Arrays.toString(lengths) + " T=" + steps + ": the " + what[i]
                        + " changed when only the padded steps' content changed");
            }
        }
    }

    /** Runs forward and backward with the padded rows of the input and of the output gradient filled from {@code junk}. */
    private static float[][] runWithPadding(RecurrentConfig cfg, long seed, int steps, int batch, int[] lengths,
                                            double[] x, double[] gOut, SplittableRandom junk) {
        int in = cfg.inputSize(), outW = cfg.outputSize();
        float[] xf = toFloat(x), gf = toFloat(gOut);
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                if (t < lengths[b]) continue;
                for (int j = 0; j < in; j++) xf[(t * batch + b) * in + j] = (float) (junk.nextDouble() * 200 - 100);
                for (int j = 0; j < outW; j++) gf[(t * batch + b) * outW + j] = (float) (junk.nextDouble() * 200 - 100);
            }
        }
        try (Arena arena = Arena.ofConfined();
             RecurrentLayer layer = new RecurrentLayer("", cfg.withSeed(seed), steps, batch)) {
            layer.zeroGrad();
            FloatMatrix out = layer.forward(FloatMatrix.of(arena, steps * batch, in, xf), batch, lengths, null, null, true);
            float[] o = out.toArray();
            float[] h = layer.finalHidden().toArray();
            float[] dx = layer.backward(FloatMatrix.of(arena, steps * batch, outW, gf), null, null).toArray();
            List<Float> grads = new ArrayList<>();
            for (Parameter p : layer.parameters()) for (float v : p.grad().toArray()) grads.add(v);
            float[] g = new float[grads.size()];
            for (int i = 0; i < g.length; i++) g[i] = grads.get(i);
            return new float[][] {o, h, dx, g};
        }
    }

    // ------------------------------------------------------------------ models: pooling and losses

    /** The heads a generated model can have. */
    enum Head { BCE, SOFTMAX_CE, TAGGING_CE }

    /**
     * A whole model — Embedding → recurrent stack → pooling (last, mean, max) → Linear → BCE with
     * logits or softmax cross-entropy, or per-step Linear → cross-entropy with ignored targets — on
     * an unsorted batch: the loss equals the reference's, and every parameter's gradient (embedding
     * included) equals finite differences on the reference.
     */
    @Property(tries = 80)
    void modelLossAndGradientsMatchReference(
            @ForAll("cells") CellType cell,
            @ForAll @IntRange(min = 1, max = 2) int layers,
            @ForAll boolean bidirectional,
            @ForAll @IntRange(min = 1, max = 4) int embedDim,
            @ForAll @IntRange(min = 1, max = 4) int hidden,
            @ForAll Pooling pooling,
            @ForAll Head head,
            @ForAll @IntRange(min = 2, max = 3) int classes,
            @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 1, max = 5) Integer> lengthList,
            @ForAll("seeds") long seed) {
        int vocab = 5;
        int[] lengths = lengthList.stream().mapToInt(Integer::intValue).toArray(); // unsorted: the model sorts
        int batch = lengths.length;
        int steps = java.util.Arrays.stream(lengths).max().orElseThrow();
        int outputs = head == Head.BCE ? 1 : classes;
        SplittableRandom rng = new SplittableRandom(seed);

        RefEmbedding emb = new RefEmbedding("embedding.", vocab, embedDim);
        RefRecurrent rnn = new RefRecurrent(refCell(cell), embedDim, hidden, layers, bidirectional);
        RefLinear fc = new RefLinear("fc.", rnn.outputSize(), outputs);
        List<RefParam> all = new ArrayList<>();
        all.add(emb.weight);
        for (RefParam p : rnn.parameters()) all.add(new RefParam("rnn." + p.name(), p.shape(), p.data()));
        all.add(fc.weight);
        all.add(fc.bias);
        randomise(all, rng, hidden);
        java.util.Arrays.fill(emb.weight.data(), 0, embedDim, 0.0); // row 0 is the padding index

        Batch data = new Batch(steps, batch).reset(steps, batch);
        int[][] ids = new int[steps][batch];
        int[][] tags = new int[steps][batch];
        int[] labels = new int[batch];
        System.arraycopy(lengths, 0, data.lengths(), 0, batch);
        for (int b = 0; b < batch; b++) {
            labels[b] = rng.nextInt(outputs == 1 ? 2 : outputs);
            data.labels()[b] = labels[b];
            for (int t = 0; t < steps; t++) {
                ids[t][b] = t < lengths[b] ? 1 + rng.nextInt(vocab - 1) : 0;
                tags[t][b] = t < lengths[b] && rng.nextInt(5) > 0 ? rng.nextInt(classes) : Batch.IGNORE;
                data.setToken(t, b, ids[t][b]);
                data.setTarget(t, b, tags[t][b]);
            }
        }
        double[] binary = java.util.Arrays.stream(labels).asDoubleStream().toArray();
        RefPooling refPool = RefPooling.valueOf(pooling.name());
        DoubleSupplier loss = () -> {
            double[][][] y = rnn.forward(emb.apply(ids), lengths, null, null).output();
            return switch (head) {
                case BCE -> RefHeads.classifierBce(y, lengths, rnn.directions(), refPool, fc, binary);
                case SOFTMAX_CE -> RefHeads.classifierCe(y, lengths, rnn.directions(), refPool, fc, labels);
                case TAGGING_CE -> RefHeads.labeler(y, lengths, fc, tags, Batch.IGNORE);
            };
        };
        RefRecurrent.Result r = rnn.forward(emb.apply(ids), lengths, null, null);
        Assume.that(r.reluMargin() > KINK_MARGIN);
        Assume.that(head == Head.TAGGING_CE || refPool.tieMargin(r.output(), lengths) > KINK_MARGIN);

        String where = head + " " + pooling + " " + cell + " layers=" + layers + (bidirectional ? " bidirectional" : "")
                + " E=" + embedDim + " H=" + hidden + " lengths=" + java.util.Arrays.toString(lengths) + ": ";
        ModelConfig cfg = new ModelConfig(cell, vocab, embedDim, hidden, layers, bidirectional, pooling, 0f, 0f,
                outputs, 0, false, false);
        try (SequenceModel model = head == Head.TAGGING_CE
                ? new SequenceTagger(new TaggerConfig(List.of(new TaggerConfig.Feature("embedding", vocab, embedDim, 0)), cell,
                        hidden, layers, bidirectional, 0f, 0f, 0f, outputs, "rnn"), seed, steps, batch)
                : new SequenceClassifier(cfg, seed, steps, batch)) {
            for (Parameter p : model.parameters()) p.value().copyFrom(toFloat(find(all, p.name()).data()));
            model.zeroGrad();
            model.train(true);
            float recurLoss = model.forward(data);
            model.backward();
            Tolerance.assertClose(where + "loss", new double[] {loss.getAsDouble()}, new double[] {recurLoss}, FWD_TOL);
            for (Parameter p : model.parameters()) {
                Tolerance.assertClose(where + "grad." + p.name(), FiniteDifferences.gradient(loss, find(all, p.name()).data()),
                        toDouble(p.grad().toArray()), GRAD_TOL);
            }
        }
    }

    private static RefParam find(List<RefParam> params, String name) {
        for (RefParam p : params) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("the reference has no parameter " + name);
    }

    // ------------------------------------------------------------------ (c) truncated BPTT

    /**
     * Truncated BPTT with window k over a unidirectional stack: the gradient accumulated over the
     * windows equals Σ_w ∂L_w/∂θ on the reference, where L_w = Σ output_w·A_w and window w starts
     * from the state carried out of window w−1, held constant (detached).
     */
    @Property(tries = 80)
    void truncatedBpttMatchesDetachedReference(
            @ForAll("cells") CellType cell,
            @ForAll @IntRange(min = 1, max = 2) int layers,
            @ForAll @IntRange(min = 1, max = 4) int inputSize,
            @ForAll @IntRange(min = 1, max = 4) int hidden,
            @ForAll @IntRange(min = 1, max = 3) int window,
            @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 0, max = 7) Integer> lengthList,
            @ForAll boolean initialState,
            @ForAll("seeds") long seed) {
        int[] lengths = sortedDescending(lengthList);
        int batch = lengths.length;
        int steps = Math.max(lengths[0], 1);
        SplittableRandom rng = new SplittableRandom(seed);
        RefRecurrent ref = new RefRecurrent(refCell(cell), inputSize, hidden, layers, false);
        randomise(ref.parameters(), rng, hidden);
        int states = layers;
        boolean lstm = cell.hasCellState();
        double[] x = randomFloats(rng, steps * batch * inputSize, 1.5);
        double[][][] xs = RefTensors.nest(x, steps, batch, inputSize);
        double[] gOutFlat = randomFloats(rng, steps * batch * hidden, 1);
        double[][][] gOut = RefTensors.nest(gOutFlat, steps, batch, hidden);
        double[][][] h0 = initialState ? RefTensors.nest(randomFloats(rng, states * batch * hidden, 0.8), states, batch, hidden) : null;
        double[][][] c0 = initialState && lstm ? RefTensors.nest(randomFloats(rng, states * batch * hidden, 0.8), states, batch, hidden) : null;

        // The state entering each window, computed once with the unperturbed parameters: constants.
        int windows = (steps + window - 1) / window;
        double[][][][] hIn = new double[windows][][][];
        double[][][][] cIn = new double[windows][][][];
        double margin = Double.POSITIVE_INFINITY;
        double[][][] h = h0, c = c0;
        for (int w = 0; w < windows; w++) {
            hIn[w] = h;
            cIn[w] = c;
            RefRecurrent.Result r = ref.forward(xs, lengths, w * window, Math.min(steps, (w + 1) * window), h, c);
            margin = Math.min(margin, r.reluMargin());
            h = r.hN();
            c = r.cN();
        }
        Assume.that(margin > KINK_MARGIN);
        DoubleSupplier truncatedLoss = () -> {
            double total = 0;
            for (int w = 0; w < windows; w++) {
                int t0 = w * window, t1 = Math.min(steps, t0 + window);
                double[][][] y = ref.forward(xs, lengths, t0, t1, hIn[w], cIn[w]).output();
                for (int t = t0; t < t1; t++)
                    for (int b = 0; b < batch; b++)
                        for (int j = 0; j < hidden; j++) total += y[t - t0][b][j] * gOut[t][b][j];
            }
            return total;
        };

        String where = "TBPTT window=" + window + " " + cell + " layers=" + layers + " F=" + inputSize + " H=" + hidden
                + " T=" + steps + " lengths=" + java.util.Arrays.toString(lengths) + (initialState ? " h0" : "") + ": ";
        RecurrentConfig cfg = RecurrentConfig.of(cell, inputSize, hidden).withLayers(layers);
        try (Arena arena = Arena.ofConfined();
             RecurrentLayer layer = new RecurrentLayer("", cfg, window, batch)) {
            for (Parameter p : layer.parameters()) p.value().copyFrom(toFloat(ref.param(p.name()).data()));
            layer.zeroGrad();
            FloatMatrix gOutM = FloatMatrix.of(arena, steps * batch, hidden, toFloat(gOutFlat));
            // the stateful layer carries the detached state from window to window
            layer.setStateful(true);
            if (h0 != null) {
                layer.setCarriedState(FloatMatrix.of(arena, states * batch, hidden, toFloat(RefTensors.flat(h0))),
                        c0 == null ? null : FloatMatrix.of(arena, states * batch, hidden, toFloat(RefTensors.flat(c0))));
            }
            FloatMatrix xM = FloatMatrix.of(arena, steps * batch, inputSize, toFloat(x));
            int[] windowLengths = new int[batch];
            for (int t0 = 0; t0 < steps; t0 += window) {
                int n = Math.min(window, steps - t0);
                for (int b = 0; b < batch; b++) windowLengths[b] = Math.max(0, Math.min(n, lengths[b] - t0));
                layer.forward(xM.rowRange(t0 * batch, n * batch), batch, windowLengths, null, null, true);
                layer.backward(gOutM.rowRange(t0 * batch, n * batch), null, null);
            }
            Tolerance.assertClose(where + "final h after all windows", RefTensors.flat(h), toDouble(layer.finalHidden().toArray()), FWD_TOL);
            for (Parameter p : layer.parameters()) {
                Tolerance.assertClose(where + "grad." + p.name(), FiniteDifferences.gradient(truncatedLoss, ref.param(p.name()).data()),
                        toDouble(p.grad().toArray()), GRAD_TOL);
            }
        }
    }
}
