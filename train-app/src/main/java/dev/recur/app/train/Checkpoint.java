package dev.recur.app.train;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.recur.app.AppException;
import dev.recur.app.data.TextEncoder;
import dev.recur.app.data.Tokenizer;
import dev.recur.app.data.Vocabulary;
import dev.recur.layers.Parameter;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsException;
import dev.recur.layers.io.SafeTensorsWriter;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.model.SequenceModel;
import dev.recur.layers.optim.Optimizer;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sentiment model checkpoint: a safetensors file (PyTorch parameter names, float32) whose
 * metadata holds everything else — the model configuration, the tokenizer rules, max-len and
 * truncation, the vocabulary (one word per line), the training configuration, the run's progress
 * and history, the dropout streams' positions and the optimizer state. So {@code predict} needs
 * nothing but this file, and {@code --resume} continues bit-exactly.
 *
 * <p>Writes are atomic (temporary file, fsync, rename): a kill at any moment leaves the previous
 * file intact.
 */
public final class Checkpoint {
    /** Format marker of train-app sentiment checkpoints. */
    public static final String FORMAT = "recur-sentiment-v1";

    static final String K_FORMAT = "recur.app.format";
    static final String K_TOKENIZER = "recur.app.tokenizer";
    static final String K_MAX_LEN = "recur.app.max_len";
    static final String K_TRUNCATE = "recur.app.truncate";
    static final String K_VOCAB = "recur.app.vocab";
    static final String K_EPOCH = "recur.app.epoch";
    static final String K_STEPS = "recur.app.steps";
    static final String K_BEST = "recur.app.best_val_accuracy";
    static final String K_BEST_EPOCH = "recur.app.best_epoch";
    static final String K_HISTORY = "recur.app.history";

    private final Path file;
    private final SafeTensors tensors;
    private final ModelConfig modelConfig;
    private final TrainConfig trainConfig;
    private final TextEncoder encoder;
    private final TrainState state;

    private Checkpoint(Path file, SafeTensors tensors, ModelConfig modelConfig, TrainConfig trainConfig,
                       TextEncoder encoder, TrainState state) {
        this.file = file;
        this.tensors = tensors;
        this.modelConfig = modelConfig;
        this.trainConfig = trainConfig;
        this.encoder = encoder;
        this.state = state;
    }

