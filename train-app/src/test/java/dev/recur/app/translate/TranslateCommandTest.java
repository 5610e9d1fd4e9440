package dev.recur.app.translate;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.app.Run;
import dev.recur.layers.io.DType;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.TensorInfo;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code translate} end to end on the generated number task: a short run must learn it (a quality
 * check that can fail), and its checkpoint translates arguments and standard input, draws attention,
 * scores files and resumes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TranslateCommandTest {
    /** The default model, two of its three epochs. */
    static final String[] SMALL = {"--threads", "2", "--seed", "3"};
    static final ObjectMapper JSON = new ObjectMapper();

    Path dir, run;
    Run trained;

    static String[] with(String[] base, String... more) {
        String[] all = new String[more.length + base.length];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(base, 0, all, more.length, base.length);
        return all;
    }

    static List<Map<?, ?>> records(Path out) throws Exception {
        List<Map<?, ?>> r = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) r.add(JSON.readValue(line, Map.class));
        return r;
    }

    @BeforeAll
    void trainOnTheGeneratedTask(@TempDir Path tmp) {
        dir = tmp;
        run = dir.resolve("numbers");
        trained = Run.of(with(SMALL, "translate", "--epochs", "2", "--out", run.toString()));
        assertEquals(0, trained.code(), trained.toString());
    }

    @Test
    void twoEpochsLearnTheNumberTask() throws Exception {
        List<Map<?, ?>> recs = records(run);
        Map<?, ?> test = recs.getLast();
        assertEquals("test", test.get("event"), recs.toString());
        assertTrue(((Number) test.get("test_exact")).doubleValue() >= 0.9, trained.toString());
        assertTrue(((Number) test.get("test_bleu")).doubleValue() >= 90, trained.toString());
        Map<?, ?> epoch1 = recs.get(0), epoch2 = recs.get(1);
        assertEquals(1, epoch1.get("epoch"));
        assertTrue(((Number) epoch2.get("val_loss")).doubleValue() < ((Number) epoch1.get("val_loss")).doubleValue(), recs.toString());
        for (String k : List.of("val_bleu", "val_exact", "train_loss", "pairs_per_s")) assertTrue(epoch2.containsKey(k), k);
        assertTrue(trained.out().contains("test (best epoch by validation BLEU, greedy): BLEU"), trained.out());
        for (String f : List.of("last.safetensors", "best.safetensors", "training-curves.png", "test.hyp.tok", "test.ref.tok",
                "test.hyp.txt", "test.ref.txt", "test.bleu.json")) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        List<String> hyp = Files.readAllLines(run.resolve("test.hyp.tok")), ref = Files.readAllLines(run.resolve("test.ref.tok"));
        assertEquals(1000, hyp.size());
        List<List<String>> h = new ArrayList<>(), r = new ArrayList<>();
        for (int i = 0; i < hyp.size(); i++) {
            h.add(hyp.get(i).isEmpty() ? List.of() : List.of(hyp.get(i).split(" ")));
            r.add(List.of(ref.get(i).split(" ")));
        }
        assertEquals(((Number) test.get("test_bleu")).doubleValue(), Bleu.corpus(h, r), 1e-9, "the files hold what was scored");
    }

    @Test
    void predictTranslatesArgumentsAndStandardInput() throws Exception {
        String ck = run.resolve("best.safetensors").toString();
        Run r = Run.of("translate", "predict", "--checkpoint", ck, "--threads", "1", "four thousand and twelve", "ninety nine");
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of("4 0 1 2", "9 9"), r.out().lines().toList());
        Run s = Run.withInput("seven hundred\n\nthree\n", true, "translate", "predict", "--checkpoint", ck, "--json", "--beam", "3");
        assertEquals(0, s.code(), s.toString());
        List<String> lines = s.out().lines().toList();
        assertEquals(2, lines.size(), "the blank line is skipped: " + s.out());
        Map<?, ?> first = JSON.readValue(lines.get(0), Map.class);
        assertEquals("seven hundred", first.get("source"));
        assertEquals(List.of("7", "0", "0"), first.get("tokens"));
        assertEquals("7 0 0", first.get("translation"));
        assertEquals(true, first.get("ended"));
        assertEquals(3, first.get("beam"));
        assertTrue(((Number) first.get("log_prob")).doubleValue() <= 0);
    }

    @Test
    void attentionIsDrawnForEachSentence() throws Exception {
        Path png = dir.resolve("attention.png");
        Run r = Run.of("translate", "predict", "--checkpoint", run.resolve("best.safetensors").toString(), "--attention",
                png.toString(), "two hundred and five thousand", "eleven");
        assertEquals(0, r.code(), r.toString());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getHeight() >= 2 * 260, img.getWidth() + "x" + img.getHeight());
        String[] many = new String[AttentionPlot.MAX_SENTENCES + 1];
        java.util.Arrays.fill(many, "one");
        Run tooMany = Run.of(with(many, "translate", "predict", "--checkpoint", run.resolve("best.safetensors").toString(),
                "--attention", dir.resolve("many.png").toString()));
        assertEquals(2, tooMany.code(), tooMany.toString());
        assertTrue(tooMany.err().contains("at most " + AttentionPlot.MAX_SENTENCES), tooMany.err());
        assertFalse(Files.exists(dir.resolve("many.png")));
    }

    @Test
    void evalScoresFilesAndWritesTheTextForTheCheckScript() throws Exception {
        NumberTask.Sentences s = NumberTask.generate(50, 99);
        Path src = Files.write(dir.resolve("eval.src"), s.source()), tgt = Files.write(dir.resolve("eval.tgt"), s.target());
        Path text = dir.resolve("text");
        Run r = Run.of("translate", "eval", "--checkpoint", run.resolve("best.safetensors").toString(), "--source", src.toString(),
                "--target", tgt.toString(), "--json", "--write-text", text.toString());
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> m = JSON.readValue(r.out().strip(), Map.class);
        assertEquals(50, m.get("pairs"));
        Map<?, ?> meta = JSON.readValue(Files.readString(text.resolve("eval.tgt.bleu.json")), Map.class);
        assertEquals(((Number) m.get("bleu")).doubleValue(), ((Number) meta.get("bleu")).doubleValue(), 1e-12);
        assertEquals(s.target(), Files.readAllLines(text.resolve("eval.tgt.ref.txt")));
    }

    @Test
    void infoShowsTheTranslationCheckpoint() {
        Run r = Run.of("info", "--checkpoint", run.resolve("best.safetensors").toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("\"task\":\"translate\""), r.out());
        assertTrue(r.out().contains("\"source_words\":"), r.out());
    }

    @Test
    void resumeContinuesToTheSameCheckpointAsAnUninterruptedRun() throws Exception {
        String[] tiny = {"--embed", "8", "--hidden", "8", "--batch", "128", "--threads", "1", "--seed", "4"};
        Path a = dir.resolve("a"), b = dir.resolve("b");
        assertEquals(0, Run.of(with(tiny, "translate", "--epochs", "2", "--out", a.toString())).code());
        assertEquals(0, Run.of(with(tiny, "translate", "--epochs", "1", "--out", b.toString())).code());
        Run again = Run.of(with(tiny, "translate", "--epochs", "2", "--out", b.toString(), "--resume"));
        assertEquals(0, again.code(), again.toString());
        SafeTensors x = SafeTensors.read(a.resolve("last.safetensors")), y = SafeTensors.read(b.resolve("last.safetensors"));
        assertEquals(x.tensors().keySet(), y.tensors().keySet());
        for (TensorInfo t : x.tensors().values()) {
            if (t.dtype() == DType.F32) assertArrayEquals(x.floats(t.name()), y.floats(t.name()), t.name());
        }
        assertEquals(Files.readString(a.resolve("test.hyp.tok")), Files.readString(b.resolve("test.hyp.tok")));
    }
}
