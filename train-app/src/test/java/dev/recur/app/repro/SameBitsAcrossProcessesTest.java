package dev.recur.app.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recur.app.Run;
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
 * The determinism promise as a user meets it: the same command with the same seed, run in separate
 * JVMs, writes checkpoints whose tensors are identical byte for byte — and so does the same command
 * with {@code --threads 2} instead of {@code --threads 1}. Each case runs {@code --threads 2} in a
 * fresh child JVM (cold JIT: the kernels run interpreted, then C1, then C2, at moments that depend
 * on the load) and, at the same time, {@code --threads 1} in this test's JVM ({@link Run}), where
 * the kernels have long been compiled by C2 from other callers: the two differ in thread count and
 * in JIT state as far as two JVMs can. (On the code before the JIT-proof kernels, the bidirectional
 * and the stacked-dropout runs differed in every tensor between fresh processes, and every IMDB
 * case between 1 and 2 threads.) A run that varies with either cannot equal its twin; one fresh JVM
 * a case instead of two halves the test's JVM starts and warm-ups. {@code translate}, {@code speech}
 * and the forecasting encoder–decoder are held to the same promise by {@link KillAndResumeTest},
 * whose uninterrupted references for them train with {@code --threads 2} in a fresh JVM and whose
 * killed and resumed runs with one thread.
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

    /** Small IMDB classifier options on real review text: 34 steps an epoch, 1 epoch unless {@code more} says otherwise. */
    private List<String> train(String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", imdb.toString(), "--embed", "16", "--hidden", "16",
                "--vocab-size", "1000", "--max-len", "60", "--batch", "32", "--seed", "7",
                "--validation-split", "0.1"));
        a.addAll(List.of(more));
        if (!a.contains("--epochs")) a.addAll(List.of("--epochs", "1"));
        return a;
    }

    Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of("train rnn", train("--model", "rnn")),
                Arguments.of("train lstm", train("--model", "lstm", "--epochs", "2")),
                Arguments.of("train gru", train("--model", "gru")),
                Arguments.of("train bidirectional lstm", train("--model", "lstm", "--bidirectional")),
                Arguments.of("train 2-layer gru with dropout", train("--model", "gru", "--layers", "2", "--dropout", "0.3")),
                Arguments.of("lm", List.of("lm", "--layers", "2", "--dropout", "0.2", "--hidden", "24", "--embed", "8",
                        "--batch", "8", "--tbptt", "32", "--epochs", "1", "--sample-length", "0", "--seed", "3")),
                Arguments.of("tag", List.of("tag", "--hidden", "16", "--word-dim", "16", "--feature-dim", "8", "--batch", "8",
                        "--epochs", "2", "--seed", "5")),
                Arguments.of("forecast 2-layer gru with dropout", NewerTasks.forecast(2, "--layers", "2", "--dropout", "0.2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void sameCommandSameSeedGivesTheSameTensorsInFreshProcessesAndWithAnyThreadCount(String name, List<String> args)
            throws Exception {
        Path base = Files.createDirectories(dir.resolve(name.replace(' ', '-')));
        Path one = base.resolve("threads-1"), two = base.resolve("threads-2");
        Path logs = base.resolve("child");
        Process child = ChildJvm.start(logs, with(args, "--threads", "2", "--out", two.toString()).toArray(String[]::new));
        Run here = Run.of(with(args, "--threads", "1", "--out", one.toString()).toArray(String[]::new));
        ChildJvm.Result x = ChildJvm.finish(child, logs);
        assertEquals(0, here.code(), name + ", --threads 1 in this JVM: " + here);
        assertEquals(0, x.code(), name + ", --threads 2 in a fresh JVM: " + x);
        Path last = Path.of("last.safetensors");
        CheckpointBits.assertSameTensors(one.resolve(last), two.resolve(last),
                name + ", --threads 1 in a warm JVM and --threads 2 in a fresh one");
    }

    private static List<String> with(List<String> args, String... more) {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of(more));
        return a;
    }
}
