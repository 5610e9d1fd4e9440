package dev.recur.app.sentiment;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.recur.app.core.AppException;
import dev.recur.app.data.TextEncoder;
import dev.recur.app.data.Tokenizer;
import dev.recur.app.data.Vocabulary;
import dev.recur.app.run.Checkpoint;
import dev.recur.app.run.Json;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.model.SequenceModel;
import dev.recur.layers.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sentiment classifier's checkpoint in the one format ({@link Checkpoint}, task {@value #TASK}):
 * besides the schema's keys, the model configuration ({@code recur.model.*}), the tokenizer rules,
 * max-len and truncation, the vocabulary (one word per line), the training configuration
 * ({@value TrainConfig#META_KEY}), the run's progress and history, the dropout streams' positions
 * and the optimizer state. So {@code predict} needs nothing but this file, and {@code --resume}
 * continues bit-exactly.
 */
public final class SentimentCheckpoint {
    /** The task name in {@value Checkpoint#K_TASK}. */
    public static final String TASK = "sentiment";

    static final String K_TOKENIZER = "recur.app.tokenizer";
    static final String K_MAX_LEN = "recur.app.max_len";
    static final String K_TRUNCATE = "recur.app.truncate";
    static final String K_VOCAB = "recur.app.vocab";
    static final String K_EPOCH = "recur.app.epoch";
    static final String K_STEPS = "recur.app.steps";
    static final String K_BEST = "recur.app.best_val_accuracy";
    static final String K_BEST_EPOCH = "recur.app.best_epoch";
    static final String K_HISTORY = "recur.app.history";

    private final Checkpoint file;
    private final ModelConfig modelConfig;
    private final TrainConfig trainConfig;
    private final TextEncoder encoder;
    private final TrainState state;

    private SentimentCheckpoint(Checkpoint file, ModelConfig modelConfig, TrainConfig trainConfig, TextEncoder encoder,
                                TrainState state) {
        this.file = file;
        this.modelConfig = modelConfig;
        this.trainConfig = trainConfig;
        this.encoder = encoder;
        this.state = state;
    }

    /** Writes model, optimizer (may be null), settings, data fingerprint and state to {@code file} atomically. */
    public static void save(Path file, SequenceClassifier model, Optimizer optimizer, TrainConfig config,
                            TextEncoder encoder, TrainState state, String dataFingerprint) {
        Checkpoint.write(file, TASK, metadata(model, config, encoder, state, dataFingerprint), model.parameters(), optimizer,
                Map.of());
    }

    /** The metadata of a checkpoint of {@code model} at {@code state} (what {@link #save} writes besides the tensors). */
    static Map<String, String> metadata(SequenceClassifier model, TrainConfig config, TextEncoder encoder, TrainState state,
                                        String dataFingerprint) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SequenceModel.KIND_KEY, model.kind());
        m.putAll(model.config().toMetadata());
        m.put(TrainConfig.META_KEY, config.toJson());
        m.put(Checkpoint.K_OPTIONS, Json.write(config.options()));
        m.put(Checkpoint.K_DATA, dataFingerprint);
        m.put(K_TOKENIZER, Tokenizer.NAME);
        m.put(K_MAX_LEN, Integer.toString(encoder.maxLen()));
        m.put(K_TRUNCATE, encoder.truncation().name().toLowerCase(Locale.ROOT));
        m.put(K_VOCAB, encoder.vocabulary().serialize());
        m.put(K_EPOCH, Integer.toString(state.epoch()));
        m.put(K_STEPS, Long.toString(state.steps()));
        m.put(K_BEST, Double.toString(state.bestValAccuracy()));
        m.put(K_BEST_EPOCH, Integer.toString(state.bestEpoch()));
        List<Map<String, Object>> hist = new ArrayList<>();
        for (EpochStats s : state.history()) hist.add(s.toMap());
        m.put(K_HISTORY, Json.write(hist));
        m.putAll(model.rngState());
        return m;
    }

    /**
     * Reads and checks a sentiment checkpoint (the one format, or its version 1), with consistent
     * settings and finite numbers. Every problem is a clear {@link AppException}.
     */
    public static SentimentCheckpoint load(Path path) {
        Checkpoint ck = Checkpoint.read(path, TASK, "train");
        Map<String, String> meta = ck.metadata();
        String where = "checkpoint '" + path + "'";
        if (!"classifier".equals(meta.get(SequenceModel.KIND_KEY))) {
            throw new AppException(where + " does not hold a sequence classifier (kind: " + meta.get(SequenceModel.KIND_KEY) + ")");
        }
        if (!Tokenizer.NAME.equals(meta.get(K_TOKENIZER))) {
            throw new AppException(where + " was made with tokenizer '" + meta.get(K_TOKENIZER) + "', this train-app has '"
                    + Tokenizer.NAME + "'; use the train-app version that wrote it or train again");
        }
        try {
            ModelConfig mc = ModelConfig.fromMetadata(meta);
            TrainConfig tc = TrainConfig.fromJson(ck.meta(TrainConfig.META_KEY), where);
            Vocabulary vocab = Vocabulary.deserialize(ck.meta(K_VOCAB), where);
            if (vocab.size() != mc.vocabSize()) {
                throw new AppException(where + ": the vocabulary has " + vocab.size() + " words but the model's embedding has "
                        + mc.vocabSize() + " rows; the file is inconsistent");
            }
            int maxLen = Integer.parseInt(ck.meta(K_MAX_LEN));
            String truncate = ck.meta(K_TRUNCATE);
            if (!truncate.equals("start") && !truncate.equals("end")) {
                throw new AppException(where + ": " + K_TRUNCATE + " is '" + truncate + "', not start or end; the file is damaged");
            }
            TextEncoder.Truncation tr = truncate.equals("start") ? TextEncoder.Truncation.START : TextEncoder.Truncation.END;
            TextEncoder enc = new TextEncoder(new Tokenizer(), vocab, maxLen, tr);
            List<Map<String, Object>> hist = Json.MAPPER.readValue(ck.meta(K_HISTORY), new TypeReference<>() {});
            List<EpochStats> history = new ArrayList<>();
            for (Map<String, Object> h : hist) history.add(EpochStats.fromMap(h));
            TrainState state = new TrainState(Integer.parseInt(ck.meta(K_EPOCH)), Long.parseLong(ck.meta(K_STEPS)),
                    Double.parseDouble(ck.meta(K_BEST)), Integer.parseInt(ck.meta(K_BEST_EPOCH)), List.copyOf(history));
            return new SentimentCheckpoint(ck, mc, tc, enc, state);
        } catch (AppException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new AppException(where + " has damaged settings in its metadata (" + AppException.plain(e.getMessage()) + ")", e);
        }
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
        loadWeights(model);
        model.restoreRngState(file.rngState());
    }

    /** Copies the weights only (fine-tuning from this model). */
    public void loadWeights(SequenceClassifier model) {
        file.loadParameters(model.parameters());
        model.markGradDirty();
    }

    /** Restores the optimizer's step count, learning rate and buffers. */
    public void loadOptimizer(Optimizer optimizer) { file.loadOptimizer(optimizer); }

    public Path file() { return file.file(); }

    public ModelConfig modelConfig() { return modelConfig; }

    public TrainConfig trainConfig() { return trainConfig; }

    public TextEncoder encoder() { return encoder; }

    public TrainState state() { return state; }

    public Map<String, String> metadata() { return file.metadata(); }

    /** The schema version the file was written with. */
    public int version() { return file.version(); }

    /** The options the run was started with (from the training configuration, also for version 1 files). */
    public Map<String, String> runOptions() { return trainConfig.options(); }

    /** The training data's fingerprint, or null (version 1 files). */
    public String dataFingerprint() { return file.metadata().get(Checkpoint.K_DATA); }

    /** Number of trainable scalars stored (the model's parameters, not the optimizer state). */
    public long parameterCount() { return file.parameterCount(); }
}
