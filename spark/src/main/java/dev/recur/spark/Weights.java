package dev.recur.spark;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.optim.Optimizer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What the driver broadcasts at the start of a round: every parameter's values in the model's
 * order and, for local SGD ({@code --sync-every} &gt; 1), the optimizer's buffers and step count.
 *
 * @param values         one array per parameter, row-major
 * @param optimizerState one array per optimizer buffer in {@link Optimizer#state()} order, or null
 * @param optimizerSteps the optimizer's step count
 */
public record Weights(float[][] values, float[][] optimizerState, long optimizerSteps) implements Serializable {

    /** A copy of the parameters (and, when {@code optimizer} is not null, its state). */
    public static Weights of(List<Parameter> params, Optimizer optimizer) {
        float[][] v = new float[params.size()][];
        for (int i = 0; i < v.length; i++) v[i] = params.get(i).value().toArray();
        return new Weights(v, optimizer == null ? null : state(optimizer), optimizer == null ? 0 : optimizer.steps());
    }

    /** The optimizer's buffers as arrays, in {@link Optimizer#state()} order. */
    public static float[][] state(Optimizer optimizer) {
        List<float[]> s = new ArrayList<>();
        for (FloatMatrix m : optimizer.state().values()) s.add(m.toArray());
        return s.toArray(new float[0][]);
    }

    /** Writes the values into {@code params} (same model configuration). */
    public void loadInto(List<Parameter> params) {
        if (params.size() != values.length) {
            throw new IllegalStateException("weights of " + values.length + " parameters for a model of " + params.size());
        }
        for (int i = 0; i < values.length; i++) params.get(i).value().copyFrom(values[i]);
    }

    /** Writes the buffers and step count into {@code optimizer} (same type and parameters). */
    public void loadInto(Optimizer optimizer) {
        loadState(optimizer, optimizerState);
        optimizer.setSteps(optimizerSteps);
    }

    /** Writes {@code state} (arrays in {@link Optimizer#state()} order) into the optimizer's buffers. */
    public static void loadState(Optimizer optimizer, float[][] state) {
        int i = 0;
        for (FloatMatrix m : optimizer.state().values()) m.copyFrom(state[i++]);
    }
}
