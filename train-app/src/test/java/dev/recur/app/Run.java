package dev.recur.app;

import dev.recur.app.core.Io;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs the whole program in-process with captured streams. */
public record Run(int code, String out, String err) {
    public static Run of(String... args) { return withInput("", true, args); }

    public static Run withInput(String stdin, boolean vectorApi, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        Io io = new Io(new PrintWriter(out, true), new PrintWriter(err, true),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), false);
        int code = Main.run(io, vectorApi, args);
        return new Run(code, out.toString(), err.toString());
    }

    public static Run withBytes(byte[] stdin, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        Io io = new Io(new PrintWriter(out, true), new PrintWriter(err, true), new ByteArrayInputStream(stdin), false);
        int code = Main.run(io, true, args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The tiny-model options every test run uses (fast, single thread, deterministic). */
    public static final String[] TINY = {"--embed", "8", "--hidden", "8", "--vocab-size", "50", "--batch", "4",
        "--max-len", "20", "--threads", "1", "--seed", "7", "--validation-split", "0.25"};

    public static String[] tiny(String... more) {
        String[] all = new String[TINY.length + more.length];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(TINY, 0, all, more.length, TINY.length);
        return all;
    }

    @Override
    public String toString() { return "exit " + code + "\n--- out\n" + out + "\n--- err\n" + err; }
}
