package dev.recur.engine.gemm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data caches of the core the JVM runs on, as the operating system reports them (Linux:
 * {@code /sys/devices/system/cpu/cpu0/cache/index*}), for {@link Blocking}'s block sizes.
 * {@link #read()} returns null where the sizes cannot be read (another OS, a container that hides
 * sysfs, a malformed entry); {@link Blocking} then keeps its fallback sizes.
 *
 * @param l1Bytes  size of the L1 data cache of one core
 * @param l1Ways   its associativity
 * @param l1Sets   its number of sets
 * @param lineBytes its line size
 * @param l2Bytes  size of the (unified) L2 cache of one core
 */
public record CacheGeometry(int l1Bytes, int l1Ways, int l1Sets, int lineBytes, int l2Bytes) {

    private static final Path SYSFS = Path.of("/sys/devices/system/cpu/cpu0/cache");

    /** The running machine's caches, or null when the OS does not report them. */
    public static CacheGeometry read() {
        return read(SYSFS);
    }

    /**
     * The caches described by a sysfs-style directory ({@code index0}, {@code index1}, … each with
     * {@code level}, {@code type}, {@code size}, {@code ways_of_associativity},
     * {@code number_of_sets}, {@code coherency_line_size}), or null when the L1 data or L2 entry is
     * missing or unreadable.
     */
    static CacheGeometry read(Path dir) {
        int l1 = -1, ways = -1, sets = -1, line = -1, l2 = -1;
        try {
            if (!Files.isDirectory(dir)) return null;
            for (int i = 0; i < 16; i++) {
                Path index = dir.resolve("index" + i);
                if (!Files.isDirectory(index)) continue;
                String type = text(index, "type");
                int level = Integer.parseInt(text(index, "level"));
                if (level == 1 && type.equals("Data")) {
                    l1 = size(text(index, "size"));
                    ways = Integer.parseInt(text(index, "ways_of_associativity"));
                    sets = Integer.parseInt(text(index, "number_of_sets"));
                    line = Integer.parseInt(text(index, "coherency_line_size"));
                } else if (level == 2 && (type.equals("Unified") || type.equals("Data"))) {
                    l2 = size(text(index, "size"));
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (l1 <= 0 || ways <= 0 || sets <= 0 || line <= 0 || l2 <= 0) return null;
        if ((long) ways * sets * line != l1) return null; // inconsistent entry: do not guess
        return new CacheGeometry(l1, ways, sets, line, l2);
    }

    private static String text(Path index, String name) throws IOException {
        return Files.readString(index.resolve(name)).trim();
    }

    /** "48K", "1280K", "2M" or a plain byte count. */
    static int size(String s) {
        long unit = 1;
        char last = s.isEmpty() ? ' ' : Character.toUpperCase(s.charAt(s.length() - 1));
        if (last == 'K') unit = 1024;
        else if (last == 'M') unit = 1024 * 1024;
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        return Math.toIntExact(Long.parseLong(digits.trim()) * unit);
    }
}
