package dev.recur.app.forecast;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.RowViews;
import dev.recur.layers.forecast.ForecastConfig;
import java.lang.foreign.Arena;

/**
 * The reused input and target matrices of a forecasting model, filled from windows either with all
 * channels per sequence ({@link Windows#fillBatch}) or channel-independent, one channel per sequence
 * ({@link Windows#fillChannelIndependentBatch}).
 */
final class Batches {
    private final boolean channelIndependent;
    private final int maxWindows, lookback, horizon, inputs, outputs, perWindow;
    private final RowViews input, target;
    private FloatMatrix inputV, targetV;

    Batches(Arena arena, ForecastConfig cfg, int maxWindows, boolean channelIndependent, int channels) {
        this.channelIndependent = channelIndependent;
        this.maxWindows = maxWindows;
        lookback = cfg.lookback();
        horizon = cfg.horizon();
        perWindow = channelIndependent ? channels : 1;
        inputs = cfg.inputs();
        outputs = cfg.outputs();
        int seq = maxWindows * perWindow;
        input = new RowViews(FloatMatrix.allocate(arena, lookback * seq, inputs));
        target = new RowViews(FloatMatrix.allocate(arena, horizon * seq, outputs));
    }

    int maxWindows() { return maxWindows; }

    /** Sequences per window: the channels when channel-independent, else 1. */
    int perWindow() { return perWindow; }

    /** Fills windows {@code order[from ..< from + b]}, with their targets when the windows have them. */
    void fill(Windows w, int[] order, int from, int b) {
        int seq = b * perWindow;
        inputV = input.first(lookback * seq);
        targetV = w.hasTargets() ? target.first(horizon * seq) : null;
        if (channelIndependent) w.fillChannelIndependentBatch(order, from, b, inputV, targetV);
        else w.fillBatch(order, from, b, inputV, targetV);
    }

    FloatMatrix input() { return inputV; }

    FloatMatrix target() { return targetV; }

    /**
     * A model's {@code H·(B·C) × 1} channel-independent matrix seen as {@code H·B × C} (row
     * {@code h·B·C + b·C + c} is element (h·B + b, c) of the same memory); other matrices as they are.
     */
    FloatMatrix asWindows(FloatMatrix m, int b) {
        if (!channelIndependent || perWindow == 1) return m;
        return m.reshape(horizon * b, perWindow);
    }
}
