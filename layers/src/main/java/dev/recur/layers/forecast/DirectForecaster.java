package dev.recur.layers.forecast;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.BatchOrder;
import dev.recur.layers.Linear;
import dev.recur.layers.Parameter;
import dev.recur.layers.RecurrentStack;
import dev.recur.layers.InstanceNormalisation;
import dev.recur.layers.RowViews;
import dev.recur.layers.rnn.RecurrentConfig;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Direct multi-step forecaster: {@code [RevIN] → LSTM/GRU (layers) over the L look-back steps →
 * the last step's hidden state → Linear(hidden → H·C_out) → [RevIN⁻¹]}, all H steps emitted at
 * once, trained with the configured regression loss. As the PyTorch module
 * <pre>{@code
 * x = revin(x, 'norm')                       # optional
 * out, _ = self.lstm(x)                      # batch_first, (B, L, C_in)
 * y = self.fc(out[:, -1]).view(B, H, C_out)
 * y = revin(y, 'denorm')
 * }</pre>
 * with parameters {@code revin.affine_weight}, {@code revin.affine_bias} (when RevIN is on),
 * {@code lstm.*} or {@code gru.*}, {@code fc.weight} ({@code H·C_out × hidden}, output column
 * {@code h·C_out + c}) and {@code fc.bias}.
 */
public final class DirectForecaster implements ForecastModel {
    private final ForecastConfig cfg;
    private final int maxBatch, steps, horizon, outputs, hidden;
    private final Arena arena = Arena.ofShared();
    private final ForecastEnds ends;
    private final RecurrentStack stack;
    private final Linear fc;
    private final List<Parameter> parameters;
    private final BatchOrder order;
    private final int[] lengths;
    private final RowViews last, head, pred, dHead, dLast, dH;

    // the last forward
    private FloatMatrix lastV;
    private int batch;

    /** The model of {@code config} ({@link ForecastConfig.Architecture#DIRECT}), weights from {@code seed}. */
    public DirectForecaster(ForecastConfig config, long seed, int maxBatch) {
        if (config.architecture() != ForecastConfig.Architecture.DIRECT) throw new IllegalArgumentException("not a direct forecaster: " + config);
        this.cfg = config;
        this.maxBatch = maxBatch;
        steps = config.lookback();
        horizon = config.horizon();
        outputs = config.outputs();
        hidden = config.hidden();
        SplittableRandom rng = new SplittableRandom(seed);
        InstanceNormalisation revin = ForecastEnds.normalisation(config.norm(), arena, "revin", config.inputs(), true);
        ends = new ForecastEnds(arena, revin, config.lossFunction(), "forecast input", maxBatch, steps, config.inputs(), horizon,
                outputs);
        RecurrentConfig rc = RecurrentConfig.of(config.cell(), config.inputs(), hidden).withLayers(config.layers())
                .withDropout(config.layers() > 1 ? config.dropout() : 0f).withSeed(rng.nextLong());
        stack = new RecurrentStack(RecurrentStack.defaultName(config.cell()), rc, steps, maxBatch);
        fc = new Linear(arena, "fc", hidden, horizon * outputs, rng);
        List<Parameter> ps = new ArrayList<>();
        if (revin != null) ps.addAll(revin.parameters());
        ps.addAll(stack.parameters());
        ps.addAll(fc.parameters());
        parameters = List.copyOf(ps);
        order = new BatchOrder(maxBatch);
        lengths = new int[maxBatch];
        Arrays.fill(lengths, steps);
        last = views(maxBatch, hidden);
        dLast = views(maxBatch, hidden);
        head = views(maxBatch, horizon * outputs);
        dHead = views(maxBatch, horizon * outputs);
        pred = views(horizon * maxBatch, outputs);
        dH = views(steps * maxBatch, hidden);
    }

    private RowViews views(int rows, int cols) { return new RowViews(FloatMatrix.allocate(arena, rows, cols)); }

    @Override
    public ForecastConfig config() { return cfg; }

    @Override
    public int maxBatch() { return maxBatch; }

    @Override
    public List<Parameter> parameters() { return parameters; }

    /** The recurrent encoder. */
    public RecurrentStack encoder() { return stack; }

    @Override
    public float forward(FloatMatrix x, FloatMatrix target, int batch, boolean training) {
        FloatMatrix encIn = ends.begin(x, target, batch);
        this.batch = batch;
        order.sort(lengths, batch);
        FloatMatrix h = stack.forward(encIn, order, training && target != null);
        lastV = last.first(batch);
        Rows.lastStep(h, steps, batch, lastV);
        FloatMatrix headV = head.first(batch);
        fc.forward(lastV, headV);
        FloatMatrix predV = pred.first(horizon * batch);
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < horizon; s++) {
                for (int c = 0; c < outputs; c++) predV.set(s * batch + b, c, headV.get(b, s * outputs + c));
            }
        }
        return ends.finish(predV, target, training);
    }

    @Override
    public void backward() {
        FloatMatrix g = ends.gradient();
        FloatMatrix gHead = dHead.first(batch);
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < horizon; s++) {
                for (int c = 0; c < outputs; c++) gHead.set(b, s * outputs + c, g.get(s * batch + b, c));
            }
        }
        FloatMatrix gLast = dLast.first(batch);
        fc.backward(lastV, gHead, gLast);
        FloatMatrix gH = dH.first(steps * batch);
        Rows.lastStepBackward(gLast, steps, batch, gH);
        ends.inputBackward(stack.backward(gH));
    }

    @Override
    public java.util.Map<String, Long> randomState() { return java.util.Map.of("encoder_dropout", stack.dropoutCalls()); }

    @Override
    public void restoreRandomState(java.util.Map<String, Long> state) {
        Long n = state.get("encoder_dropout");
        if (n != null) stack.setDropoutCalls(n);
    }

    @Override
    public FloatMatrix prediction() { return ends.prediction(); }

    @Override
    public void close() {
        stack.close();
        arena.close();
    }
}
