package dev.recur.app.run;

import dev.recur.app.core.AppException;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.io.DType;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsException;
import dev.recur.layers.io.SafeTensorsWriter;
import dev.recur.layers.io.TensorInfo;
import dev.recur.layers.optim.Optimizer;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one checkpoint format of every task: a safetensors file (float32 parameters under PyTorch's
 * names, optimizer buffers under {@code optimizer.*}) whose string metadata follows a versioned
 * schema (docs/app.md, "Checkpoint format"):
 * <ul>
 *   <li>{@value #K_FORMAT} = {@value #FORMAT}, {@value #K_VERSION} = {@value #VERSION},
 *       {@value #K_TASK} = {@code sentiment}, {@code lm} or {@code tag};</li>
 *   <li>{@value #K_OPTIONS}: the options that define the run (JSON object, option name → value as
 *       given), compared by {@code --resume};</li>
 *   <li>{@value #K_DATA}: a fingerprint of the training data, compared by {@code --resume};</li>
 *   <li>the task's model configuration and vocabulary or normaliser (task keys such as
 *       {@code recur.model.*}, {@code recur.app.vocab}, {@code lm.*}, {@code tag.*});</li>
 *   <li>the run's progress (epoch, step, best score) and {@code recur.rng.*} dropout counters;</li>
 *   <li>{@code optimizer.*}: the optimizer's type, step, learning rate and hyper-parameters.</li>
 * </ul>
 * Version 1 files (written before this schema: {@code recur.app.format = recur-sentiment-v1} for
 * {@code train}, {@code recur.task = recur.lm | recur.tag} for {@code lm} and {@code tag}) still load.
 *
 * <p>Reading checks everything loading needs, so a file that {@link #read} accepts can be used:
 * a readable safetensors file, of this format and of the expected task, with only finite numbers
 * (a model whose weights hold NaN or Inf is refused, whoever loads it). Writes are atomic
 * (temporary file beside the target, fsync, rename; the temporary file is removed on failure).
 */
public final class Checkpoint {
    /** Value of {@value #K_FORMAT}. */
    public static final String FORMAT = "recur-checkpoint";
    /** The schema version this build writes. */
    public static final int VERSION = 2;

    public static final String K_FORMAT = "recur.format";
    public static final String K_VERSION = "recur.format_version";
    public static final String K_TASK = "recur.task";
    public static final String K_OPTIONS = "recur.run.options";
    public static final String K_DATA = "recur.data.fingerprint";

    private static final String LEGACY_SENTIMENT_KEY = "recur.app.format";
    private static final String LEGACY_SENTIMENT = "recur-sentiment-v1";

    private final Path file;
    private final SafeTensors tensors;
    private final String task;
    private final int version;

    private Checkpoint(Path file, SafeTensors tensors, String task, int version) {
        this.file = file;
        this.tensors = tensors;
        this.task = task;
        this.version = version;
    }

    /**
     * Writes a checkpoint of {@code task} atomically: {@code meta} (the task's keys), the
     * parameters, the optimizer state when {@code optimizer} is not null, and {@code extra} tensors.
     */
    public static void write(Path file, String task, Map<String, String> meta, List<Parameter> params,
                             Optimizer optimizer, Map<String, FloatMatrix> extra) {
        SafeTensorsWriter w = new SafeTensorsWriter();
        w.metadata(meta);
        w.metadata(K_FORMAT, FORMAT);
        w.metadata(K_VERSION, Integer.toString(VERSION));
        w.metadata(K_TASK, task);
        for (Parameter p : params) w.put(p); // PyTorch's shapes (1-D biases)
        if (optimizer != null) optimizer.saveState(w);
        extra.forEach(w::put);
        AtomicFiles.write(file, tmp -> {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                w.writeTo(ch);
                ch.force(true);
            }
        });
    }

    /**
     * Reads and checks a checkpoint of {@code task} ({@code sentiment}, {@code lm}, {@code tag}, {@code forecast} or {@code translate});
     * {@code command} names the command that writes such files, for messages. Every problem is a
     * clear {@link AppException}.
     */
    public static Checkpoint read(Path file, String task, String command) {
        Checkpoint c = readAny(file);
        if (!c.task.equals(task)) {
            throw new AppException("checkpoint '" + file + "' holds a " + describe(c.task) + " (written by '"
                    + commandOf(c.task) + "'), not a " + describe(task) + "; use a checkpoint written by '" + command + "'");
        }
        return c;
    }

    /** Reads and checks a checkpoint of any task (for {@code info}). */
    public static Checkpoint readAny(Path file) {
        if (!Files.exists(file)) {
            throw new AppException("checkpoint '" + file + "' does not exist. Give a .safetensors file written by train-app "
                    + "(for example runs/<name>/best.safetensors).");
        }
        if (Files.isDirectory(file)) {
            throw new AppException("checkpoint '" + file + "' is a folder; give the file inside it, e.g. "
                    + file.resolve("best.safetensors"));
        }
        if (!Files.isRegularFile(file)) {
            throw new AppException("checkpoint '" + file + "' is not a regular file (a pipe or a device?); "
                    + "give a .safetensors file written by train-app");
        }
        SafeTensors st;
        try {
            st = SafeTensors.read(file);
        } catch (SafeTensorsException e) {
            throw new AppException("checkpoint '" + file + "' is not a valid safetensors file (truncated, corrupt, or "
                    + "another format): " + e.getMessage() + ". Use a checkpoint written by train-app.", e);
        } catch (AccessDeniedException e) {
            throw new AppException("cannot read checkpoint '" + file + "': permission denied", e);
        } catch (NoSuchFileException e) {
            throw new AppException("checkpoint '" + file + "' does not exist", e);
        } catch (IOException e) {
            throw new AppException("cannot read checkpoint '" + file + "': " + e.getMessage(), e);
        }
        Map<String, String> m = st.metadata();
        String task;
        int version;
        if (FORMAT.equals(m.get(K_FORMAT))) {
            try {
                version = Integer.parseInt(m.getOrDefault(K_VERSION, ""));
            } catch (NumberFormatException e) {
                throw new AppException("checkpoint '" + file + "' has a damaged " + K_VERSION + " entry ('"
                        + m.get(K_VERSION) + "'); the file is damaged");
            }
            if (version > VERSION) {
                throw new AppException("checkpoint '" + file + "' has format version " + version + ", newer than the "
                        + VERSION + " this train-app reads; use the train-app version that wrote it");
            }
            task = m.get(K_TASK);
            if (!"sentiment".equals(task) && !"lm".equals(task) && !"tag".equals(task) && !"forecast".equals(task)
                    && !"translate".equals(task) && !"speech".equals(task)) {
                throw new AppException("checkpoint '" + file + "' is for an unknown task '" + task + "'; the file is damaged "
                        + "or from a newer train-app");
            }
        } else if (LEGACY_SENTIMENT.equals(m.get(LEGACY_SENTIMENT_KEY))) {
            task = "sentiment";
            version = 1;
        } else if ("recur.lm".equals(m.get(K_TASK))) {
            task = "lm";
            version = 1;
        } else if ("recur.tag".equals(m.get(K_TASK))) {
            task = "tag";
            version = 1;
        } else {
            throw new AppException("checkpoint '" + file + "' is a safetensors file but not a train-app checkpoint (no "
                    + K_FORMAT + " metadata). Use a checkpoint written by 'train', 'lm' or 'tag'.");
        }
        requireFinite(file, st);
        return new Checkpoint(file, st, task, version);
    }

    /** Refuses a file with a NaN or infinite number in any float tensor (weights or optimizer state). */
    private static void requireFinite(Path file, SafeTensors st) {
        for (TensorInfo t : st.tensors().values()) {
            if (t.dtype() != DType.F32 && t.dtype() != DType.F64) continue;
            double[] v;
            try {
                v = t.dtype() == DType.F32 ? toDoubles(st.floats(t.name())) : st.doubles(t.name());
            } catch (SafeTensorsException e) {
                throw new AppException("checkpoint '" + file + "': " + e.getMessage(), e);
            }
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) {
                    throw new AppException("checkpoint '" + file + "' holds " + v[i] + " in tensor " + t.name()
                            + " (element " + i + "): the model is broken (a diverged run?). Use an earlier checkpoint, "
                            + "such as best.safetensors, or train again.");
                }
            }
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static String describe(String task) {
        return switch (task) {
            case "sentiment" -> "sentiment classifier";
            case "lm" -> "character language model";
            case "tag" -> "sequence tagger";
            case "forecast" -> "forecasting model";
            case "translate" -> "translation model";
            case "speech" -> "speech recogniser";
            default -> task + " model";
        };
    }

    private static String commandOf(String task) {
        return switch (task) {
            case "sentiment" -> "train";
            default -> task;
        };
    }

    /** Where the file is. */
    public Path file() { return file; }

    /** {@code sentiment}, {@code lm} or {@code tag}. */
    public String task() { return task; }

    /** The schema version the file was written with (1: before {@value #K_FORMAT} existed). */
    public int version() { return version; }

    /** The raw safetensors file. */
    public SafeTensors tensors() { return tensors; }

    /** All metadata. */
    public Map<String, String> metadata() { return tensors.metadata(); }

    /** A metadata value, or a clear error naming the checkpoint and the key. */
    public String meta(String key) {
        String v = tensors.metadata().get(key);
        if (v == null) {
            throw new AppException("checkpoint '" + file + "' lacks the metadata entry " + key
                    + "; the file is incomplete or from another command");
        }
        return v;
    }

    /** The options the run was started with (empty for a version 1 file, which did not store them). */
    public Map<String, String> runOptions() {
        String json = tensors.metadata().get(K_OPTIONS);
        if (json == null) return Map.of();
        try {
            Map<String, String> out = new LinkedHashMap<>();
            Json.MAPPER.readTree(json).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (IOException e) {
            throw new AppException("checkpoint '" + file + "' has a damaged " + K_OPTIONS + " entry; the file is damaged", e);
        }
    }

    /** Copies every parameter from the file (names and shapes must match). */
    public void loadParameters(List<Parameter> params) {
        for (Parameter p : params) {
            if (!tensors.contains(p.name())) {
                throw new AppException("checkpoint '" + file + "' has no tensor " + p.name()
                        + "; it was written for another model configuration");
            }
            copy(p.name(), p.value());
        }
    }

    /** Copies tensor {@code name} into {@code dst}, with a clear error on a shape mismatch. */
    public void copy(String name, FloatMatrix dst) {
        try {
            tensors.copyInto(name, dst);
        } catch (SafeTensorsException e) {
            throw new AppException("checkpoint '" + file + "' does not fit its model: " + e.getMessage(), e);
        }
    }

    /** Restores the optimizer's step count, learning rate and buffers. */
    public void loadOptimizer(Optimizer optimizer) {
        try {
            optimizer.loadState(tensors);
        } catch (SafeTensorsException e) {
            throw new AppException("cannot resume from '" + file + "': " + e.getMessage(), e);
        }
    }

    /** Loads what resuming a run needs: the parameters, then the optimizer state. */
    public void loadTraining(List<Parameter> params, Optimizer optimizer) {
        loadParameters(params);
        loadOptimizer(optimizer);
    }

    /**
     * Refuses to resume on other data: unless this checkpoint's {@value #K_DATA} is
     * {@code fingerprint}, a usage error "{@code <file> was trained on <otherData>}"
     * ({@code otherData} says what differs and how to resume, e.g. "other recordings; resume with the same --data").
     */
    public void requireData(String fingerprint, String otherData) {
        if (!fingerprint.equals(metadata().get(K_DATA))) throw AppException.usage(file + " was trained on " + otherData);
    }

    /**
     * The metadata a run's checkpoints start with: the task's {@code config} keys, then
     * {@value #K_OPTIONS} (the options that define the run, as JSON) and {@value #K_DATA}.
     */
    public static Map<String, String> runMetadata(Map<String, String> config, Map<String, String> runOptions, String fingerprint) {
        Map<String, String> meta = new LinkedHashMap<>(config);
        meta.put(K_OPTIONS, Json.write(runOptions));
        meta.put(K_DATA, fingerprint);
        return meta;
    }

    /** The {@code recur.rng.*} entries (dropout counters). */
    public Map<String, String> rngState() {
        Map<String, String> rng = new LinkedHashMap<>();
        tensors.metadata().forEach((k, v) -> { if (k.startsWith("recur.rng.")) rng.put(k, v); });
        return rng;
    }

    /** Number of stored model scalars (the parameters and extra tensors, not the optimizer state). */
    public long parameterCount() {
        long n = 0;
        for (var e : tensors.tensors().entrySet()) {
            if (!e.getKey().startsWith("optimizer.") && !e.getKey().startsWith("state.")) n += e.getValue().elements();
        }
        return n;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Checkpoint[%s, %s, version %d]", file, task, version);
    }
}
