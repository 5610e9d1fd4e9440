package dev.recur.app.repro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.Run;
import dev.recur.app.TinyImdb;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.TensorInfo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a careless user does, for every task: a second run into a folder that holds one, a
 * checkpoint with NaN or infinite weights, inputs without line ends, special files (a FIFO, an
 * endless stream of NUL bytes) given as data. Each gets a bounded, clear one-line error with a
 * non-zero exit code — no Java class names, no stack trace — and nothing already written changes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CarelessUserTest {
    static final String[] LM = {"--layers", "1", "--hidden", "8", "--embed", "8", "--batch", "4", "--tbptt", "16",
        "--threads", "1", "--sample-length", "0", "--seed", "3", "--epochs", "1"};
    static final String[] TAG = {"--hidden", "8", "--word-dim", "8", "--feature-dim", "4", "--batch", "8",
        "--threads", "1", "--seed", "5", "--epochs", "1"};
    Path dir;
    Path imdb;
    Path text;
    Path sentiment;
    Path lm;
    Path tag;

    @BeforeAll
    void trainOneRunOfEachTask(@TempDir Path tmp) throws Exception {
        dir = tmp;
        imdb = TinyImdb.archive(dir);
        text = Files.writeString(dir.resolve("text.txt"), "It is a truth universally acknowledged, that a single man in "
                .repeat(40)); // no line end anywhere
        sentiment = dir.resolve("sentiment");
        lm = dir.resolve("lm");
        tag = dir.resolve("tag");
        ok(Run.of(Run.tiny("train", "--data", imdb.toString(), "--out", sentiment.toString(), "--epochs", "1")));
        ok(Run.of(concat(LM, "lm", "--data", text.toString(), "--out", lm.toString())));
        ok(Run.of(concat(TAG, "tag", "--out", tag.toString())));
    }

    @Test
    void aSecondRunIntoAFolderThatHoldsARunIsRefusedAndTheRunIsKept() throws Exception {
        List<String[]> again = List.of(
                Run.tiny("train", "--data", imdb.toString(), "--out", sentiment.toString(), "--epochs", "1"),
                concat(LM, "lm", "--data", text.toString(), "--out", lm.toString()),
                concat(TAG, "tag", "--out", tag.toString()));
        for (String[] args : again) {
            Path out = Path.of(args[java.util.Arrays.asList(args).indexOf("--out") + 1]);
            byte[] before = Files.readAllBytes(out.resolve("last.safetensors"));
            byte[] metrics = Files.readAllBytes(out.resolve("metrics.jsonl"));
            Run r = Run.of(args);
            assertUserError(r, 2, args[0] + " into " + out, "already holds a run", "--resume");
            assertArrayEquals(before, Files.readAllBytes(out.resolve("last.safetensors")), args[0] + ": the run's checkpoint is untouched");
            assertArrayEquals(metrics, Files.readAllBytes(out.resolve("metrics.jsonl")), args[0] + ": its metrics are untouched");
        }
    }

    @Test
    void aCheckpointWithNanOrInfiniteWeightsIsRefusedByEverythingThatLoadsIt() throws Exception {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            String label = Float.toString(bad);
            Path ck = poison(sentiment.resolve("last.safetensors"), dir.resolve("bad-" + label + ".safetensors"), "rnn.weight_hh_l0", bad);
            assertUserError(Run.of("predict", "--checkpoint", ck.toString(), "A wonderful film."), 1, "predict, " + label,
                    "rnn.weight_hh_l0", label);
            assertUserError(Run.of("eval", "--checkpoint", ck.toString(), "--data", imdb.toString(), "--threads", "1"), 1,
                    "eval, " + label, "rnn.weight_hh_l0", label);
            assertUserError(Run.of("info", "--checkpoint", ck.toString()), 1, "info, " + label, "rnn.weight_hh_l0", label);
            Path lmCk = poison(lm.resolve("best.safetensors"), dir.resolve("bad-lm-" + label + ".safetensors"), null, bad);
            assertUserError(Run.of("sample", "--checkpoint", lmCk.toString(), "--length", "20"), 1, "sample, " + label, label);
        }
    }

    @Test
    void inputsWithoutLineEndsAreRead() throws Exception {
        // the language model above trained on a text without a single line end; a CoNLL file and
        // predict's standard input may end without one too
        Run p = Run.withInput("A wonderful, moving film.", true, "predict", "--checkpoint", sentiment.resolve("best.safetensors").toString());
        assertEquals(0, p.code(), p.toString());
        assertEquals(1, p.out().strip().lines().count(), p.toString());
        assertTrue(p.out().contains("moving film"), p.toString());
        String conll = "The DT B-NP\ndog NN I-NP\nruns VBZ B-VP\n. . O\n\nA DT B-NP\ncat NN I-NP\nsleeps VBZ B-VP\n. . O";
        Path train = Files.writeString(dir.resolve("no-end.conll"), (conll + "\n\n").repeat(10) + conll);
        Run t = Run.of(concat(TAG, "tag", "--train", train.toString(), "--test", train.toString(), "--out", dir.resolve("tag-no-end").toString(),
                "--validation-split", "0.2"));
        assertEquals(0, t.code(), t.toString());
    }

    @Test
    void specialFilesGiveABoundedClearError() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor(), "mkfifo");
        Path fifoReview = Files.createDirectories(dir.resolve("imdb-with-fifo"));
        TinyImdb.writeFolder(fifoReview, TinyImdb.entries());
        assertEquals(0, new ProcessBuilder("mkfifo", fifoReview.resolve("train/pos/99_9.txt").toString()).start().waitFor());
        Path zero = Path.of("/dev/zero");
        List<String[]> cases = List.of(
                new String[] {"train", "--data", fifo.toString(), "--out", dir.resolve("s1").toString()},
                new String[] {"train", "--data", zero.toString(), "--out", dir.resolve("s2").toString()},
                new String[] {"train", "--data", fifoReview.toString(), "--out", dir.resolve("s3").toString()},
                new String[] {"lm", "--data", fifo.toString(), "--out", dir.resolve("s4").toString()},
                new String[] {"lm", "--data", zero.toString(), "--out", dir.resolve("s5").toString()},
                new String[] {"tag", "--train", fifo.toString(), "--out", dir.resolve("s6").toString()},
                new String[] {"tag", "--train", zero.toString(), "--out", dir.resolve("s7").toString()});
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) ps.add(ChildJvm.start(dir.resolve("logs/special-" + i), cases.get(i)));
        Process predict = ChildJvm.start(dir.resolve("logs/special-predict"), ProcessBuilder.Redirect.from(zero.toFile()),
                "predict", "--checkpoint", sentiment.resolve("best.safetensors").toString());
        for (int i = 0; i < cases.size(); i++) {
            ChildJvm.Result r = ChildJvm.finish(ps.get(i), dir.resolve("logs/special-" + i));
            assertUserError(new Run(r.code(), r.out(), r.err()), 1, String.join(" ", cases.get(i)), "not a regular file");
        }
        ChildJvm.Result r = ChildJvm.finish(predict, dir.resolve("logs/special-predict"));
        assertUserError(new Run(r.code(), r.out(), r.err()), 1, "predict < /dev/zero", "standard input", "MiB");
    }

    /** Exit code {@code code}; standard error one line "error: …" holding every {@code words}, no Java internals. */
    static void assertUserError(Run r, int code, String what, String... words) {
        assertEquals(code, r.code(), what + ": " + r);
        List<String> lines = r.err().lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING:")).toList();
        assertEquals(1, lines.size(), what + ": one line of error: " + r);
        String line = lines.get(0);
        assertTrue(line.startsWith("error: "), what + ": " + line);
        for (String w : words) assertTrue(line.contains(w), what + ": the message names '" + w + "': " + line);
        for (String internal : List.of("Exception", "\tat ", "dev.recur.", "java.", "jdk.")) {
            assertFalse(line.contains(internal), what + ": no Java internals (" + internal + ") in: " + line);
        }
    }

    /** A copy of {@code from} with element 0 of tensor {@code name} (null: the first F32 tensor) set to {@code value}. */
    static Path poison(Path from, Path to, String name, float value) throws IOException {
        Files.copy(from, to);
        SafeTensors st = SafeTensors.read(from);
        if (name == null) name = st.names().iterator().next();
        TensorInfo t = st.info(name);
        long header;
        try (RandomAccessFile f = new RandomAccessFile(to.toFile(), "rw")) {
            byte[] len = new byte[8];
            f.readFully(len);
            header = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            f.seek(8 + header + t.begin());
            f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
        }
        return to;
    }

    private static void ok(Run r) {
        assertEquals(0, r.code(), r.toString());
    }

    private static String[] concat(String[] options, String... first) {
        String[] all = new String[first.length + options.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(options, 0, all, first.length, options.length);
        return all;
    }
}
