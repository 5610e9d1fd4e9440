package dev.recur.layers.forecast;

import dev.recur.engine.FloatMatrix;
import dev.recur.engine.VectorOps;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Dropout;
import dev.recur.layers.Init;
import dev.recur.layers.Linear;
import dev.recur.layers.Parameter;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.RowViews;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SegRNN (Lin et al. 2023, arXiv:2308.11200), the authors' {@code Model} with {@code dec_way='pmf'},
 * channel-independent: every sequence is one channel of one window, sequence {@code s} belonging to
 * channel {@code s mod C}.
 * <pre>
 *   [RevIN]  x (L per sequence) → N = L/w segments of w → valueEmbedding: Linear(w → d) + ReLU
 *   encoder  rnn = GRU(d, d) over the N segments → h_N
 *   decoder  for each of the M = H/w horizon segments m, in parallel (a batch of S·M):
 *            input [pos_emb[m] (d/2), channel_emb[c] (d/2)], h0 = h_N → ONE step of the same rnn
 *            ({@link SegmentDecoder}: its GEMMs on the M·C distinct inputs and S distinct states)
 *            → predict: Dropout → Linear(d → w) → segment m of the forecast   [RevIN⁻¹]
 * </pre>
 * Parameters, in the reference's {@code named_parameters()} order: {@code pos_emb} (M × d/2),
 * {@code channel_emb} (C × d/2), {@code valueEmbedding.0.weight/bias}, {@code rnn.*},
 * {@code predict.1.weight/bias}
 * (RevIN without affine parameters, as the reference's {@code RevIN(enc_in, affine=False)}).
 * Input {@code L·S × 1} and output {@code H·S × 1}, time-major.
 */
public final class SegmentForecaster implements ForecastModel {
    private final ForecastConfig cfg;
    private final int maxSeq, steps, horizon, w, segsIn, segsOut, d, half, channels;
    private final Arena arena = Arena.ofShared();
    private final ForecastEnds ends;
    private final Linear embed, predict;
    private final RecurrentStack rnn;
    private final SegmentDecoder decoder;
    private final Parameter posEmb, channelEmb;
    private final Dropout dropout;
    private final List<Parameter> parameters;
    private final BatchOrder order;
    private final int[] lengths;
    private final RowViews segIn, emb, dEmb, hn, dHn, dEnc, hy, hyDrop, dHy, dHyDrop, yseg, dYseg, pred;

    private FloatMatrix segInV, embV, hyV, hyDropV;
    private int seq;

    public SegmentForecaster(ForecastConfig config, long seed, int maxSequences) {
        if (config.architecture() != ForecastConfig.Architecture.SEGMENT) throw new IllegalArgumentException("not a SegRNN: " + config);
        cfg = config;
        maxSeq = maxSequences;
        steps = config.lookback();
        horizon = config.horizon();
        w = config.segment();
        segsIn = steps / w;
        segsOut = horizon / w;
        d = config.hidden();
        half = d / 2;
        channels = config.channels();
        SplittableRandom rng = new SplittableRandom(seed);
        ends = new ForecastEnds(arena, ForecastEnds.normalisation(config.norm(), arena, "revinLayer", 1, false), config.lossFunction(),
                "SegRNN input", maxSeq, steps, 1, horizon, 1);
        embed = new Linear(arena, "valueEmbedding.0", w, d, rng);
        rnn = new RecurrentStack("rnn", RecurrentConfig.of(CellType.GRU, d, d).withSeed(rng.nextLong()), segsIn, maxSeq);
        List<Parameter> g = rnn.parameters();
        posEmb = new Parameter("pos_emb", FloatMatrix.allocate(arena, segsOut, half), FloatMatrix.allocate(arena, segsOut, half));
        channelEmb = new Parameter("channel_emb", FloatMatrix.allocate(arena, channels, half), FloatMatrix.allocate(arena, channels, half));
        decoder = new SegmentDecoder(arena, g.get(0), g.get(1), g.get(2), g.get(3), posEmb, channelEmb, maxSeq);
        Init.normal(posEmb.value(), 1f, rng);
        Init.normal(channelEmb.value(), 1f, rng);
        dropout = new Dropout(arena, config.dropout(), rng.nextLong());
        predict = new Linear(arena, "predict.1", d, w, rng);
        List<Parameter> ps = new ArrayList<>(List.of(posEmb, channelEmb));   // a module's own parameters come first in PyTorch
        ps.addAll(embed.parameters());
        ps.addAll(g);
        ps.addAll(predict.parameters());
        parameters = List.copyOf(ps);
        order = new BatchOrder(maxSeq);
        lengths = new int[maxSeq];
        Arrays.fill(lengths, segsIn);
        int dec = maxSeq * segsOut;
        segIn = views(segsIn * maxSeq, w);
        emb = views(segsIn * maxSeq, d);
        dEmb = views(segsIn * maxSeq, d);
        dEnc = views(segsIn * maxSeq, d);
        hn = views(maxSeq, d);
        dHn = views(maxSeq, d);
        hy = views(dec, d);
        hyDrop = views(dec, d);
        dHy = views(dec, d);
        dHyDrop = views(dec, d);
        yseg = views(dec, w);
        dYseg = views(dec, w);
        pred = views(horizon * maxSeq, 1);
    }

    private RowViews views(int rows, int cols) { return new RowViews(FloatMatrix.allocate(arena, rows, cols)); }

    @Override
    public ForecastConfig config() { return cfg; }

    @Override
    public int maxBatch() { return maxSeq; }

    @Override
    public List<Parameter> parameters() { return parameters; }

    /** The head dropout (its call counter is the state to resume). */
    public Dropout dropout() { return dropout; }

    @Override
    public float forward(FloatMatrix x, FloatMatrix target, int s, boolean training) {
        FloatMatrix xn = ends.begin(x, target, s);
        seq = s;
        boolean train = training && target != null;
        segInV = segIn.first(segsIn * s);
        for (int n = 0; n < segsIn; n++) {
            for (int j = 0; j < w; j++) {
                int t = n * w + j;
                for (int b = 0; b < s; b++) segInV.set(n * s + b, j, xn.get(t * s + b, 0));
            }
        }
        embV = emb.first(segsIn * s);
        embed.forward(segInV, embV);
        relu(embV);
        order.sort(lengths, s);
        FloatMatrix h = rnn.forward(embV, order, train);
        FloatMatrix hnV = hn.first(s);
        Rows.lastStep(h, segsIn, s, hnV);
        int rows = s * segsOut;
        hyV = hy.first(rows);
        decoder.forward(hnV, hyV);
        hyDropV = hyDrop.first(rows);
        dropout.forward(hyV, hyDropV, train);
        FloatMatrix y = yseg.first(rows);
        predict.forward(hyDropV, y);
        FloatMatrix predV = pred.first(horizon * s);
        for (int m = 0; m < segsOut; m++) {
            for (int b = 0; b < s; b++) {
                for (int j = 0; j < w; j++) predV.set((m * w + j) * s + b, 0, y.get(m * s + b, j));
            }
        }
        return ends.finish(predV, target, training);
    }

    /** max(x, 0) in place (the engine's clamp; NaN stays NaN, as torch.relu). */
    private static void relu(FloatMatrix m) { VectorOps.clamp(0f, Float.POSITIVE_INFINITY, m); }

    @Override
    public void backward() {
        FloatMatrix g = ends.gradient();
        int s = seq, rows = s * segsOut;
        FloatMatrix gy = dYseg.first(rows);
        for (int m = 0; m < segsOut; m++) {
            for (int b = 0; b < s; b++) {
                for (int j = 0; j < w; j++) gy.set(m * s + b, j, g.get((m * w + j) * s + b, 0));
            }
        }
        FloatMatrix gHyDrop = dHyDrop.first(rows), gHy = dHy.first(rows);
        predict.backward(hyDropV, gy, gHyDrop);
        dropout.backward(gHyDrop, gHy);
        FloatMatrix gHn = dHn.first(s);
        decoder.backward(gHy, gHn);
        FloatMatrix gEnc = dEnc.first(segsIn * s);
        Rows.lastStepBackward(gHn, segsIn, s, gEnc);
        FloatMatrix gE = rnn.backward(gEnc);
        FloatMatrix gEmb = dEmb.first(segsIn * s);
        for (int i = 0; i < segsIn * s; i++) {
            for (int k = 0; k < d; k++) gEmb.set(i, k, embV.get(i, k) > 0 ? gE.get(i, k) : 0f);
        }
        embed.backward(segInV, gEmb, null);
    }

    @Override
    public java.util.Map<String, Long> randomState() { return java.util.Map.of("head_dropout", dropout.calls()); }

    @Override
    public void restoreRandomState(java.util.Map<String, Long> state) {
        Long n = state.get("head_dropout");
        if (n != null) dropout.setCalls(n);
    }

    @Override
    public FloatMatrix prediction() { return ends.prediction(); }

    @Override
    public void close() {
        rnn.close();
        arena.close();
    }
}
