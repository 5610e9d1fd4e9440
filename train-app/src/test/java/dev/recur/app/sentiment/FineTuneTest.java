package dev.recur.app.sentiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.Run;
import dev.recur.app.TinyImdb;
import dev.recur.layers.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --init-from CHECKPOINT [--freeze embedding|encoder]}: frozen parameters stay bit for bit, the rest trains. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FineTuneTest {
    Path dir, archive, base;

    @BeforeAll
    void trainABaseModel(@TempDir Path tmp) throws Exception {
        dir = tmp;
        archive = TinyImdb.archive(dir);
        base = dir.resolve("base");
        Run r = Run.of(Run.tiny("train", "--data", archive.toString(), "--out", base.toString(), "--epochs", "1"));
        assertEquals(0, r.code(), r.toString());
    }

    private Path fineTune(String name, String... more) {
        Path out = dir.resolve(name);
        String[] args = Run.tiny("train", "--data", archive.toString(), "--out", out.toString(), "--epochs", "2",
                "--init-from", base.resolve("best.safetensors").toString());
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        Run r = Run.of(all);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("fine-tuning"), r.err());
        return out;
    }

    /** Tensors named by the prefixes of {@code frozen} are identical to the base model's; every other one differs. */
    private void assertFrozen(Path run, List<String> frozen) throws Exception {
        SafeTensors before = SafeTensors.read(base.resolve("best.safetensors")), after = SafeTensors.read(run.resolve("last.safetensors"));
        int checked = 0;
        for (String name : before.names()) {
            if (name.startsWith("optimizer.")) continue;
            boolean isFrozen = frozen.stream().anyMatch(name::startsWith);
            if (isFrozen) {
                assertArrayEquals(before.floats(name), after.floats(name), name + " is frozen: unchanged bit for bit");
            } else {
                assertFalse(Arrays.equals(before.floats(name), after.floats(name)), name + " trains");
            }
            checked++;
        }
        assertTrue(checked >= 4, "checked " + checked + " tensors");
    }

    @Test
    void freezingTheEmbeddingKeepsItAndTrainsTheRest() throws Exception {
        Path run = fineTune("embedding", "--freeze", "embedding");
        assertFrozen(run, List.of("embedding."));
        // the vocabulary is the base model's, not one built from this data
        assertEquals(SafeTensors.read(base.resolve("best.safetensors")).metadata().get("recur.app.vocab"),
                SafeTensors.read(run.resolve("last.safetensors")).metadata().get("recur.app.vocab"));
    }

    @Test
    void freezingTheEncoderTrainsOnlyTheOutputLayer() throws Exception {
        assertFrozen(fineTune("encoder", "--freeze", "encoder"), List.of("embedding.", "rnn."));
    }

    @Test
    void withoutFreezeEverythingTrainsFromTheBaseWeights() throws Exception {
        assertFrozen(fineTune("all"), List.of());
    }

    @Test
    void aResumedFineTuningKeepsItsFrozenParametersFrozen() throws Exception {
        Path run = dir.resolve("resumed");
        Run first = Run.of(Run.tiny("train", "--data", archive.toString(), "--out", run.toString(), "--epochs", "1",
                "--init-from", base.resolve("best.safetensors").toString(), "--freeze", "embedding"));
        assertEquals(0, first.code(), first.toString());
        Run r = Run.of("train", "--resume", "--out", run.toString(), "--epochs", "3", "--freeze", "embedding");
        assertEquals(0, r.code(), r.toString());
        assertFrozen(run, List.of("embedding."));
        Run other = Run.of("train", "--resume", "--out", run.toString(), "--epochs", "4", "--freeze", "encoder");
        assertEquals(2, other.code(), other.toString());
        assertTrue(other.err().contains("--freeze encoder (the run was started with embedding)"), other.err());
    }

    @Test
    void misuseGetsClearErrors() {
        Run noInit = Run.of(Run.tiny("train", "--data", archive.toString(), "--out", dir.resolve("x").toString(),
                "--freeze", "embedding"));
        assertEquals(2, noInit.code(), noInit.toString());
        assertTrue(noInit.err().contains("--freeze embedding needs --init-from"), noInit.err());
        String[] shape = Run.tiny("train", "--data", archive.toString(), "--out", dir.resolve("y").toString(),
                "--init-from", base.resolve("best.safetensors").toString());
        for (int i = 0; i < shape.length; i++) if (shape[i].equals("--hidden")) shape[i + 1] = "16";
        Run wrongShape = Run.of(shape);
        assertEquals(2, wrongShape.code(), wrongShape.toString());
        assertTrue(wrongShape.err().contains("--hidden 16 (the model has 8)"), wrongShape.err());
        Run lmAsInit = Run.of(Run.tiny("train", "--data", archive.toString(), "--out", dir.resolve("z").toString(),
                "--init-from", dir.resolve("none.safetensors").toString()));
        assertEquals(1, lmAsInit.code(), lmAsInit.toString());
        assertTrue(lmAsInit.err().contains("does not exist"), lmAsInit.err());
        assertFalse(Files.exists(dir.resolve("z").resolve("last.safetensors")));
    }

    @Test
    void theRunRecordsWhereItStarted() throws Exception {
        Path run = fineTune("recorded", "--freeze", "embedding");
        Map<String, String> meta = SafeTensors.read(run.resolve("last.safetensors")).metadata();
        assertTrue(meta.get("recur.run.options").contains("\"--freeze\":\"embedding\""), meta.get("recur.run.options"));
        assertTrue(meta.get("recur.run.options").contains("best.safetensors"), meta.get("recur.run.options"));
    }
}
