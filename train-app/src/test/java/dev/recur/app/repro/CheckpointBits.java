package dev.recur.app.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Compares the tensors of two safetensors checkpoints byte for byte. */
final class CheckpointBits {
    private CheckpointBits() {}

    /**
     * Asserts that {@code a} and {@code b} hold the same tensors (names, order, dtypes, shapes) with
     * the same bytes. The metadata is not compared (it holds timings). On a difference the message
     * names every differing tensor with its count of differing elements and largest difference.
     */
    static void assertSameTensors(Path a, Path b, String what) throws IOException {
        SafeTensors x = SafeTensors.read(a), y = SafeTensors.read(b);
        assertEquals(List.copyOf(x.names()), List.copyOf(y.names()), what + ": tensor names");
        assertTrue(x.names().size() > 3, what + ": a checkpoint with tensors: " + x.names());
        byte[] bx = Files.readAllBytes(a), by = Files.readAllBytes(b);
        long dx = dataStart(bx), dy = dataStart(by);
        List<String> differing = new ArrayList<>();
        for (String name : x.names()) {
            TensorInfo tx = x.info(name), ty = y.info(name);
            assertEquals(tx.dtype(), ty.dtype(), what + ": dtype of " + name);
            assertEquals(tx.shapeText(), ty.shapeText(), what + ": shape of " + name);
            byte[] px = Arrays.copyOfRange(bx, (int) (dx + tx.begin()), (int) (dx + tx.end()));
            byte[] py = Arrays.copyOfRange(by, (int) (dy + ty.begin()), (int) (dy + ty.end()));
            if (!Arrays.equals(px, py)) differing.add(describe(x, y, name));
        }
        if (!differing.isEmpty()) {
            fail(what + ": " + differing.size() + " of " + x.names().size() + " tensors differ between " + a + " and " + b
                    + ":\n  " + String.join("\n  ", differing));
        }
    }

    /** Offset of the data section: after the 8-byte little-endian header length and the header. */
    private static long dataStart(byte[] file) {
        return 8 + ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static String describe(SafeTensors x, SafeTensors y, String name) throws IOException {
        if (!x.info(name).dtype().name().equals("F32")) return name + " (" + x.info(name).dtype() + ")";
        float[] p = x.floats(name), q = y.floats(name);
        int n = 0;
        double max = 0;
        for (int i = 0; i < p.length; i++) {
            if (Float.floatToRawIntBits(p[i]) != Float.floatToRawIntBits(q[i])) {
                n++;
                max = Math.max(max, Math.abs((double) p[i] - q[i]));
            }
        }
        return name + ": " + n + " of " + p.length + " elements differ, by up to " + max;
    }
}
