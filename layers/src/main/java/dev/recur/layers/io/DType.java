package dev.recur.layers.io;

/** The safetensors element types Recur reads (it writes F32, I64 and I32). All little-endian. */
public enum DType {
    /** 32-bit IEEE float. */
    F32(4),
    /** 64-bit IEEE float. */
    F64(8),
    /** 32-bit signed integer. */
    I32(4),
    /** 64-bit signed integer. */
    I64(8);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    /** The dtype named {@code s} in a header, or null when Recur does not know it. */
    static DType parse(String s) {
        for (DType d : values()) if (d.name().equals(s)) return d;
        return null;
    }
}
