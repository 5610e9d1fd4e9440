package dev.recur.layers.model;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsException;
import dev.recur.layers.io.SafeTensorsWriter;
import dev.recur.layers.optim.Optimizer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model checkpoints as {@code safetensors} files.
 *
 * <p>Tensors: every parameter under its PyTorch name (F32, little-endian; biases 1-D {@code [n]},
 * matrices {@code [rows, cols]}), so {@code embedding.*}, {@code rnn.*} and {@code fc.*} load into
 * {@code nn.Embedding}, {@code nn.LSTM/GRU/RNN} and {@code nn.Linear} modules named that way; plus,
 * when an optimizer is saved, its buffers {@code optimizer.<buffer>.<param>}.
 *
 * <p>Metadata: {@code recur.format} = {@value #FORMAT}, {@code recur.model.kind}, the
 * configuration ({@link ModelConfig#toMetadata()}), {@code recur.model.seed}, the dropout stream
 * positions ({@code recur.rng.*}), the optimizer's {@code optimizer.*} entries, and any entries the
 * caller adds (the app puts its vocabulary, tokenizer settings and training progress there).
 *
 * <p>Files are written atomically ({@link SafeTensorsWriter#write}); reading validates the file
 * ({@link SafeTensors#read}) and then that names and shapes agree with the configuration.
 */
public final class Checkpoint {
    private Checkpoint() {}

    /** Value of the {@code recur.format} metadata entry. */
    public static final String FORMAT = "1";

    /** Metadata key of the model seed. */
    public static final String SEED_KEY = "recur.model.seed";

    /**
     * Saves the model (and the optimizer's state when not null) with {@code extraMetadata}
     * atomically to {@code file}.
     */
    public static void save(Path file, SequenceModel model, Optimizer optimizer, Map<String, String> extraMetadata)
            throws IOException {
        writer(model, optimizer, extraMetadata).write(file);
    }

    /** The writer {@link #save} uses, for callers that add tensors of their own. */
    public static SafeTensorsWriter writer(SequenceModel model, Optimizer optimizer, Map<String, String> extraMetadata) {
        SafeTensorsWriter w = new SafeTensorsWriter();
        w.metadata("format", "pt");
        w.metadata("recur.format", FORMAT);
        w.metadata(SequenceModel.KIND_KEY, model.kind());
        w.metadata(model.configMetadata());
        w.metadata(SEED_KEY, Long.toString(model.seed()));
        w.metadata(model.rngState());
        if (extraMetadata != null) w.metadata(extraMetadata);
        for (Parameter p : model.parameters()) w.put(p);
        if (optimizer != null) optimizer.saveState(w);
        return w;
    }

    /** Reads and validates the file's format (not yet against a model). */
    public static SafeTensors read(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        if (!st.metadata().containsKey("recur.format") && !st.metadata().containsKey(SequenceModel.KIND_KEY)) {
            throw new SafeTensorsException(file, "is a safetensors file but not a Recur checkpoint (no recur.format metadata)");
        }
        return st;
    }

    /** The classifier configuration stored in {@code st}, or a clear error naming the file. */
    public static ModelConfig config(SafeTensors st) throws SafeTensorsException {
        try {
            return ModelConfig.fromMetadata(st.metadata());
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(st.file(), "bad model configuration: " + e.getMessage());
        }
    }

    /**
     * Rebuilds the model stored in {@code file} (kind, configuration, seed, weights, dropout stream
     * positions) with workspaces for {@code maxSteps × maxBatch}: a {@link SequenceClassifier},
     * {@link SequenceTagger}, {@link CharLanguageModel} or {@link CtcAcousticModel}.
     */
    public static SequenceModel load(Path file, int maxSteps, int maxBatch) throws IOException {
        SafeTensors st = read(file);
        String kind = st.metadata().getOrDefault(SequenceModel.KIND_KEY, "classifier");
        long seed;
        try {
            seed = Long.parseLong(st.metadata().getOrDefault(SEED_KEY, "0"));
        } catch (NumberFormatException e) {
            throw new SafeTensorsException(file, SEED_KEY + " metadata is not an integer");
        }
        SequenceModel model;
        try {
            model = switch (kind) {
                case "classifier" -> new SequenceClassifier(config(st), seed, maxSteps, maxBatch);
                case "tagger" -> new SequenceTagger(TaggerConfig.fromMetadata(st.metadata()), seed, maxSteps, maxBatch);
                case "char_lm" -> new CharLanguageModel(LanguageModelConfig.fromMetadata(st.metadata()), seed, maxSteps, maxBatch);
                case CtcAcousticModel.KIND -> new CtcAcousticModel(AcousticConfig.fromMetadata(st.metadata()), seed, maxSteps, maxBatch);
                case "labeler" -> throw new SafeTensorsException(file, "holds a 'labeler' model of an earlier Recur, which this"
                        + " version no longer builds; retrain it as a SequenceTagger");
                default -> throw new SafeTensorsException(file, "unknown model kind '" + kind + "' (expected classifier, tagger, char_lm or ctc_acoustic)");
            };
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(file, "bad model configuration: " + e.getMessage());
        }
        try {
            loadWeights(st, model);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /** {@link #load} for a classifier; a clear error if the file holds another kind. */
    public static SequenceClassifier loadClassifier(Path file, int maxSteps, int maxBatch) throws IOException {
        return load(file, maxSteps, maxBatch, SequenceClassifier.class, "sequence classifier");
    }

    /** {@link #load} for a tagger; a clear error if the file holds another kind. */
    public static SequenceTagger loadTagger(Path file, int maxSteps, int maxBatch) throws IOException {
        return load(file, maxSteps, maxBatch, SequenceTagger.class, "sequence tagger");
    }

    /** {@link #load} for a CTC acoustic model; a clear error if the file holds another kind. */
    public static CtcAcousticModel loadAcoustic(Path file, int maxSteps, int maxBatch) throws IOException {
        return load(file, maxSteps, maxBatch, CtcAcousticModel.class, "CTC acoustic model");
    }

    /** {@link #load} for a language model; a clear error if the file holds another kind. */
    public static CharLanguageModel loadLanguageModel(Path file, int maxSteps, int maxBatch) throws IOException {
        return load(file, maxSteps, maxBatch, CharLanguageModel.class, "language model");
    }

    private static <M extends SequenceModel> M load(Path file, int maxSteps, int maxBatch, Class<M> type, String what)
            throws IOException {
        SequenceModel m = load(file, maxSteps, maxBatch);
        if (type.isInstance(m)) return type.cast(m);
        m.close();
        throw new SafeTensorsException(file, "holds a " + m.kind() + " model, not a " + what);
    }

    /**
     * Copies the weights in {@code st} into {@code model} (and restores its dropout stream
     * positions). The stored configuration must equal the model's, every parameter must be present
     * with its shape, and no unknown non-optimizer tensor may be present; on any error the model is
     * left unchanged.
     */
    public static void loadWeights(SafeTensors st, SequenceModel model) throws SafeTensorsException {
        Map<String, String> mine = model.configMetadata();
        Map<String, String> differs = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : mine.entrySet()) {
            String stored = st.metadata().get(e.getKey());
            if (stored != null && !stored.equals(e.getValue())) differs.put(e.getKey(), stored + " in the file, " + e.getValue() + " in the model");
        }
        if (!differs.isEmpty()) {
            throw new SafeTensorsException(st.file(), "was written for another model configuration: " + differs);
        }
        loadStateDict(st, model.parameters());
        try {
            model.restoreRngState(st.metadata());
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(st.file(), e.getMessage());
        }
        model.zeroGrad();
        model.markGradDirty();
    }

    /**
     * Loads a state dict strictly, as PyTorch's {@code load_state_dict(strict=True)}: every
     * parameter must be present with its shape (PyTorch's, or the {@code [1, n]} bias shape older
     * Recur checkpoints wrote), no tensor outside {@code optimizer.*} and {@code state.*} may be
     * unknown, and no value may be NaN or infinite. On any error, named in the message, no
     * parameter is changed.
     */
    public static void loadStateDict(SafeTensors st, List<Parameter> parameters) throws SafeTensorsException {
        List<String> missing = new ArrayList<>();
        for (Parameter p : parameters) if (!st.contains(p.name())) missing.add(p.name());
        if (!missing.isEmpty()) throw new SafeTensorsException(st.file(), "lacks the model's parameters " + missing
                + " (was it written for another model?)");
        List<String> unknown = new ArrayList<>();
        for (String name : st.names()) {
            if (name.startsWith("optimizer.") || name.startsWith("state.")) continue;
            boolean known = false;
            for (Parameter p : parameters) known |= p.name().equals(name);
            if (!known) unknown.add(name);
        }
        if (!unknown.isEmpty()) throw new SafeTensorsException(st.file(), "has tensors the model does not know: " + unknown);
        Map<Parameter, float[]> staged = new LinkedHashMap<>();
        try (Arena scratch = Arena.ofConfined()) {
            for (Parameter p : parameters) {
                FloatMatrix tmp = FloatMatrix.allocate(scratch, p.rows(), p.cols());
                st.copyInto(p.name(), tmp);
                staged.put(p, tmp.toArray());
            }
        }
        staged.forEach((p, v) -> p.value().copyFrom(v));
    }

    /** Restores an optimizer's state saved with the model (see {@link Optimizer#loadState}). */
    public static void loadOptimizer(SafeTensors st, Optimizer optimizer) throws SafeTensorsException {
        optimizer.loadState(st);
    }
}
