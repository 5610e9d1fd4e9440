package dev.recur.app.repro;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The determinism promise as a user meets it: the same command with the same seed, run as separate
 * fresh JVMs, writes checkpoints whose tensors are identical byte for byte — and so does the same
 * command with {@code --threads 2} instead of {@code --threads 1}. Every command that trains is
 * covered. Each case starts three JVMs at once (threads 1, 1 and 2), so they also compete for the
 * cores and the JIT compiles the kernels at different moments in each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SameBitsAcrossProcessesTest {
    Path dir;
    Path imdb;

    @BeforeAll
    void writeData(@TempDir Path tmp) throws Exception {
        dir = tmp;
        imdb = SampleSubset.write(dir.resolve("imdb"), 600, 50);
    }

    /** Small IMDB classifier options: 34 steps an epoch, 2 epochs. */
    private List<String> train(String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", imdb.toString(), "--embed", "16", "--hidden", "16",
                "--vocab-size", "1000", "--max-len", "60", "--batch", "32", "--epochs", "2", "--seed", "7",
                "--validation-split", "0.1"));
        a.addAll(List.of(more));
        return a;
    }

    Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of("train rnn", train("--model", "rnn")),
                Arguments.of("train lstm", train("--model", "lstm")),
                Arguments.of("train gru", train("--model", "gru")),
                Arguments.of("train bidirectional lstm", train("--model", "lstm", "--bidirectional")),
                Arguments.of("train 2-layer gru with dropout", train("--model", "gru", "--layers", "2", "--dropout", "0.3")),
                Arguments.of("lm", List.of("lm", "--layers", "2", "--dropout", "0.2", "--hidden", "24", "--embed", "8",
                        "--batch", "8", "--tbptt", "32", "--epochs", "1", "--sample-length", "0", "--seed", "3")),
                Arguments.of("tag", List.of("tag", "--hidden", "16", "--word-dim", "16", "--feature-dim", "8", "--batch", "8",
                        "--epochs", "2", "--seed", "5")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void sameCommandSameSeedGivesTheSameTensorsInFreshProcessesAndWithAnyThreadCount(String name, List<String> args)
            throws Exception {
        Path base = Files.createDirectories(dir.resolve(name.replace(' ', '-')));
        Path first = base.resolve("first"), second = base.resolve("second"), twoThreads = base.resolve("two-threads");
        List<ChildJvm.Result> r = ChildJvm.runAll(base, List.of(
                with(args, "--threads", "1", "--out", first.toString()),
                with(args, "--threads", "1", "--out", second.toString()),
                with(args, "--threads", "2", "--out", twoThreads.toString())));
        for (ChildJvm.Result x : r) assertEquals(0, x.code(), name + ": " + x);
        assertAll(
                () -> CheckpointBits.assertSameTensors(first.resolve("last.safetensors"), second.resolve("last.safetensors"),
                        name + ", two fresh processes, --threads 1"),
                () -> CheckpointBits.assertSameTensors(first.resolve("last.safetensors"), twoThreads.resolve("last.safetensors"),
                        name + ", --threads 1 against --threads 2"));
    }

    private static List<String> with(List<String> args, String... more) {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of(more));
        return a;
    }
}
