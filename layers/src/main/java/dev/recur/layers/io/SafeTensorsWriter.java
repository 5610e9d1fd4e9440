package dev.recur.layers.io;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Parameter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a safetensors file and writes it atomically: the bytes go to a temporary file in the same
 * folder, which is flushed to disk ({@code fsync}) and then renamed over the target in one atomic
 * step, so a crash or kill at any moment leaves either the old file or the new one, never a mix.
 *
 * <p>Tensors are written in the order they were added; {@link FloatMatrix} contents are read when
 * {@link #write} runs (not when added). Float data is written little-endian. The header is padded
 * with spaces to a multiple of 8 bytes, as the reference implementation does.
 */
public final class SafeTensorsWriter {

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** An empty file: no metadata, no tensors. */
    public SafeTensorsWriter() {}

    private record Entry(String name, DType dtype, long[] shape, Object source) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Entry> byName = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds a metadata entry (written in {@code __metadata__}). */
    public SafeTensorsWriter metadata(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value of metadata " + key);
        metadata.put(key, value);
        return this;
    }

    /** Adds every metadata entry of {@code map}. */
    public SafeTensorsWriter metadata(Map<String, String> map) {
        map.forEach(this::metadata);
        return this;
    }

    /** Adds {@code m} as an F32 tensor of shape {@code [rows, cols]}. */
    public SafeTensorsWriter put(String name, FloatMatrix m) {
        return put(name, new long[] {m.rows(), m.cols()}, m);
    }

    /** Adds {@code m} as an F32 tensor of the given shape (e.g. {@code [n]} for a 1×n bias). */
    public SafeTensorsWriter put(String name, long[] shape, FloatMatrix m) {
        checkCount(name, shape, m.size());
        return add(new Entry(name, DType.F32, shape.clone(), m));
    }

    /** Adds a parameter's value under its name with PyTorch's shape ({@link Parameter#shape()}: biases 1-D). */
    public SafeTensorsWriter put(Parameter p) {
        return put(p.name(), p.shape(), p.value());
    }

    /** Adds an F32 tensor from an array. */
    public SafeTensorsWriter putFloats(String name, long[] shape, float[] values) {
        checkCount(name, shape, values.length);
        return add(new Entry(name, DType.F32, shape.clone(), values.clone()));
    }

    /** Adds an I64 tensor from an array. */
    public SafeTensorsWriter putLongs(String name, long[] shape, long[] values) {
        checkCount(name, shape, values.length);
        return add(new Entry(name, DType.I64, shape.clone(), values.clone()));
    }

    /** Adds an I32 tensor from an array. */
    public SafeTensorsWriter putInts(String name, long[] shape, int[] values) {
        checkCount(name, shape, values.length);
        return add(new Entry(name, DType.I32, shape.clone(), values.clone()));
    }

    private SafeTensorsWriter add(Entry e) {
        if (e.name.equals("__metadata__")) throw new IllegalArgumentException("\"__metadata__\" is reserved, not a tensor name");
        if (byName.containsKey(e.name)) throw new IllegalArgumentException("tensor \"" + e.name + "\" added twice");
        byName.put(e.name, e);
        entries.add(e);
        return this;
    }

    private static void checkCount(String name, long[] shape, long count) {
        Objects.requireNonNull(name, "name");
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor \"" + name + "\": negative dimension in shape");
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("tensor \"" + name + "\": shape " + java.util.Arrays.toString(shape)
                    + " has " + n + " elements but the data has " + count);
        }
    }

    /** The header JSON (without padding). */
    String header() {
        StringBuilder sb = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            sb.append("\"__metadata__\":").append(Json.writeStringMap(metadata));
        }
        long offset = 0;
        for (Entry e : entries) {
            if (sb.length() > 1) sb.append(',');
            long bytes = elements(e) * e.dtype.bytes();
            Json.writeString(sb, e.name);
            sb.append(":{\"dtype\":\"").append(e.dtype.name()).append("\",\"shape\":[");
            for (int i = 0; i < e.shape.length; i++) {
                if (i > 0) sb.append(',');
                sb.append(e.shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        return sb.append('}').toString();
    }

    private static long elements(Entry e) {
        long n = 1;
        for (long d : e.shape) n *= d;
        return n;
    }

    /**
     * Writes the file atomically (temporary file in the same folder, fsync, atomic rename). On any
     * failure the temporary file is removed and an existing {@code file} is left untouched.
     */
    public void write(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir != null) Files.createDirectories(dir);
        // One fixed name per target, not a fresh random one: a process killed in the middle of a write
        // (SIGKILL runs no cleanup) leaves this file behind, and the next write of the same target
        // overwrites and renames it, so killed-and-resumed runs do not collect temporary files.
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot write " + target + " atomically: the file system does not support atomic rename", e);
            }
            done = true;
            syncDirectory(dir);
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    private static void syncDirectory(Path dir) {
        if (dir == null) return;
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Some platforms cannot open a directory; the rename itself is still atomic.
        }
    }

    /** The whole file as bytes (for tests and small in-memory uses). */
    public byte[] toBytes() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (var ch = java.nio.channels.Channels.newChannel(out)) {
            writeTo(ch);
        }
        return out.toByteArray();
    }

    /**
     * Writes the whole file (header and tensors) to {@code ch}, for a caller that manages the file
     * itself (e.g. its own atomic replacement); {@link #write(Path)} does both.
     */
    public void writeTo(java.nio.channels.WritableByteChannel ch) throws IOException {
        byte[] json = header().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        writeFully(ch, head);

        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        MemorySegment cs = MemorySegment.ofBuffer(chunk);
        for (Entry e : entries) {
            switch (e.source) {
                case FloatMatrix m -> writeMatrix(ch, chunk, cs, m);
                case float[] a -> writeArray(ch, chunk, cs, MemorySegment.ofArray(a), ValueLayout.JAVA_FLOAT, F32_LE, a.length);
                case long[] a -> writeArray(ch, chunk, cs, MemorySegment.ofArray(a), ValueLayout.JAVA_LONG, I64_LE, a.length);
                case int[] a -> writeArray(ch, chunk, cs, MemorySegment.ofArray(a), ValueLayout.JAVA_INT, I32_LE, a.length);
                default -> throw new IllegalStateException("unknown tensor source " + e.source.getClass());
            }
        }
    }

    private static void writeMatrix(java.nio.channels.WritableByteChannel ch, ByteBuffer chunk, MemorySegment cs,
                                    FloatMatrix m) throws IOException {
        int perChunk = chunk.capacity() / Float.BYTES;
        int filled = 0;
        for (int r = 0; r < m.rows(); r++) {
            int c = 0;
            while (c < m.cols()) {
                int n = Math.min(m.cols() - c, perChunk - filled);
                MemorySegment.copy(m.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, m.index(r, c) * Float.BYTES,
                        cs, F32_LE, (long) filled * Float.BYTES, n);
                filled += n;
                c += n;
                if (filled == perChunk) {
                    flush(ch, chunk, filled * Float.BYTES);
                    filled = 0;
                }
            }
        }
        if (filled > 0) flush(ch, chunk, filled * Float.BYTES);
    }

    private static void writeArray(java.nio.channels.WritableByteChannel ch, ByteBuffer chunk, MemorySegment cs,
                                   MemorySegment src, ValueLayout srcLayout, ValueLayout dstLayout, long count)
            throws IOException {
        long size = srcLayout.byteSize();
        long perChunk = chunk.capacity() / size;
        for (long i = 0; i < count; i += perChunk) {
            long n = Math.min(perChunk, count - i);
            MemorySegment.copy(src, srcLayout, i * size, cs, dstLayout, 0, n);
            flush(ch, chunk, (int) (n * size));
        }
    }

    private static void flush(java.nio.channels.WritableByteChannel ch, ByteBuffer chunk, int bytes) throws IOException {
        chunk.clear().limit(bytes);
        writeFully(ch, chunk);
    }

    private static void writeFully(java.nio.channels.WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
