package dev.recur.layers.forecast;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.InstanceNormalisation;
import dev.recur.layers.LastValueShift;
import dev.recur.layers.RevIn;
import dev.recur.layers.RowViews;
import dev.recur.layers.loss.RegressionLoss;
import java.lang.foreign.Arena;

/**
 * The two ends every forecaster shares around its own network. On the way in: the checks of a
 * batch and the optional RevIN normalisation of the look-back ({@link #begin}). On the way out: the
 * optional RevIN⁻¹ of the network's prediction and the training loss on it ({@link #finish}). On
 * the way back: the loss's gradient through RevIN⁻¹ to the network's prediction ({@link #gradient})
 * and, for an affine RevIN, through the input normalisation ({@link #inputBackward}). Workspaces
 * for {@code maxBatch} sequences; nothing is allocated per batch but a view when the batch size
 * changes.
 */
final class ForecastEnds {
    private final InstanceNormalisation revin;   // null: none
    private final RegressionLoss loss;
    private final String what;
    private final int maxBatch, steps, inputs, horizon, outputs;
    private final FloatMatrix dOutBase;
    private final RowViews normalised, out, dOut, dX;

    // the last forward
    private FloatMatrix input, predV, outV;
    private int batch;
    private boolean backwardReady;

    /**
     * @param revin   the normalisation ({@link #normalisation}), or null for none
     * @param what    the input's name in error messages
     * @param steps   the look-back L; the input is {@code L·B × inputs}
     * @param horizon H; the prediction and target are {@code H·B × outputs}
     */
    ForecastEnds(Arena arena, InstanceNormalisation revin, RegressionLoss loss, String what, int maxBatch, int steps, int inputs, int horizon,
                 int outputs) {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be ≥ 1, got " + maxBatch);
        this.revin = revin;
        this.loss = loss;
        this.what = what;
        this.maxBatch = maxBatch;
        this.steps = steps;
        this.inputs = inputs;
        this.horizon = horizon;
        this.outputs = outputs;
        dOutBase = FloatMatrix.allocate(arena, horizon * maxBatch, outputs);
        dOut = new RowViews(dOutBase);
        boolean on = revin != null;
        normalised = on ? new RowViews(FloatMatrix.allocate(arena, steps * maxBatch, inputs)) : null;
        out = on ? new RowViews(FloatMatrix.allocate(arena, horizon * maxBatch, outputs)) : null;
        dX = on && revin.affine() ? new RowViews(FloatMatrix.allocate(arena, steps * maxBatch, inputs)) : null;
    }

    /**
     * The normalisation {@code norm} over {@code channels} channels, or null for none; RevIN's
     * parameters (when {@code affine}) are named {@code <revinPrefix>.affine_weight/bias}.
     */
    static InstanceNormalisation normalisation(ForecastConfig.Norm norm, Arena arena, String revinPrefix, int channels,
                                               boolean affine) {
        return switch (norm) {
            case NONE -> null;
            case REVIN -> new RevIn(arena, revinPrefix, channels, affine);
            case LAST -> new LastValueShift(channels);
        };
    }

    /**
     * Starts a forward on B = {@code batch} sequences: checks the batch size and the shapes of
     * {@code x} and {@code target} (may be null), and returns the network's input — {@code x}, or
     * x normalised with its own statistics.
     */
    FloatMatrix begin(FloatMatrix x, FloatMatrix target, int batch) {
        if (batch < 1 || batch > maxBatch) throw new IllegalArgumentException("batch " + batch + " is not in [1, " + maxBatch + "]");
        x.requireShape(what, steps * batch, inputs);
        if (target != null) target.requireShape("forecast target", horizon * batch, outputs);
        backwardReady = false;
        this.batch = batch;
        input = x;
        if (revin == null) return x;
        revin.statistics(x, batch);
        FloatMatrix xn = normalised.first(steps * batch);
        revin.normalise(x, xn);
        return xn;
    }

    /**
     * Ends a forward on the network's prediction {@code pred} ({@code H·B × outputs}, kept as it is
     * until the next forward): RevIN⁻¹, then the mean loss against {@code target}, or 0 when it is
     * null. With {@code training} (and a target) keeps the loss's gradient for {@link #gradient}.
     */
    float finish(FloatMatrix pred, FloatMatrix target, boolean training) {
        predV = pred;
        outV = pred;
        if (revin != null) {
            outV = out.first(horizon * batch);
            revin.denormalise(pred, outV);
        }
        if (target == null) return 0f;
        float l = loss.forward(outV, target, training ? dOut.first(horizon * batch) : null);
        backwardReady = training;
        return l;
    }

    /**
     * Starts a backward: the last training forward's loss gradient at the network's prediction
     * ({@code H·B × outputs}, through RevIN⁻¹), in the first rows of {@link #gradientRows()}.
     */
    FloatMatrix gradient() {
        if (!backwardReady) throw new IllegalStateException("backward needs a preceding training forward with a target");
        backwardReady = false;
        FloatMatrix g = dOut.first(horizon * batch);
        if (revin != null) revin.denormaliseBackward(predV, g, g);
        return g;
    }

    /** The workspace {@link #gradient()} fills (all {@code H·maxBatch} rows), for views made ahead of it. */
    FloatMatrix gradientRows() { return dOutBase; }

    /** Ends a backward at the network's input gradient {@code gx}: an affine RevIN's parameter gradients (nothing without one). */
    void inputBackward(FloatMatrix gx) {
        if (dX != null) revin.normaliseBackward(input, gx, dX.first(steps * batch));
    }

    /** The last forward's output (denormalised): a view valid until the next forward. */
    FloatMatrix prediction() {
        if (outV == null) throw new IllegalStateException("no forward ran yet");
        return outV;
    }
}
