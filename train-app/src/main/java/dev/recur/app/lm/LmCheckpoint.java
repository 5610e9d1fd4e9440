package dev.recur.app.lm;

import dev.recur.app.AppException;
import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsException;
import dev.recur.layers.io.SafeTensorsWriter;
import dev.recur.layers.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reading and writing model checkpoints ({@code safetensors}, written atomically by
 * {@link SafeTensorsWriter}): parameters under their PyTorch names, optionally the optimizer state
 * and extra tensors (such as the carried recurrent state), and string metadata. Shared by the
 * {@code lm} and {@code tag} commands.
 */
public final class LmCheckpoint {
    private LmCheckpoint() { }

    /** Writes {@code params}, the optimizer state (when not null), {@code extra} tensors and {@code meta}. */
    public static void write(Path file, List<Parameter> params, Optimizer opt, Map<String, FloatMatrix> extra,
                             Map<String, String> meta) {
        SafeTensorsWriter w = new SafeTensorsWriter();
        w.metadata(meta);
        for (Parameter p : params) w.put(p);
        if (opt != null) opt.saveState(w);
        extra.forEach(w::put);
        try {
            w.write(file);
        } catch (IOException e) {
            throw new AppException("cannot write checkpoint " + file + ": " + e.getMessage()
                    + "; check the --out folder is writable and has space", e);
        }
    }

    /** Reads and validates a checkpoint, with a clear error when it is missing or not safetensors. */
    public static SafeTensors read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new AppException(file + ": no such checkpoint file; give a .safetensors file written by train-app");
        }
        try {
            return SafeTensors.read(file);
        } catch (SafeTensorsException e) {
            throw new AppException(e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new AppException(file + ": no such checkpoint file", e);
        } catch (IOException e) {
            throw new AppException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** Copies every parameter from {@code st} (names and shapes must match). */
    public static void loadParameters(SafeTensors st, List<Parameter> params) {
        for (Parameter p : params) {
            if (!st.contains(p.name())) {
                throw new AppException(st.file() + ": has no tensor " + p.name()
                        + "; the checkpoint was written for another model configuration");
            }
            copy(st, p.name(), p.value());
        }
    }

    /** Copies tensor {@code name} into {@code dst} with a clear error on a shape mismatch. */
    public static void copy(SafeTensors st, String name, FloatMatrix dst) {
        try {
            st.copyInto(name, dst);
        } catch (SafeTensorsException e) {
            throw new AppException(e.getMessage(), e);
        }
    }

    /** Restores the optimizer's state. */
    public static void loadOptimizer(SafeTensors st, Optimizer opt) {
        try {
            opt.loadState(st);
        } catch (SafeTensorsException e) {
            throw new AppException(e.getMessage() + " (resume with the same --optimizer)", e);
        }
    }

    /** A metadata value, or a clear error naming the checkpoint. */
    public static String meta(SafeTensors st, String key) {
        String v = st.metadata().get(key);
        if (v == null) throw new AppException(st.file() + ": metadata '" + key + "' is missing; the checkpoint is damaged or from another command");
        return v;
    }
}
