package dev.recur.layers.forecast;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Module;

/**
 * A forecasting model: from a batch of look-back windows to all H horizon steps at once. Input and
 * output are time-major, the model stack's layout: {@code input} is {@code L·B × C_in} (row
 * {@code t·B + b}), the prediction and target {@code H·B × C_out} (row {@code h·B + b}), for B
 * sequences. Implementations: {@link DirectForecaster}, {@link SegmentForecaster},
 * {@link EncoderDecoderForecaster}.
 *
 * <pre>{@code
 * model.zeroGrad();
 * float loss = model.forward(input, target, B, true);   // training: keeps what backward needs
 * model.backward();                                     // accumulates every parameter's gradient
 * optimizer.step();
 * model.forward(input, null, B, false);                 // inference: model.prediction()
 * }</pre>
 * One caller at a time; nothing allocated in steady state; {@link #close()} frees the native memory.
 */
public interface ForecastModel extends Module {

    ForecastConfig config();

    /** The largest batch B the workspaces hold. */
    int maxBatch();

    /**
     * Runs the model on B sequences; returns the mean loss against {@code target} ({@code H·B × C_out})
     * or 0 when it is null. In training mode ({@code training}, target given) keeps what
     * {@link #backward()} needs.
     */
    float forward(FloatMatrix input, FloatMatrix target, int batch, boolean training);

    /** Accumulates every parameter's gradient of the last training {@link #forward}'s loss. */
    void backward();

    /** The last forward's prediction, {@code H·B × C_out}: a view valid until the next forward. */
    FloatMatrix prediction();

    /**
     * The positions of the model's random streams (dropout masks, teacher-forcing draws) by name:
     * the state a checkpoint saves so a resumed run draws what an uninterrupted one would.
     */
    java.util.Map<String, Long> randomState();

    /** Restores {@link #randomState()}; a name it does not list is ignored, a missing one left as it is. */
    void restoreRandomState(java.util.Map<String, Long> state);

    /** Builds the model of {@code config}, its weights drawn from {@code seed}, for batches of up to {@code maxBatch}. */
    static ForecastModel create(ForecastConfig config, long seed, int maxBatch) {
        return switch (config.architecture()) {
            case DIRECT -> new DirectForecaster(config, seed, maxBatch);
            case SEGMENT -> new SegmentForecaster(config, seed, maxBatch);
            case ENCODER_DECODER -> new EncoderDecoderForecaster(config, seed, maxBatch);
        };
    }
}
