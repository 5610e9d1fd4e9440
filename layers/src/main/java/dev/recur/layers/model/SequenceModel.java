package dev.recur.layers.model;

import dev.recur.layers.Module;
import dev.recur.layers.Parameter;
import java.util.List;
import java.util.Map;

/**
 * What every Recur model offers a training loop, an evaluator and {@link Checkpoint}: a
 * composition of {@link Module}s over a {@link Batch}, with {@code forward} and {@code backward}
 * kept apart, a training/evaluation mode, its parameters (the union of its modules' PyTorch names),
 * the random-stream positions that make a resume exact, and the configuration that rebuilds it.
 *
 * <pre>{@code
 * model.train(true);
 * model.zeroGrad();
 * float loss = model.forward(batch);   // keeps what backward needs in training mode
 * model.backward();                    // accumulates every parameter's gradient
 * optimizer.step();
 * }</pre>
 *
 * <p>Implementations: {@link SequenceClassifier} (many-to-one), {@link SequenceTagger}
 * (many-to-many), {@link CharLanguageModel} (next symbol, state carried across windows). One
 * caller at a time; {@link #close()} frees all native memory.
 */
public interface SequenceModel extends Module {

    /** Metadata key naming the model kind: {@code classifier}, {@code tagger} or {@code char_lm}. */
    String KIND_KEY = "recur.model.kind";

    /** The kind stored in checkpoints under {@link #KIND_KEY}. */
    String kind();

    /**
     * Runs the model on {@code batch} in the current mode and returns the mean loss against the
     * batch's labels or targets; in training mode keeps what {@link #backward()} needs.
     */
    float forward(Batch batch);

    /** Accumulates every parameter's gradient of the last training {@link #forward}'s loss. */
    void backward();

    /** Training mode (dropout on, backward allowed) or evaluation mode. */
    void train(boolean on);

    /** Same as {@code train(false)}. */
    default void eval() { train(false); }

    boolean isTraining();

    /** The seed the model was initialised with. */
    long seed();

    /** Largest T a batch may have. */
    int maxSteps();

    /** Largest B a batch may have. */
    int maxBatch();

    /** The configuration as flat metadata entries (written to checkpoints, read back by {@link Checkpoint#load}). */
    Map<String, String> configMetadata();

    /** Positions of the random streams (dropout counters), {@code recur.rng.*}, for an exact resume. */
    Map<String, String> rngState();

    /** Restores {@link #rngState()} entries (absent keys leave a stream as it is). */
    void restoreRngState(Map<String, String> state);

    /** Marks gradients as possibly non-zero everywhere (after loading or editing them directly). */
    void markGradDirty();

    /** The parameter named {@code name}, or a clear error listing the names. */
    default Parameter parameter(String name) {
        List<Parameter> ps = parameters();
        for (Parameter p : ps) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("no parameter named " + name + "; the model has "
                + ps.stream().map(Parameter::name).toList());
    }

    /** Total number of trainable scalars. */
    default long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) n += p.size();
        return n;
    }

    /**
     * Copies every parameter value from {@code other}, a model of the same configuration (for an
     * evaluation or sampling copy with its own workspace); a clear error when the names or shapes differ.
     */
    default void copyParametersFrom(SequenceModel other) {
        List<Parameter> mine = parameters(), theirs = other.parameters();
        if (mine.size() != theirs.size()) {
            throw new IllegalArgumentException("cannot copy " + theirs.size() + " parameters into a model with " + mine.size());
        }
        for (int i = 0; i < mine.size(); i++) {
            Parameter to = mine.get(i), from = theirs.get(i);
            if (!to.name().equals(from.name())) {
                throw new IllegalArgumentException("cannot copy parameter " + from.name() + " into " + to.name());
            }
            to.value().copyFrom(from.value());
        }
        markGradDirty();
    }

    /** Frees every native buffer (parameters, gradients, workspaces). */
    @Override
    void close();
}
