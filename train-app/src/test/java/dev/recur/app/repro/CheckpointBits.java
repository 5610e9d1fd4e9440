package dev.recur.app.repro;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recur.app.tools.CompareTensors;
import dev.recur.layers.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Assertions on checkpoints' tensors, through the user's own tool ({@link CompareTensors}). */
final class CheckpointBits {
    private CheckpointBits() {}

    /** Asserts that {@code a} and {@code b} hold the same tensors with the same bytes (metadata aside). */
    static void assertSameTensors(Path a, Path b, String what) throws IOException {
        assertTrue(SafeTensors.read(a).names().size() > 3, what + ": a checkpoint with tensors: " + a);
        List<String> d = CompareTensors.differences(a, b);
        if (!d.isEmpty()) {
            fail(what + ": " + d.size() + " tensors differ between " + a + " and " + b + ":\n  " + String.join("\n  ", d));
        }
    }
}
