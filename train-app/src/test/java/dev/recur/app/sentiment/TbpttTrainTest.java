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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --tbptt K}: truncated BPTT for the classifier, kept by --resume, refused when negative. */
class TbpttTrainTest {
    @TempDir Path dir;

    private Run train(Path data, Path out, String... more) {
        String[] base = {"train", "--data", data.toString(), "--out", out.toString(), "--lr-schedule", "constant"};
        String[] args = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return Run.of(Run.tiny(args));
    }

    @Test
    void truncatedRunTrainsDiffersFromFullBpttAndResumesBitIdentically() throws Exception {
        Path data = TinyImdb.archive(Files.createDirectories(dir.resolve("data")));
        Path full = dir.resolve("full"), straight = dir.resolve("straight"), split = dir.resolve("split");
        Run f = train(data, full, "--epochs", "2");
        assertEquals(0, f.code(), f.toString());
        Run a = train(data, straight, "--epochs", "2", "--tbptt", "3");
        assertEquals(0, a.code(), a.toString());
        assertTrue(a.err().contains("truncated BPTT every 3 steps"), a.toString());
        SafeTensors s = SafeTensors.read(straight.resolve("last.safetensors"));
        assertEquals(3, TrainConfig.fromJson(s.metadata().get(TrainConfig.META_KEY), "test").tbptt(),
                "the window is stored in the run's configuration");
        SafeTensors r = SafeTensors.read(full.resolve("last.safetensors"));
        assertFalse(Arrays.equals(r.floats("rnn.weight_hh_l0"), s.floats("rnn.weight_hh_l0")),
                "--tbptt 3 on reviews of up to 20 tokens changes the recurrent weights' training");

        Run b1 = train(data, split, "--epochs", "1", "--tbptt", "3");
        assertEquals(0, b1.code(), b1.toString());
        Run b2 = Run.of("train", "--resume", "--out", split.toString(), "--epochs", "2");
        assertEquals(0, b2.code(), b2.toString());
        SafeTensors y = SafeTensors.read(split.resolve("last.safetensors"));
        for (String name : s.names()) assertArrayEquals(s.floats(name), y.floats(name), name);
    }

    @Test
    void negativeWindowIsAUsageError() {
        Run r = Run.of(Run.tiny("train", "--tbptt", "-2", "--out", dir.resolve("bad").toString()));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--tbptt"), r.toString());
    }
}
