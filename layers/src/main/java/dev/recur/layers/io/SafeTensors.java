package dev.recur.layers.io;

import dev.recur.engine.FloatMatrix;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file read into memory and validated.
 *
 * <p>Format: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8 JSON
 * {@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "value", ...}}}; then the data section, raw little-endian elements, the
 * offsets being relative to its start.
 *
 * <p>{@link #read} checks, and reports with the file name: the file is at least 8 bytes; the header
 * length is within the file and at most 100 MB; the header is UTF-8 JSON, an object of objects;
 * every dtype is known (F32, F64, I32, I64); shapes are lists of non-negative integers; offsets are
 * two integers {@code 0 ≤ begin ≤ end ≤ data length}; {@code end − begin} equals elements × element
 * size; no two tensors overlap; metadata is an object of strings.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class SafeTensors {

    /** Upper bound on the JSON header (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final MemorySegment data;

    private SafeTensors(Path file, Map<String, TensorInfo> tensors, Map<String, String> metadata, MemorySegment data) {
        this.file = file;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
        this.data = data;
    }

    /** Reads and validates {@code file}. */
    public static SafeTensors read(Path file) throws IOException {
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new SafeTensorsException(file, "file of " + size + " bytes is larger than the 2 GB Recur reads");
            }
            bytes = new byte[(int) size];
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) break;
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such checkpoint file");
        }
        return parse(file, bytes);
    }

    /** Parses and validates a whole safetensors file held in {@code bytes}; {@code file} names it in errors. */
    public static SafeTensors parse(Path file, byte[] bytes) throws SafeTensorsException {
        if (bytes.length < 8) {
            throw new SafeTensorsException(file, "not a safetensors file: only " + bytes.length
                    + " bytes (a safetensors file starts with an 8-byte header length)");
        }
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER_BYTES) {
            throw new SafeTensorsException(file, "not a safetensors file: header length " + Long.toUnsignedString(n)
                    + " is not between 2 and " + MAX_HEADER_BYTES + " bytes");
        }
        if (8 + n > bytes.length) {
            throw new SafeTensorsException(file, "truncated or not safetensors: header length " + n
                    + " goes beyond the end of the " + bytes.length + "-byte file");
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, "not a safetensors file: the header is not UTF-8 text");
        }
        Object root;
        try {
            root = Json.parse(json);
        } catch (Json.ParseException e) {
            throw new SafeTensorsException(file, "corrupt header (not valid JSON: " + e.getMessage() + ")");
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new SafeTensorsException(file, "corrupt header: the JSON is not an object");
        }
        long dataLength = bytes.length - 8 - n;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw new SafeTensorsException(file, "corrupt header: __metadata__ is not an object");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String s)) {
                        throw new SafeTensorsException(file, "corrupt header: metadata \"" + m.getKey() + "\" is not a string");
                    }
                    metadata.put((String) m.getKey(), s);
                }
                continue;
            }
            tensors.put(name, tensorInfo(file, name, e.getValue(), dataLength));
        }
        checkNoOverlap(file, tensors);
        MemorySegment data = MemorySegment.ofArray(bytes).asSlice(8 + n, dataLength);
        return new SafeTensors(file, tensors, metadata, data);
    }

    private static TensorInfo tensorInfo(Path file, String name, Object v, long dataLength) throws SafeTensorsException {
        String where = "tensor \"" + name + "\"";
        if (!(v instanceof Map<?, ?> m)) throw new SafeTensorsException(file, "corrupt header: " + where + " is not an object");
        if (!(m.get("dtype") instanceof String dt)) {
            throw new SafeTensorsException(file, "corrupt header: " + where + " has no dtype string");
        }
        DType dtype = DType.parse(dt);
        if (dtype == null) {
            throw new SafeTensorsException(file, where + " has dtype " + dt
                    + ", which Recur does not read (it reads F32, F64, I32, I64)");
        }
        if (!(m.get("shape") instanceof List<?> sl)) {
            throw new SafeTensorsException(file, "corrupt header: " + where + " has no shape list");
        }
        long[] shape = new long[sl.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(sl.get(i) instanceof Long d) || d < 0) {
                throw new SafeTensorsException(file, "corrupt header: " + where + " has a shape entry that is not a non-negative integer: " + sl);
            }
            shape[i] = d;
        }
        if (!(m.get("data_offsets") instanceof List<?> ol) || ol.size() != 2
                || !(ol.get(0) instanceof Long begin) || !(ol.get(1) instanceof Long end)) {
            throw new SafeTensorsException(file, "corrupt header: " + where + " needs data_offsets [begin, end] as two integers");
        }
        if (begin < 0 || end < begin || end > dataLength) {
            throw new SafeTensorsException(file, "truncated or corrupt: " + where + " has data_offsets [" + begin + ", " + end
                    + "] outside the " + dataLength + "-byte data section");
        }
        long elements;
        try {
            elements = 1;
            for (long d : shape) elements = Math.multiplyExact(elements, d);
            Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException overflow) {
            throw new SafeTensorsException(file, "corrupt header: " + where + " has an impossibly large shape " + sl);
        }
        if (elements * dtype.bytes() != end - begin) {
            throw new SafeTensorsException(file, "corrupt header: " + where + " of shape " + sl + " and dtype " + dtype
                    + " needs " + elements * dtype.bytes() + " bytes but its offsets span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path file, Map<String, TensorInfo> tensors) throws SafeTensorsException {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() == t.end()) continue; // empty tensors take no room
            if (prev != null && t.begin() < prev.end()) {
                throw new SafeTensorsException(file, "corrupt header: tensors \"" + prev.name() + "\" and \"" + t.name()
                        + "\" overlap in the data section");
            }
            prev = t;
        }
    }

    /** The file this was read from. */
    public Path file() { return file; }

    /** Tensor names in header order. */
    public Set<String> names() { return tensors.keySet(); }

    /** All tensor entries by name, in header order. */
    public Map<String, TensorInfo> tensors() { return tensors; }

    public boolean contains(String name) { return tensors.containsKey(name); }

    /** The {@code __metadata__} string map (empty when absent). */
    public Map<String, String> metadata() { return metadata; }

    /** The entry for {@code name}; a clear error when absent. */
    public TensorInfo info(String name) throws SafeTensorsException {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new SafeTensorsException(file, "has no tensor named \"" + name + "\"");
        return t;
    }

    private MemorySegment bytesOf(TensorInfo t) { return data.asSlice(t.begin(), t.end() - t.begin()); }

    private int count(TensorInfo t) throws SafeTensorsException {
        long n = t.elements();
        if (n > Integer.MAX_VALUE - 16) throw new SafeTensorsException(file, "tensor \"" + t.name() + "\" is too large for an array");
        return (int) n;
    }

    /** The F32 tensor {@code name} as a row-major array. */
    public float[] floats(String name) throws SafeTensorsException {
        TensorInfo t = require(name, DType.F32);
        float[] out = new float[count(t)];
        MemorySegment.copy(bytesOf(t), F32_LE, 0, out, 0, out.length);
        return out;
    }

    /** The F64 or F32 tensor {@code name} as doubles. */
    public double[] doubles(String name) throws SafeTensorsException {
        TensorInfo t = info(name);
        double[] out = new double[count(t)];
        MemorySegment s = bytesOf(t);
        switch (t.dtype()) {
            case F64 -> MemorySegment.copy(s, F64_LE, 0, out, 0, out.length);
            case F32 -> { for (int i = 0; i < out.length; i++) out[i] = s.getAtIndex(F32_LE, i); }
            default -> throw wrongType(t, "F64 or F32");
        }
        return out;
    }

    /** The I64 or I32 tensor {@code name} as longs. */
    public long[] longs(String name) throws SafeTensorsException {
        TensorInfo t = info(name);
        long[] out = new long[count(t)];
        MemorySegment s = bytesOf(t);
        switch (t.dtype()) {
            case I64 -> MemorySegment.copy(s, I64_LE, 0, out, 0, out.length);
            case I32 -> { for (int i = 0; i < out.length; i++) out[i] = s.getAtIndex(I32_LE, i); }
            default -> throw wrongType(t, "I64 or I32");
        }
        return out;
    }

    /** The I32 or I64 tensor {@code name} as ints (an I64 value outside the int range is an error). */
    public int[] ints(String name) throws SafeTensorsException {
        TensorInfo t = info(name);
        if (t.dtype() == DType.I32) {
            int[] out = new int[count(t)];
            MemorySegment.copy(bytesOf(t), I32_LE, 0, out, 0, out.length);
            return out;
        }
        long[] l = longs(name);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] != (int) l[i]) {
                throw new SafeTensorsException(file, "tensor \"" + name + "\" element " + i + " = " + l[i] + " does not fit an int");
            }
            out[i] = (int) l[i];
        }
        return out;
    }

    /**
     * Copies the F32 tensor {@code name} into {@code dst}. The stored shape must be
     * {@code [rows, cols]}, or {@code [cols]} when {@code dst} has one row (PyTorch's 1-D biases),
     * or {@code [rows]} when it has one column. A tensor holding NaN or infinite values is refused
     * with a message naming it, and {@code dst} is left unchanged.
     */
    public void copyInto(String name, FloatMatrix dst) throws SafeTensorsException {
        TensorInfo t = require(name, DType.F32);
        long[] s = t.shape();
        boolean ok = (s.length == 2 && s[0] == dst.rows() && s[1] == dst.cols())
                || (s.length == 1 && dst.rows() == 1 && s[0] == dst.cols())
                || (s.length == 1 && dst.cols() == 1 && s[0] == dst.rows());
        if (!ok) {
            throw new SafeTensorsException(file, "tensor \"" + name + "\" has shape " + t.shapeText()
                    + " but the model expects " + dst.rows() + "×" + dst.cols()
                    + " (was the checkpoint written for another model configuration?)");
        }
        MemorySegment src = bytesOf(t);
        long nan = 0, inf = 0, n = t.elements();
        for (long i = 0; i < n; i++) {
            float v = src.getAtIndex(F32_LE, i);
            if (Float.isNaN(v)) nan++;
            else if (Float.isInfinite(v)) inf++;
        }
        if (nan + inf > 0) {
            throw new SafeTensorsException(file, "tensor \"" + name + "\" holds " + nan + " NaN and " + inf
                    + " infinite values; the run that wrote it diverged or the file is damaged — use an earlier checkpoint");
        }
        MemorySegment out = dst.segment();
        long rowBytes = (long) dst.cols() * Float.BYTES;
        for (int r = 0; r < dst.rows(); r++) {
            MemorySegment.copy(src, F32_LE, r * rowBytes, out, ValueLayout.JAVA_FLOAT_UNALIGNED,
                    dst.index(r, 0) * Float.BYTES, dst.cols());
        }
    }

    private TensorInfo require(String name, DType dtype) throws SafeTensorsException {
        TensorInfo t = info(name);
        if (t.dtype() != dtype) throw wrongType(t, dtype.name());
        return t;
    }

    private SafeTensorsException wrongType(TensorInfo t, String wanted) {
        return new SafeTensorsException(file, "tensor \"" + t.name() + "\" has dtype " + t.dtype() + ", expected " + wanted);
    }
}
