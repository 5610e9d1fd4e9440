package dev.recur.layers.optim;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsException;
import dev.recur.layers.io.SafeTensorsWriter;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Updates a fixed list of parameters from their gradients, with PyTorch 1.13's semantics, using the
 * engine's fused update kernels (one pass over each tensor).
 *
 * <p>State (the step count and the per-parameter buffers) is exposed by {@link #state()} and saved
 * and restored by {@link #saveState}/{@link #loadState}: tensors named
 * {@code optimizer.<buffer>.<parameter>} and metadata {@code optimizer.type}, {@code optimizer.step},
 * {@code optimizer.lr}. Restoring it and the parameters resumes training bit-exactly.
 *
 * <p>A step is split over {@link dev.recur.engine.Engine#pool()} in fixed chunks of the parameters'
 * elements ({@link ParameterChunks}); the updates are element-wise, so the split changes no bit.
 *
 * <p>The optimizer owns its state memory: {@link #close()} frees it. Not thread-safe.
 */
public abstract class Optimizer implements AutoCloseable {
    private final List<Parameter> params;
    /** Holds the state buffers; closed by {@link #close()}. */
    protected final Arena arena = Arena.ofShared();
    private double lr;
    private long steps;
    private final ParameterChunks stepChunks = new ParameterChunks() {
        @Override
        protected void chunk(int g, int i, Parameter p, long from, int n) {
            if (n < 0) update(i, p, steps);
            else update(i, p, steps, from, n);
        }
    };

    /** An optimizer of {@code params} (not empty) with learning rate {@code lr} (finite, ≥ 0). */
    protected Optimizer(List<Parameter> params, double lr) {
        this.params = List.copyOf(Objects.requireNonNull(params, "params"));
        if (this.params.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
        setLearningRate(lr);
    }

    /** "sgd", "adam" or "adamw". */
    public abstract String type();

    /** Applies one update to every parameter from its current gradient, and counts the step. */
    public final void step() {
        steps++;
        stepChunks.run(params);
    }

    /** Updates parameter {@code i}; {@code step} is the 1-based count including this one. */
    protected abstract void update(int i, Parameter p, long step);

    /**
     * Updates elements {@code [from, from + n)} of parameter {@code i}, whose value and gradient are
     * contiguous (as are the optimizer's own buffers): the same arithmetic as {@link #update(int,
     * Parameter, long)} on those elements. Called from the pool's threads, for disjoint ranges.
     */
    protected abstract void update(int i, Parameter p, long step, long from, int n);

    /** The parameters it updates, in order. */
    public List<Parameter> parameters() { return params; }

    /** The learning rate, held as a double like PyTorch's (so 1e-3 is exactly the double 1e-3). */
    public double learningRate() { return lr; }

    /** Sets the learning rate for the next steps (for schedules). */
    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be a finite number ≥ 0, got " + lr);
        this.lr = lr;
    }

    /** Number of {@link #step()} calls so far (restored by {@link #loadState}). */
    public long steps() { return steps; }

    /**
     * Sets the step count (what bias correction counts from), for an optimizer whose buffers were
     * copied in from elsewhere than a checkpoint: a data-parallel worker that continues from the
     * state its driver shipped. {@code steps} ≥ 0.
     */
    public void setSteps(long steps) {
        if (steps < 0) throw new IllegalArgumentException("optimizer step count must be ≥ 0, got " + steps);
        this.steps = steps;
    }

    /** The state buffers by checkpoint name ({@code optimizer.<buffer>.<parameter>}), in parameter order. */
    public abstract Map<String, FloatMatrix> state();

    /** Hyper-parameters as metadata strings (saved with the state, checked on load). */
    protected abstract Map<String, String> hyperParameters();

    /** A zero buffer shaped like {@code p}, in this optimizer's memory. */
    protected final FloatMatrix zerosLike(Parameter p) {
        return FloatMatrix.allocate(arena, p.rows(), p.cols());
    }

    /** Adds the state tensors and {@code optimizer.*} metadata to {@code w}. */
    public void saveState(SafeTensorsWriter w) {
        w.metadata("optimizer.type", type());
        w.metadata("optimizer.step", Long.toString(steps));
        w.metadata("optimizer.lr", Double.toString(lr));
        hyperParameters().forEach((k, v) -> w.metadata("optimizer." + k, v));
        state().forEach(w::put);
    }

    /**
     * Restores the step count, learning rate and buffers from {@code st}. The optimizer type and
     * every buffer's name and shape must match, else a clear error (nothing is changed then).
     */
    public void loadState(SafeTensors st) throws SafeTensorsException {
        Map<String, String> meta = st.metadata();
        String t = meta.get("optimizer.type");
        if (t == null) throw new SafeTensorsException(st.file(), "holds no optimizer state (no optimizer.type metadata)");
        if (!t.equals(type())) {
            throw new SafeTensorsException(st.file(), "holds " + t + " optimizer state, but the optimizer is " + type());
        }
        long step;
        double newLr;
        try {
            step = Long.parseLong(meta.getOrDefault("optimizer.step", ""));
            newLr = Double.parseDouble(meta.getOrDefault("optimizer.lr", ""));
        } catch (NumberFormatException e) {
            throw new SafeTensorsException(st.file(), "optimizer.step or optimizer.lr metadata is not a number");
        }
        if (step < 0) throw new SafeTensorsException(st.file(), "optimizer.step is negative: " + step);
        Map<String, FloatMatrix> state = state();
        List<String> missing = new ArrayList<>();
        for (String name : state.keySet()) if (!st.contains(name)) missing.add(name);
        if (!missing.isEmpty()) throw new SafeTensorsException(st.file(), "optimizer state is missing tensors " + missing);
        // copy into scratch first so a shape mismatch leaves the optimizer unchanged
        Map<String, float[]> loaded = new LinkedHashMap<>();
        try (Arena scratch = Arena.ofConfined()) {
            for (Map.Entry<String, FloatMatrix> e : state.entrySet()) {
                FloatMatrix tmp = FloatMatrix.allocate(scratch, e.getValue().rows(), e.getValue().cols());
                st.copyInto(e.getKey(), tmp);
                loaded.put(e.getKey(), tmp.toArray());
            }
        }
        loaded.forEach((k, v) -> state.get(k).copyFrom(v));
        steps = step;
        setLearningRate(newLr);
    }

    @Override
    public void close() { arena.close(); }
}
