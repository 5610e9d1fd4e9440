package dev.recur.layers.forecast;

import dev.recur.engine.DropoutMask;
import dev.recur.engine.FloatMatrix;
import dev.recur.engine.VectorOps;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.GruStep;
import dev.recur.layers.Linear;
import dev.recur.layers.Parameter;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.InstanceNormalisation;
import dev.recur.layers.RowViews;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Encoder–decoder forecaster (recurrent multi-step): a GRU encoder reads the look-back, a GRU
 * decoder cell emits the horizon one step at a time, each step's input being the previous step's
 * value — the model's own forecast, or during training with teacher forcing the true value. As the
 * PyTorch module
 * <pre>{@code
 * x = revin(x, 'norm')                                  # optional, without affine parameters
 * _, h = self.gru(x)                                    # (L, B, C) → h[-1]: (B, hidden)
 * s, inp = h[-1], x[-1]                                 # the last look-back value starts the decoder
 * for t in range(H):
 *     s = self.decoder(inp[None], s[None])[1][0]        # nn.GRU(C, hidden), one step
 *     y[t] = self.fc(s)                                 # Linear(hidden → C)
 *     inp = target_n[t] if teacher[t + 1] else y[t]     # teacher forcing (training only)
 * y = revin(y, 'denorm')
 * }</pre>
 * Gradients flow through the fed-back forecasts (no {@code detach}), as autograd would take them.
 * Which steps are teacher-forced is drawn per training forward: step t ≥ 1 takes the truth when
 * {@code u(seed, call, t) < ratio} ({@link DropoutMask#uniform}, a counter-based hash), so the draw
 * is a pure function of the seed and {@link #teacherForcingCalls()}, the state to save for an exact
 * resume. Evaluation and prediction always feed back the model's own forecasts.
 *
 * <p>Parameters: {@code gru.*} (the encoder, {@code layers} layers), {@code decoder.weight_ih_l0 …
 * bias_hh_l0}, {@code fc.weight} ({@code C × hidden}), {@code fc.bias}. Needs as many outputs as
 * inputs (features M or S, or channel-independent): the forecast is fed back as the next input.
 * Input {@code L·B × C}, output {@code H·B × C}, time-major.
 */
public final class EncoderDecoderForecaster implements ForecastModel {
    private final ForecastConfig cfg;
    private final int maxBatch, steps, horizon, channels, hidden;
    private final long teacherSeed;
    private final Arena arena = Arena.ofShared();
    private final InstanceNormalisation revin;
    private final ForecastEnds ends;
    private final RecurrentStack encoder, decoderLayer;
    private final GruStep decoder;
    private final Linear fc;
    private final List<Parameter> parameters;
    private final BatchOrder order;
    private final int[] lengths;
    private final boolean[] teacher;
    private final FloatMatrix statesBase, predBase, truthBase;
    private final RowViews in0, dy, dFc, dState, dPrev, dIn, dEnc;
    private float ratio;
    private long calls;

    // views of the current batch size (re-made only when it changes)
    private int viewBatch;
    private FloatMatrix[] stateV, predV, truthV, gradV;
    private FloatMatrix predAllV, truthAllV;
    private final FloatMatrix[] inputUsed;

    // the last forward
    private int batch;

    /** The model of {@code config} ({@link ForecastConfig.Architecture#ENCODER_DECODER}), weights from {@code seed}. */
    public EncoderDecoderForecaster(ForecastConfig config, long seed, int maxBatch) {
        if (config.architecture() != ForecastConfig.Architecture.ENCODER_DECODER) {
            throw new IllegalArgumentException("not an encoder–decoder forecaster: " + config);
        }
        cfg = config;
        this.maxBatch = maxBatch;
        steps = config.lookback();
        horizon = config.horizon();
        channels = config.inputs();
        hidden = config.hidden();
        SplittableRandom rng = new SplittableRandom(seed);
        revin = ForecastEnds.normalisation(config.norm(), arena, "revin", channels, false);
        ends = new ForecastEnds(arena, revin, config.lossFunction(), "forecast input", maxBatch, steps, channels, horizon, channels);
        RecurrentConfig rc = RecurrentConfig.of(CellType.GRU, channels, hidden).withLayers(config.layers())
                .withDropout(config.layers() > 1 ? config.dropout() : 0f).withSeed(rng.nextLong());
        encoder = new RecurrentStack("gru", rc, steps, maxBatch);
        decoderLayer = new RecurrentStack("decoder", RecurrentConfig.of(CellType.GRU, channels, hidden).withSeed(rng.nextLong()),
                1, 1);
        List<Parameter> d = decoderLayer.parameters();
        decoder = new GruStep(arena, d.get(0), d.get(1), d.get(2), d.get(3), maxBatch, horizon);
        fc = new Linear(arena, "fc", hidden, channels, rng);
        teacherSeed = rng.nextLong();
        List<Parameter> ps = new ArrayList<>(encoder.parameters());
        ps.addAll(d);
        ps.addAll(fc.parameters());
        parameters = List.copyOf(ps);
        order = new BatchOrder(maxBatch);
        lengths = new int[maxBatch];
        Arrays.fill(lengths, steps);
        teacher = new boolean[horizon];
        inputUsed = new FloatMatrix[horizon];
        statesBase = FloatMatrix.allocate(arena, (horizon + 1) * maxBatch, hidden);
        predBase = FloatMatrix.allocate(arena, horizon * maxBatch, channels);
        truthBase = FloatMatrix.allocate(arena, horizon * maxBatch, channels);
        in0 = views(maxBatch, channels);
        dy = views(maxBatch, channels);
        dIn = views(maxBatch, channels);
        dFc = views(maxBatch, hidden);
        dState = views(maxBatch, hidden);
        dPrev = views(maxBatch, hidden);
        dEnc = views(steps * maxBatch, hidden);
    }

    private RowViews views(int rows, int cols) { return new RowViews(FloatMatrix.allocate(arena, rows, cols)); }

    @Override
    public ForecastConfig config() { return cfg; }

    @Override
    public int maxBatch() { return maxBatch; }

    @Override
    public List<Parameter> parameters() { return parameters; }

    /** The probability that a training step's input is the true previous value (0: never, 1: always). */
    public void setTeacherForcing(float ratio) {
        if (!(ratio >= 0f && ratio <= 1f)) throw new IllegalArgumentException("teacher forcing ratio must be in [0, 1], got " + ratio);
        this.ratio = ratio;
    }

    public float teacherForcing() { return ratio; }

    /** Training forwards so far that drew teacher-forcing choices (the random stream position). */
    public long teacherForcingCalls() { return calls; }

    /** Restores the random stream position (for resuming). */
    public void setTeacherForcingCalls(long calls) { this.calls = calls; }

    /** The encoder (its dropout counter is state to resume with several layers). */
    public RecurrentStack encoder() { return encoder; }

    private void makeViews(int b) {
        if (b == viewBatch) return;
        viewBatch = b;
        stateV = new FloatMatrix[horizon + 1];
        predV = new FloatMatrix[horizon];
        truthV = new FloatMatrix[horizon];
        gradV = new FloatMatrix[horizon];
        predAllV = predBase.rowRange(0, horizon * b);
        truthAllV = truthBase.rowRange(0, horizon * b);
        for (int h = 0; h <= horizon; h++) stateV[h] = statesBase.rowRange(h * b, b);
        for (int h = 0; h < horizon; h++) {
            predV[h] = predBase.rowRange(h * b, b);
            truthV[h] = truthBase.rowRange(h * b, b);
            gradV[h] = ends.gradientRows().rowRange(h * b, b);
        }
    }

    @Override
    public float forward(FloatMatrix x, FloatMatrix target, int batch, boolean training) {
        FloatMatrix encIn = ends.begin(x, target, batch);
        this.batch = batch;
        boolean train = training && target != null;
        makeViews(batch);
        order.sort(lengths, batch);
        FloatMatrix h = encoder.forward(encIn, order, train);
        Rows.lastStep(h, steps, batch, stateV[0]);
        FloatMatrix first = in0.first(batch);
        Rows.lastStep(encIn, steps, batch, first);
        Arrays.fill(teacher, false);
        boolean anyTeacher = false;
        if (train && ratio > 0f) {
            long key = DropoutMask.callKey(teacherSeed, ++calls);
            for (int t = 1; t < horizon; t++) {
                teacher[t] = DropoutMask.uniform(key, t) < ratio;
                anyTeacher |= teacher[t];
            }
        }
        if (anyTeacher) {
            if (revin != null) revin.normalise(target, truthAllV);
            else truthAllV.copyFrom(target);
        }
        for (int t = 0; t < horizon; t++) {
            FloatMatrix in = t == 0 ? first : teacher[t] ? truthV[t - 1] : predV[t - 1];
            inputUsed[t] = in;
            decoder.forward(t, in, stateV[t], stateV[t + 1]);
            fc.forward(stateV[t + 1], predV[t]);
        }
        return ends.finish(predAllV, target, training);
    }

    @Override
    public void backward() {
        ends.gradient();   // into the rows of gradV
        int b = batch;
        FloatMatrix[] g = gradV;
        FloatMatrix gy = dy.first(b), gFc = dFc.first(b), gS = dState.first(b), gPrev = dPrev.first(b), gIn = dIn.first(b);
        gS.fill(0f);
        boolean carry = false;  // whether gIn (the gradient at step t+1's input) flows into forecast t
        for (int t = horizon - 1; t >= 0; t--) {
            gy.copyFrom(g[t]);
            if (carry) VectorOps.axpy(1f, gIn, gy);
            fc.backward(stateV[t + 1], gy, gFc);
            VectorOps.axpy(1f, gFc, gS);
            decoder.backward(t, gS, gIn, gPrev);
            gS.copyFrom(gPrev);
            carry = t >= 1 && !teacher[t];
        }
        FloatMatrix gH = dEnc.first(steps * b);
        Rows.lastStepBackward(gS, steps, b, gH);
        encoder.backward(gH);   // the input's gradient is not needed: RevIN has no parameters here
    }

    @Override
    public java.util.Map<String, Long> randomState() {
        return java.util.Map.of("encoder_dropout", encoder.dropoutCalls(), "teacher_forcing", calls);
    }

    @Override
    public void restoreRandomState(java.util.Map<String, Long> state) {
        Long n = state.get("encoder_dropout");
        if (n != null) encoder.setDropoutCalls(n);
        Long t = state.get("teacher_forcing");
        if (t != null) calls = t;
    }

    @Override
    public FloatMatrix prediction() { return ends.prediction(); }

    @Override
    public void close() {
        encoder.close();
        decoderLayer.close();
        arena.close();
    }
}
