package dev.recur.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.tag.TagTrainer;
import dev.recur.app.translate.NumberTask;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code translate} tried as a careless user would, as {@link CarelessUserTest} does for the other
 * tasks: files that do not pair up, bytes that are not UTF-8, empty files, a checkpoint of another
 * task, unknown options and bad values; each a one-line error with the right exit code, no Java
 * internals, and nothing written outside {@code --out} (nothing at all when the data is refused).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TranslateCarelessUserTest {
    static final String[] TINY = {"--embed", "8", "--hidden", "8", "--batch", "16", "--threads", "1", "--seed", "2"};

    Path dir, src, tgt, valSrc, valTgt, translate, tag;

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

    /** {@code translate} on the files {@code s}/{@code t} with the tiny validation files, into {@code out}. */
    String[] train(Path s, Path t, Path out, String... more) {
        String[] head = {"translate", "--source", s.toString(), "--target", t.toString(), "--valid-source", valSrc.toString(),
            "--valid-target", valTgt.toString(), "--out", out.toString(), "--epochs", "1"};
        String[] all = new String[head.length + more.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(more, 0, all, head.length, more.length);
        return with(TINY, all);
    }

    @BeforeAll
    void trainOneOfEach(@TempDir Path tmp) throws Exception {
        dir = tmp;
        NumberTask.Sentences s = NumberTask.generate(120, 1), v = NumberTask.generate(20, 2);
        src = Files.write(dir.resolve("train.en"), s.source());
        tgt = Files.write(dir.resolve("train.num"), s.target());
        valSrc = Files.write(dir.resolve("val.en"), v.source());
        valTgt = Files.write(dir.resolve("val.num"), v.target());
        translate = dir.resolve("translate");
        ok(Run.of(train(src, tgt, translate)));
        try (InputStream in = TagTrainer.class.getResourceAsStream(TagTrainer.TINY_TRAIN)) {
            Path conll = Files.write(dir.resolve("train.txt"), in.readAllBytes());
            tag = dir.resolve("tag");
            ok(Run.of("tag", "--train", conll.toString(), "--out", tag.toString(), "--epochs", "1", "--hidden", "8", "--word-dim", "8",
                    "--feature-dim", "4", "--batch", "8", "--threads", "1", "--seed", "5", "--validation-split", "0.1"));
        }
    }

    private static void ok(Run r) { assertEquals(0, r.code(), r.toString()); }

    /** Exit code {@code code}, every fragment in stderr, one line, and nothing a user should not see. */
    private static void fails(Run r, int code, String... fragments) {
        assertEquals(code, r.code(), r.toString());
        for (String f : fragments) assertTrue(r.err().contains(f), "missing '" + f + "' in\n" + r);
        for (String bad : List.of("Exception", "\tat ", "dev.recur.", "java.", "$")) {
            assertFalse(r.err().contains(bad), "'" + bad + "' reaches the user:\n" + r);
        }
    }

    /** Runs {@code args}, which must fail, and checks that the folder {@code out} was not even created. */
    private void refusedWithoutWriting(Path out, int code, String[] args, String... fragments) throws Exception {
        List<Path> before = listing();
        fails(Run.of(args), code, fragments);
        assertFalse(Files.exists(out), out + " was created for a refused run");
        assertEquals(before, listing(), "files appeared beside the run");
    }

    private List<Path> listing() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return new ArrayList<>(s.sorted().toList());
        }
    }

    @Test
    void filesWithDifferentLineCountsAreRefusedNamingBothFilesAndCounts() throws Exception {
        Path shorter = Files.write(dir.resolve("short.num"), Files.readAllLines(tgt).subList(0, 100));
        refusedWithoutWriting(dir.resolve("r1"), 1, train(src, shorter, dir.resolve("r1")),
                "train.en has 120 lines but", "short.num has 100");
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithFileAndByteOffset() throws Exception {
        byte[] latin1 = "one\nf\u00fcnf\n".getBytes(StandardCharsets.ISO_8859_1);
        Path bad = Files.write(dir.resolve("latin1.en"), latin1);
        Path two = Files.write(dir.resolve("two.num"), List.of("1", "5"));
        refusedWithoutWriting(dir.resolve("r2"), 1, train(bad, two, dir.resolve("r2")), "latin1.en", "line 2",
                "byte offset 5", "not UTF-8");
    }

    @Test
    void emptyFilesAreRefused() throws Exception {
        Path empty = Files.write(dir.resolve("empty.en"), new byte[0]);
        refusedWithoutWriting(dir.resolve("r3"), 1, train(empty, tgt, dir.resolve("r3")), "empty.en", "is empty", "--source");
        Path blank = Files.writeString(dir.resolve("blank.num"), "\n\n");
        Path twoWords = Files.writeString(dir.resolve("two.en"), "one\ntwo\n");
        refusedWithoutWriting(dir.resolve("r4"), 1, train(twoWords, blank, dir.resolve("r4")), "no usable pair", "without a word");
    }

    @Test
    void missingFilesAndHalfPairsAreRefused() throws Exception {
        refusedWithoutWriting(dir.resolve("r5"), 1, train(dir.resolve("nope.en"), tgt, dir.resolve("r5")), "nope.en");
        refusedWithoutWriting(dir.resolve("r6"), 2, with(TINY, "translate", "--source", src.toString(), "--out",
                dir.resolve("r6").toString()), "--source needs --target");
        refusedWithoutWriting(dir.resolve("r7"), 2, with(TINY, "translate", "--source", src.toString(), "--target", tgt.toString(),
                "--out", dir.resolve("r7").toString()), "--valid-source", "--valid-target");
        refusedWithoutWriting(dir.resolve("r8"), 2, with(TINY, "translate", "--test-target", tgt.toString(), "--out",
                dir.resolve("r8").toString()), "--test-target needs --test-source");
        refusedWithoutWriting(dir.resolve("r9"), 1, train(dir, tgt, dir.resolve("r9")), "folder");
    }

    @Test
    void unknownOptionsAndBadValuesAreUsageErrors() throws Exception {
        refusedWithoutWriting(dir.resolve("u1"), 2, with(TINY, "translate", "--sauce", "x", "--out", dir.resolve("u1").toString()),
                "--sauce");
        refusedWithoutWriting(dir.resolve("u2"), 2, with(TINY, "translate", "--model", "rnn", "--out", dir.resolve("u2").toString()),
                "--model must be lstm or gru");
        refusedWithoutWriting(dir.resolve("u3"), 2, with(TINY, "translate", "--attention", "dot", "--out", dir.resolve("u3").toString()),
                "--attention dot", "--no-bidirectional");
        refusedWithoutWriting(dir.resolve("u4"), 2, with(TINY, "translate", "--beam", "0", "--out", dir.resolve("u4").toString()),
                "--beam");
        refusedWithoutWriting(dir.resolve("u5"), 2, with(set(TINY, "--embed", "4"), "translate", "--tie-embeddings", "--out",
                dir.resolve("u5").toString()), "--tie-embeddings needs --embed equal to --hidden");
        fails(Run.of("translate", "predict", "--checkpoint", translate.resolve("best.safetensors").toString(), "--bogus", "one"), 2,
                "--bogus");
        fails(Run.of("translate", "predict", "--checkpoint", translate.resolve("best.safetensors").toString()), 2, "no sentence");
    }

    @Test
    void aCheckpointOfAnotherTaskGetsAClearMessage() {
        fails(Run.of("translate", "predict", "--checkpoint", tag.resolve("best.safetensors").toString(), "one"), 1,
                "sequence tagger", "not a translation model", "'translate'");
        fails(Run.of("translate", "eval", "--checkpoint", tag.resolve("best.safetensors").toString(), "--source", src.toString(),
                "--target", tgt.toString()), 1, "sequence tagger", "'translate'");
        fails(Run.of("predict", "--checkpoint", translate.resolve("best.safetensors").toString(), "a fine film"), 1,
                "translation model", "'translate'");
        fails(Run.of("sample", "--checkpoint", translate.resolve("best.safetensors").toString()), 1, "translation model", "'lm'");
    }

    @Test
    void aSecondRunIntoAFolderThatHoldsOneIsRefusedAndResumeChecksOptionsAndData() throws Exception {
        byte[] before = Files.readAllBytes(translate.resolve("last.safetensors"));
        fails(Run.of(train(src, tgt, translate)), 2, "already holds a run", "--resume");
        assertArrayEquals(before, Files.readAllBytes(translate.resolve("last.safetensors")));
        String[] bigger = set(train(src, tgt, translate, "--resume"), "--hidden", "16");
        fails(Run.of(bigger), 2, "--hidden 16 (the run was started with 8)");
        Path other = Files.write(dir.resolve("other.num"), Files.readAllLines(tgt).stream().map(l -> l + " 0").toList());
        fails(Run.of(train(src, other, translate, "--resume")), 2, "other sentence pairs");
        assertArrayEquals(before, Files.readAllBytes(translate.resolve("last.safetensors")));
        fails(Run.of(with(TINY, "translate", "--out", dir.resolve("nothing").toString(), "--resume")), 1, "nothing to resume");
    }

    @Test
    void aSuccessfulRunWritesOnlyInsideOut() throws Exception {
        Path out = dir.resolve("inside");
        List<Path> before = listing();
        ok(Run.of(train(src, tgt, out)));
        for (Path p : listing()) if (!before.contains(p)) assertTrue(p.startsWith(out), p + " is outside --out");
    }
}
