package dev.recur.app.run.progress;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Whether standard output or error is a terminal, and its current width. Both come from the C library
 * through the JDK's foreign function API ({@code isatty(2)} and the {@code TIOCGWINSZ} ioctl, the
 * calls {@code stty size} makes), so a resized window is seen at the next redraw. Where that API is
 * not usable, {@code stty size} on {@code /dev/tty} answers, then {@code COLUMNS}, then 80.
 */
final class Terminal {
    private Terminal() {}

    /** The file descriptors of standard output and standard error. */
    static final int STDOUT = 1, STDERR = 2;
    private static final int FALLBACK_COLUMNS = 80;

    private static final MethodHandle ISATTY, IOCTL;
    private static final long TIOCGWINSZ;
    private static final MemorySegment WINSIZE; // struct winsize { unsigned short row, col, xpixel, ypixel; }

    static {
        MethodHandle isatty = null, ioctl = null;
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        TIOCGWINSZ = os.contains("mac") || os.contains("darwin") ? 0x40087468L : 0x5413L;
        MemorySegment winsize = null;
        if (!os.startsWith("windows")) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                isatty = linker.downcallHandle(libc.find("isatty").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                ioctl = linker.downcallHandle(libc.find("ioctl").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                        Linker.Option.firstVariadicArg(2));
                winsize = Arena.global().allocate(8, 2);
            } catch (RuntimeException | LinkageError e) { // no native access: the fallbacks answer
                isatty = null;
                ioctl = null;
            }
        }
        ISATTY = isatty;
        IOCTL = ioctl;
        WINSIZE = winsize;
    }

    /** Whether file descriptor {@code fd} is an interactive terminal that understands cursor movement. */
    static boolean isTerminal(int fd) {
        if ("dumb".equals(System.getenv("TERM"))) return false;
        if (ISATTY != null) {
            try {
                return (int) ISATTY.invokeExact(fd) == 1;
            } catch (Throwable e) {
                // fall through
            }
        }
        var console = System.console();
        return console != null && console.isTerminal();
    }

    private static long sttyCheckedAt;
    private static int sttyColumns;

    /** The width in columns now of the terminal on {@code fd}. */
    static synchronized int columns(int fd) {
        if (IOCTL != null) {
            try {
                if ((int) IOCTL.invokeExact(fd, TIOCGWINSZ, WINSIZE) == 0) {
                    int cols = Short.toUnsignedInt(WINSIZE.get(ValueLayout.JAVA_SHORT, 2));
                    if (cols > 0) return cols;
                }
            } catch (Throwable e) {
                // fall through
            }
        }
        long now = System.nanoTime();
        if (sttyCheckedAt == 0 || now - sttyCheckedAt > 1_000_000_000L) { // a process per second at most
            sttyCheckedAt = now;
            sttyColumns = stty();
        }
        if (sttyColumns > 0) return sttyColumns;
        try {
            int cols = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "").strip());
            if (cols > 0) return cols;
        } catch (NumberFormatException e) {
            // fall through
        }
        return FALLBACK_COLUMNS;
    }

    /** The columns {@code stty size} reports for {@code /dev/tty}, or 0. */
    private static int stty() {
        File tty = new File("/dev/tty");
        if (!tty.exists()) return 0;
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(tty).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (!p.waitFor(1, TimeUnit.SECONDS) || p.exitValue() != 0) return 0;
            String[] rowsCols = out.split("\\s+");
            return rowsCols.length == 2 ? Integer.parseInt(rowsCols[1]) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
