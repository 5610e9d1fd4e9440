package dev.recur.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.core.Io;
import dev.recur.app.lm.LmTrainer;
import dev.recur.app.tag.TagTrainer;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsWriter;
import dev.recur.layers.io.TensorInfo;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same guarantees for every task, tried as a careless user would (each command run as a user
 * runs it, checking exit code and message): a second run into a folder that holds one, resume with
 * other options or data, checkpoints holding NaN, old checkpoints, special files as input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CarelessUserTest {
    static final String[] LM = {"--layers", "1", "--hidden", "8", "--embed", "4", "--batch", "4", "--tbptt", "16",
        "--threads", "1", "--sample-length", "0", "--seed", "3"};
    static final String[] TAG = {"--hidden", "8", "--word-dim", "8", "--feature-dim", "4", "--batch", "8",
        "--threads", "1", "--seed", "5", "--validation-split", "0.1"};

    Path dir, archive, sentiment, lm, tag, text, conll;

    static String[] with(String[] base, String... more) {
        String[] all = new String[more.length + base.length];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(base, 0, all, more.length, base.length);
        return all;
    }

    /** {@code base} with {@code option}'s value replaced by {@code value}. */
    static String[] set(String[] base, String option, String value) {
        String[] out = base.clone();
        for (int i = 0; i < out.length - 1; i++) if (out[i].equals(option)) out[i + 1] = value;
        return out;
    }

    @BeforeAll
    void trainOneOfEach(@TempDir Path tmp) throws Exception {
        dir = tmp;
        archive = TinyImdb.archive(dir);
        sentiment = dir.resolve("sentiment");
        ok(Run.of(Run.tiny("train", "--data", archive.toString(), "--out", sentiment.toString(), "--epochs", "1")));
        try (InputStream in = LmTrainer.class.getResourceAsStream(LmTrainer.TINY_TEXT)) {
            text = Files.writeString(dir.resolve("tiny.txt"), new String(in.readAllBytes(), StandardCharsets.UTF_8).substring(0, 3000));
        }
        lm = dir.resolve("lm");
        ok(Run.of(with(LM, "lm", "--data", text.toString(), "--out", lm.toString(), "--epochs", "1")));
        try (InputStream in = TagTrainer.class.getResourceAsStream(TagTrainer.TINY_TRAIN)) {
            conll = Files.write(dir.resolve("train.txt"), in.readAllBytes());
        }
        tag = dir.resolve("tag");
        ok(Run.of(with(TAG, "tag", "--train", conll.toString(), "--out", tag.toString(), "--epochs", "1")));
    }

    private static void ok(Run r) { assertEquals(0, r.code(), r.toString()); }

    /** Exit code {@code code}, every fragment in stderr, and nothing a user should not see. */
    private static void fails(Run r, int code, String... fragments) {
        assertEquals(code, r.code(), r.toString());
        for (String f : fragments) assertTrue(r.err().contains(f), "missing '" + f + "' in\n" + r);
        noInternals(r);
    }

    private static void noInternals(Run r) {
        for (String bad : List.of("Exception", "\tat ", "dev.recur.", "java.", "$")) {
            assertFalse(r.err().contains(bad), "'" + bad + "' reaches the user:\n" + r);
        }
    }

    /** A copy of checkpoint {@code from} with its metadata changed by {@code meta} and, when {@code poison} is not null, NaN in that tensor. */
    static Path rewrite(Path from, Path to, Consumer<Map<String, String>> meta, String poison) throws Exception {
        SafeTensors st = SafeTensors.read(from);
        Map<String, String> m = new LinkedHashMap<>(st.metadata());
        meta.accept(m);
        SafeTensorsWriter w = new SafeTensorsWriter().metadata(m);
        for (TensorInfo t : st.tensors().values()) {
            switch (t.dtype()) {
                case F32 -> {
                    float[] v = st.floats(t.name());
                    if (t.name().equals(poison)) v[v.length / 2] = Float.NaN;
                    w.putFloats(t.name(), t.shape(), v);
                }
                case I64 -> w.putLongs(t.name(), t.shape(), st.longs(t.name()));
                case I32 -> w.putInts(t.name(), t.shape(), st.ints(t.name()));
                default -> throw new IllegalStateException("tensor type " + t.dtype() + " not copied by this test");
            }
        }
        Files.createDirectories(to.getParent());
        w.write(to);
        return to;
    }

    static Path copyRun(Path run, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(run)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }

    @Test
    void anEmptyOutIsRefusedRatherThanTrainingIntoTheWorkingFolder() {
        String cwd = System.getProperty("user.dir");
        java.io.File[] before = new java.io.File(cwd).listFiles();
        for (String[] cmd : List.of(Run.tiny("train", "--data", archive.toString(), "--out", ""),
                with(LM, "lm", "--data", text.toString(), "--out", ""),
                with(TAG, "tag", "--train", conll.toString(), "--out", ""),
                new String[] {"gradients", "--out", ""})) {
            fails(Run.of(cmd), 2, "--out is empty");
        }
        assertEquals(before.length, new java.io.File(cwd).listFiles().length, "nothing written into " + cwd);
    }

    @Test
    void anOutThatCannotBeCreatedSaysWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Run r = Run.of(with(LM, "lm", "--data", text.toString(), "--out", file.resolve("run").toString()));
        fails(r, 1, "cannot create the output folder", "Choose another --out");
        String line = r.err().lines().filter(l -> l.startsWith("error:")).findFirst().orElse("");
        assertFalse(line.endsWith(": " + file.resolve("run") + ". Choose another --out."), "a reason, not only the path: " + line);
    }

    @Test
    void aSecondRunIntoAFolderThatHoldsOneIsRefusedForEveryTask() throws Exception {
        byte[] lmBefore = Files.readAllBytes(lm.resolve("last.safetensors"));
        byte[] tagBefore = Files.readAllBytes(tag.resolve("last.safetensors"));
        byte[] sentimentBefore = Files.readAllBytes(sentiment.resolve("last.safetensors"));
        fails(Run.of(with(LM, "lm", "--data", text.toString(), "--out", lm.toString())), 2, "already holds a run", "--resume");
        fails(Run.of(with(TAG, "tag", "--train", conll.toString(), "--out", tag.toString())), 2, "already holds a run", "--resume");
        fails(Run.of(Run.tiny("train", "--data", archive.toString(), "--out", sentiment.toString())), 2, "already holds a run");
        assertArrayEquals(lmBefore, Files.readAllBytes(lm.resolve("last.safetensors")));
        assertArrayEquals(tagBefore, Files.readAllBytes(tag.resolve("last.safetensors")));
        assertArrayEquals(sentimentBefore, Files.readAllBytes(sentiment.resolve("last.safetensors")));
        fails(Run.of(with(LM, "lm", "--data", text.toString(), "--out", dir.resolve("nothing").toString(), "--resume")), 1,
                "nothing to resume");
        fails(Run.of(with(TAG, "tag", "--out", dir.resolve("nothing").toString(), "--resume")), 1, "nothing to resume");
    }

    @Test
    void resumeRefusesChangedModelOptionsOfLmAndTagNamingBothValues() {
        fails(Run.of(with(set(LM, "--hidden", "16"), "lm", "--data", text.toString(), "--out", lm.toString(), "--resume",
                "--epochs", "2")), 2, "--hidden 16 (the run was started with 8)");
        fails(Run.of(with(set(TAG, "--hidden", "32"), "tag", "--train", conll.toString(), "--out", tag.toString(), "--resume",
                "--epochs", "2", "--lr", "0.5")), 2, "--hidden 32 (the run was started with 8)",
                "--lr 0.5 (the run was started with 0.002)");
    }

    @Test
    void resumeWithTheRunsOwnOptionsIsAcceptedForLmAndTag() throws Exception {
        Path lmCopy = copyRun(lm, dir.resolve("lm-again"));
        ok(Run.of(with(LM, "lm", "--data", text.toString(), "--out", lmCopy.toString(), "--resume", "--epochs", "2")));
        Path tagCopy = copyRun(tag, dir.resolve("tag-again"));
        ok(Run.of(with(TAG, "tag", "--train", conll.toString(), "--out", tagCopy.toString(), "--resume", "--epochs", "2")));
    }

    @Test
    void resumeOnOtherDataIsRefusedForEveryTask() throws Exception {
        Path other = Files.writeString(dir.resolve("other.txt"), Files.readString(conll).replaceFirst("(?m)^(\\S+)", "Changed"));
        fails(Run.of(with(TAG, "tag", "--train", other.toString(), "--out", tag.toString(), "--resume", "--epochs", "2")), 2,
                "other sentences");
        Path otherText = Files.writeString(dir.resolve("other-text.txt"), Files.readString(text).replace('e', 'a'));
        fails(Run.of(with(LM, "lm", "--data", otherText.toString(), "--out", lm.toString(), "--resume", "--epochs", "2")), 2,
                "other text");
        Map<String, byte[]> entries = TinyImdb.entries();
        entries.put("train/pos/0_7.txt", "a different review, good".getBytes(StandardCharsets.UTF_8));
        Path otherImdb = Files.write(dir.resolve("other-imdb.tar.gz"), TinyImdb.tarGz("aclImdb/", entries));
        fails(Run.of("train", "--data", otherImdb.toString(), "--out", sentiment.toString(), "--resume", "--epochs", "2"), 2,
                "other reviews");
    }

    @Test
    void aCheckpointWithNaNWeightsIsRefusedByEverythingThatLoadsIt() throws Exception {
        Path bad = rewrite(sentiment.resolve("best.safetensors"), dir.resolve("nan/best.safetensors"), m -> { }, "embedding.weight");
        fails(Run.of("predict", "--checkpoint", bad.toString(), "a fine film"), 1, "NaN", "embedding.weight");
        fails(Run.of("eval", "--checkpoint", bad.toString(), "--data", archive.toString()), 1, "NaN", "embedding.weight");
        fails(Run.of("info", "--checkpoint", bad.toString()), 1, "NaN", "embedding.weight");
        fails(Run.of(Run.tiny("train", "--data", archive.toString(), "--out", dir.resolve("ft-nan").toString(),
                "--init-from", bad.toString())), 1, "NaN");
        Path run = copyRun(sentiment, dir.resolve("nan-run"));
        rewrite(sentiment.resolve("last.safetensors"), run.resolve("last.safetensors"), m -> { }, "fc.weight");
        fails(Run.of("train", "--resume", "--out", run.toString(), "--epochs", "2"), 1, "NaN", "fc.weight");

        Path badLm = rewrite(lm.resolve("best.safetensors"), dir.resolve("nan/lm.safetensors"), m -> { }, "fc.weight");
        fails(Run.of("sample", "--checkpoint", badLm.toString(), "--length", "5"), 1, "NaN", "fc.weight");
        fails(Run.of("info", "--checkpoint", badLm.toString()), 1, "NaN");
        Path badTag = rewrite(tag.resolve("best.safetensors"), dir.resolve("nan/tag.safetensors"), m -> { }, "fc.bias");
        fails(Run.of("info", "--checkpoint", badTag.toString()), 1, "NaN", "fc.bias");
    }

    @Test
    void aCheckpointOfAnotherTaskGetsAClearMessage() {
        fails(Run.of("predict", "--checkpoint", lm.resolve("best.safetensors").toString(), "hi"), 1,
                "character language model", "'train'");
        fails(Run.of("sample", "--checkpoint", tag.resolve("best.safetensors").toString()), 1, "sequence tagger", "'lm'");
    }

    @Test
    void infoShowsEveryTasksCheckpointAfterLoadingIt() {
        for (Path run : List.of(sentiment, lm, tag)) {
            Run r = Run.of("info", "--checkpoint", run.resolve("best.safetensors").toString(), "--json");
            ok(r);
            assertTrue(r.out().contains("\"format_version\":2"), r.out());
        }
        assertTrue(Run.of("info", "--checkpoint", lm.resolve("last.safetensors").toString()).out().contains("lm"));
    }

    @Test
    void checkpointsOfFormatVersion1StillLoad() throws Exception {
        // as written before the one format: train's recur.app.format marker, lm's and tag's recur.task names
        Consumer<Map<String, String>> sentimentV1 = m -> {
            m.keySet().removeIf(k -> k.startsWith("recur.format") || k.equals("recur.task") || k.startsWith("recur.run.")
                    || k.startsWith("recur.data."));
            m.put("recur.app.format", "recur-sentiment-v1");
        };
        Path run = copyRun(sentiment, dir.resolve("v1-run"));
        rewrite(sentiment.resolve("last.safetensors"), run.resolve("last.safetensors"), sentimentV1, null);
        rewrite(sentiment.resolve("best.safetensors"), run.resolve("best.safetensors"), sentimentV1, null);
        Run info = Run.of("info", "--checkpoint", run.resolve("best.safetensors").toString(), "--json");
        ok(info);
        assertTrue(info.out().contains("\"format_version\":1"), info.out());
        ok(Run.of("predict", "--checkpoint", run.resolve("best.safetensors").toString(), "a fine film"));
        ok(Run.of("train", "--resume", "--out", run.toString(), "--epochs", "2", "--hidden", "8"));
        fails(Run.of("train", "--resume", "--out", run.toString(), "--epochs", "3", "--hidden", "9"), 2,
                "--hidden 9 (the run was started with 8)");

        Path lmV1 = rewrite(lm.resolve("best.safetensors"), dir.resolve("v1/lm.safetensors"), m -> {
            m.keySet().removeIf(k -> k.startsWith("recur.format") || k.startsWith("recur.run.") || k.startsWith("recur.data."));
            m.put("recur.task", "recur.lm");
        }, null);
        ok(Run.of("sample", "--checkpoint", lmV1.toString(), "--length", "5"));
        Path newer = rewrite(lm.resolve("best.safetensors"), dir.resolve("v9/lm.safetensors"),
                m -> m.put("recur.format_version", "9"), null);
        fails(Run.of("sample", "--checkpoint", newer.toString()), 1, "format version 9", "newer");
    }

    @Test
    void specialFilesAsInputGiveABoundedClearError() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor());
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            fails(Run.of(with(LM, "lm", "--data", fifo.toString(), "--out", dir.resolve("f1").toString())), 1, "not a regular file");
            fails(Run.of(with(TAG, "tag", "--train", fifo.toString(), "--out", dir.resolve("f2").toString())), 1, "not a regular file");
            fails(Run.of(Run.tiny("train", "--data", fifo.toString(), "--out", dir.resolve("f3").toString())), 1, "not a regular file");
            fails(Run.of("predict", "--checkpoint", fifo.toString(), "hi"), 1, "not a regular file");
            fails(Run.of(with(LM, "lm", "--data", "/dev/zero", "--out", dir.resolve("f4").toString())), 1, "not a regular file");
        });
    }

    @Test
    void anEndlessStreamOfNulBytesOnStandardInputIsCutWithAClearError() {
        InputStream zeros = new InputStream() {
            @Override public int read() { return 0; }
            @Override public int read(byte[] b, int off, int len) { java.util.Arrays.fill(b, off, off + len, (byte) 0); return len; }
        };
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Main.run(new Io(new PrintWriter(out, true),
                new PrintWriter(err, true), zeros, false), "predict", "--checkpoint", sentiment.resolve("best.safetensors").toString()));
        Run r = new Run(code, out.toString(), err.toString());
        fails(r, 1, "standard input holds more than", "fewer texts");
    }

    @Test
    void inputWithoutALineEndIsRead() {
        Run r = Run.withInput("a wonderful film", true, "predict", "--checkpoint", sentiment.resolve("best.safetensors").toString());
        ok(r);
        assertEquals(1, r.out().lines().count(), r.out());
    }

    @Test
    void aTextWithoutLineEndsTrainsALanguageModel() throws Exception {
        Path oneLine = Files.writeString(dir.resolve("one-line.txt"), Files.readString(text).replace('\n', ' ').strip());
        ok(Run.of(with(LM, "lm", "--data", oneLine.toString(), "--out", dir.resolve("one-line").toString(), "--epochs", "1")));
    }
}
