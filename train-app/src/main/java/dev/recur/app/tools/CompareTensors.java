package dev.recur.app.tools;

import dev.recur.layers.io.DType;
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

/**
 * Compares the tensors of two safetensors checkpoints byte for byte — names, order, dtypes, shapes
 * and every stored byte — and ignores the metadata, which holds timings. It is how to check the
 * determinism promise (docs/determinism.md) by hand:
 *
 * <pre>
 * ./recur java -cp train-app/target/train-app.jar dev.recur.app.tools.CompareTensors runs/a/last.safetensors runs/b/last.safetensors
 * </pre>
 *
 * Prints {@code same tensors (N)} and exits 0, or one line per differing tensor (how many
 * elements differ and by how much at most) and exits 1.
 */
public final class CompareTensors {
    private CompareTensors() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CompareTensors A.safetensors B.safetensors");
            System.exit(2);
        }
        List<String> d = differences(Path.of(args[0]), Path.of(args[1]));
        if (d.isEmpty()) {
            System.out.println("same tensors (" + SafeTensors.read(Path.of(args[0])).names().size() + ")");
        } else {
            d.forEach(System.out::println);
        }
        System.exit(d.isEmpty() ? 0 : 1);
    }

    /** The differences between the tensors of {@code a} and {@code b}, one line each; empty when they are the same. */
    public static List<String> differences(Path a, Path b) throws IOException {
        SafeTensors x = SafeTensors.read(a), y = SafeTensors.read(b);
        List<String> out = new ArrayList<>();
        if (!List.copyOf(x.names()).equals(List.copyOf(y.names()))) {
            out.add("tensor names differ: " + x.names() + " against " + y.names());
            return out;
        }
        byte[] bx = Files.readAllBytes(a), by = Files.readAllBytes(b);
        long dx = dataStart(bx), dy = dataStart(by);
        for (String name : x.names()) {
            TensorInfo tx = x.info(name), ty = y.info(name);
            if (tx.dtype() != ty.dtype() || !Arrays.equals(tx.shape(), ty.shape())) {
                out.add(name + ": " + tx.dtype() + tx.shapeText() + " against " + ty.dtype() + ty.shapeText());
                continue;
            }
            if (!Arrays.equals(bx, (int) (dx + tx.begin()), (int) (dx + tx.end()), by, (int) (dy + ty.begin()), (int) (dy + ty.end()))) {
                out.add(describe(x, y, name));
            }
        }
        return out;
    }

    /** Offset of the data section: after the 8-byte little-endian header length and the header. */
    private static long dataStart(byte[] file) {
        return 8 + ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static String describe(SafeTensors x, SafeTensors y, String name) throws IOException {
        if (x.info(name).dtype() != DType.F32) return name + " (" + x.info(name).dtype() + ") differs";
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