    /** Writes model, optimizer (may be null), settings and state to {@code file} atomically. */
    public static void save(Path file, SequenceClassifier model, Optimizer optimizer, TrainConfig config,
                            TextEncoder encoder, TrainState state) {
        SafeTensorsWriter w = new SafeTensorsWriter();
        w.metadata(K_FORMAT, FORMAT);
        w.metadata(SequenceModel.KIND_KEY, model.kind());
        w.metadata(model.config().toMetadata());
        w.metadata(TrainConfig.META_KEY, config.toJson());
        w.metadata(K_TOKENIZER, Tokenizer.NAME);
        w.metadata(K_MAX_LEN, Integer.toString(encoder.maxLen()));
        w.metadata(K_TRUNCATE, encoder.truncation().name().toLowerCase(java.util.Locale.ROOT));
        w.metadata(K_VOCAB, encoder.vocabulary().serialize());
        w.metadata(K_EPOCH, Integer.toString(state.epoch()));
        w.metadata(K_STEPS, Long.toString(state.steps()));
        w.metadata(K_BEST, Double.toString(state.bestValAccuracy()));
        w.metadata(K_BEST_EPOCH, Integer.toString(state.bestEpoch()));
        List<Map<String, Object>> hist = new ArrayList<>();
        for (EpochStats s : state.history()) hist.add(s.toMap());
        try {
            w.metadata(K_HISTORY, MetricsLog.JSON.writeValueAsString(hist));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        w.metadata(model.rngState());
        for (Parameter p : model.parameters()) w.put(p);
        if (optimizer != null) optimizer.saveState(w);
        try {
            w.write(file);
        } catch (IOException e) {
            throw new AppException("cannot write checkpoint '" + file + "': " + e.getMessage()
                    + ". Check free disk space and that --out is writable.", e);
        }
    }

    /**
     * Reads and checks a checkpoint: a readable safetensors file written by train-app for a
     * sentiment classifier, with consistent settings. Every problem is a clear {@link AppException}.
     */
    public static Checkpoint load(Path file) {
        if (!Files.exists(file)) {
            throw new AppException("checkpoint '" + file + "' does not exist. Pass --checkpoint with a .safetensors file "
                    + "written by 'train-app train' (for example runs/<name>/best.safetensors).");
        }
        if (Files.isDirectory(file)) {
            throw new AppException("checkpoint '" + file + "' is a folder; pass the file inside it, e.g. "
                    + file.resolve("best.safetensors"));
        }
        SafeTensors st;
        try {
            st = SafeTensors.read(file);
        } catch (SafeTensorsException e) {
            throw new AppException("checkpoint '" + file + "' is not a valid safetensors file (truncated, corrupt, or "
                    + "another format): " + e.getMessage() + ". Use a checkpoint written by 'train-app train'.", e);
        } catch (AccessDeniedException e) {
            throw new AppException("cannot read checkpoint '" + file + "': permission denied", e);
        } catch (NoSuchFileException e) {
            throw new AppException("checkpoint '" + file + "' does not exist", e);
        } catch (IOException e) {
            throw new AppException("cannot read checkpoint '" + file + "': " + e.getMessage(), e);
        }
        Map<String, String> meta = st.metadata();
        String where = "checkpoint '" + file + "'";
        if (!FORMAT.equals(meta.get(K_FORMAT))) {
            String kind = meta.get(SequenceModel.KIND_KEY);
            throw new AppException(where + " is a safetensors file but not a train-app sentiment checkpoint"
                    + (kind != null ? " (it holds a Recur " + kind + " model" + (meta.containsKey("recur.app.format")
                            ? ", format " + meta.get("recur.app.format") : "") + ")" : " (no " + K_FORMAT + " metadata)")
                    + ". Use a checkpoint written by 'train-app train'.");
        }
        if (!"classifier".equals(meta.get(SequenceModel.KIND_KEY))) {
            throw new AppException(where + " does not hold a sequence classifier (kind: " + meta.get(SequenceModel.KIND_KEY) + ")");
        }
        if (!Tokenizer.NAME.equals(meta.get(K_TOKENIZER))) {
            throw new AppException(where + " was made with tokenizer '" + meta.get(K_TOKENIZER) + "', this train-app has '"
                    + Tokenizer.NAME + "'; use the train-app version that wrote it or train again");
        }
        try {
            ModelConfig mc = ModelConfig.fromMetadata(meta);
            TrainConfig tc = TrainConfig.fromJson(require(meta, TrainConfig.META_KEY, where), where);
            Vocabulary vocab = Vocabulary.deserialize(require(meta, K_VOCAB, where), where);
            if (vocab.size() != mc.vocabSize()) {
                throw new AppException(where + ": the vocabulary has " + vocab.size() + " words but the model's embedding has "
                        + mc.vocabSize() + " rows; the file is inconsistent");
            }
            int maxLen = Integer.parseInt(require(meta, K_MAX_LEN, where));
            TextEncoder.Truncation tr = TextEncoder.Truncation.valueOf(require(meta, K_TRUNCATE, where).toUpperCase(java.util.Locale.ROOT));
            TextEncoder enc = new TextEncoder(new Tokenizer(), vocab, maxLen, tr);
            List<Map<String, Object>> hist = MetricsLog.JSON.readValue(require(meta, K_HISTORY, where), new TypeReference<>() {});
            List<EpochStats> history = new ArrayList<>();
            for (Map<String, Object> h : hist) history.add(EpochStats.fromMap(h));
            TrainState state = new TrainState(Integer.parseInt(require(meta, K_EPOCH, where)),
                    Long.parseLong(require(meta, K_STEPS, where)), Double.parseDouble(require(meta, K_BEST, where)),
                    Integer.parseInt(require(meta, K_BEST_EPOCH, where)), List.copyOf(history));
            return new Checkpoint(file, st, mc, tc, enc, state);
        } catch (AppException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new AppException(where + " has damaged settings in its metadata (" + e.getMessage() + ")", e);
        }
    }

    private static String require(Map<String, String> meta, String key, String where) {
        String v = meta.get(key);
        if (v == null) throw new AppException(where + " lacks the metadata entry " + key + "; the file is incomplete");
        return v;
    }

    /** A new model with this checkpoint's configuration and weights, for batches up to maxSteps × maxBatch. */
    public SequenceClassifier newModel(int maxSteps, int maxBatch) {
        SequenceClassifier model = new SequenceClassifier(modelConfig, trainConfig.seed(), maxSteps, maxBatch);
        try {
            loadInto(model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /** Copies the weights and the dropout streams' positions into {@code model} (same configuration). */
    public void loadInto(SequenceClassifier model) {
        List<String> missing = new ArrayList<>();
        for (Parameter p : model.parameters()) if (!tensors.contains(p.name())) missing.add(p.name());
        if (!missing.isEmpty()) {
            throw new AppException("checkpoint '" + file + "' lacks the tensors " + missing + " of a " + modelConfig.cell()
                    + " model; it is from another model or incomplete");
        }
        try {
            for (Parameter p : model.parameters()) tensors.copyInto(p.name(), p.value());
        } catch (SafeTensorsException e) {
            throw new AppException("checkpoint '" + file + "' does not fit its model: " + e.getMessage(), e);
        }
        model.markGradDirty();
        Map<String, String> rng = new LinkedHashMap<>();
        tensors.metadata().forEach((k, v) -> { if (k.startsWith("recur.rng.")) rng.put(k, v); });
        model.restoreRngState(rng);
    }

    /** Restores the optimizer's step count, learning rate and buffers. */
    public void loadOptimizer(Optimizer optimizer) {
        try {
            optimizer.loadState(tensors);
        } catch (SafeTensorsException e) {
            throw new AppException("cannot resume from '" + file + "': " + e.getMessage(), e);
        }
    }

    public Path file() { return file; }

    public ModelConfig modelConfig() { return modelConfig; }

    public TrainConfig trainConfig() { return trainConfig; }

    public TextEncoder encoder() { return encoder; }

    public TrainState state() { return state; }

    public Map<String, String> metadata() { return tensors.metadata(); }

    /** Number of trainable scalars stored (the model's parameters, not the optimizer state). */
    public long parameterCount() {
        long n = 0;
        for (var e : tensors.tensors().entrySet()) {
            if (!e.getKey().startsWith("optimizer.")) n += e.getValue().elements();
        }
        return n;
    }
}
