package dev.recur.app.repro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recur.app.Run;
import dev.recur.layers.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A training killed with SIGKILL ({@link Process#destroyForcibly}) and continued with
 * {@code --resume} in another process ends with the same checkpoints, bit for bit, as the same
 * training left alone: killed in the middle of an epoch, and killed while a checkpoint is being
 * written (the test watches for the writer's temporary file and kills the moment it appears). After
 * every kill the checkpoint on disk is whole, and after the resumed run no temporary file is left.
 * {@code --resume} takes the run's own options again and refuses one given with another value.
 *
 * <p>The runs that are killed are child JVMs (a fresh process each, as a user's); a resume that is
 * not killed again, and the uninterrupted {@code train} reference, run in this JVM ({@link Run}),
 * which is another process than the killed one and has the kernels compiled already (so the
 * comparison mixes a cold and a hot JIT too), without paying a JVM start and a JIT warm-up. The references of
 * translate, forecast and speech train with {@code --threads 2} (in this JVM, on another thread
 * while the killed child trains) and the killed runs with one thread: their comparison also holds
 * those tasks to the thread-count promise across processes
 * ({@link SameBitsAcrossProcessesTest} covers the other tasks), which fails on either cause.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillAndResumeTest {
    static final int EPOCHS = 3;
    Path dir;
    Path imdb;
    Path reference;
    Path pairs;

    /**
     * A small LSTM with dropout whose checkpoint is a few MB (a 5,000-word embedding with Adam's two
     * moments), so that writing it takes long enough to be caught.
     */
    List<String> command(Path out) {
        return List.of("train", "--data", imdb.toString(), "--out", out.toString(), "--embed", "48", "--hidden", "16",
                "--vocab-size", "5000", "--max-len", "40", "--batch", "32", "--epochs", String.valueOf(EPOCHS), "--seed", "11",
                "--validation-split", "0.1", "--threads", "1");
    }

    static List<String> resume(Path out) {
        return List.of("train", "--resume", "--out", out.toString());
    }

    @BeforeAll
    void writeData(@TempDir Path tmp) throws Exception {
        dir = tmp;
        imdb = SampleSubset.write(dir.resolve("imdb"), 400, 50);
        pairs = NewerTasks.writeNumberPairs(dir.resolve("pairs"));
    }

    /** The uninterrupted {@code train} run the IMDB cases compare with, trained once, by the first that needs it. */
    private synchronized Path reference() throws Exception {
        if (reference == null) {
            Path ref = dir.resolve("reference");
            Run r = Run.of(command(ref).toArray(String[]::new));
            assertEquals(0, r.code(), r.toString());
            reference = ref;
        }
        return reference;
    }

    @Test
    void killedMidEpochAndResumedEndsBitIdentical() throws Exception {
        Path out = dir.resolve("mid-epoch");
        Process p = ChildJvm.start(dir.resolve("logs/mid-epoch"), command(out).toArray(String[]::new));
        // kill in epoch 2: after the first checkpoint, before the second
        Path last = out.resolve("last.safetensors");
        while (p.isAlive() && !Files.exists(last)) Thread.sleep(1);
        Thread.sleep(50); // an epoch here takes well over 50 ms even on a fast idle machine
        assertTrue(p.isAlive(), "the run was still training when it was killed");
        p.destroyForcibly().waitFor();
        assertWhole(last);
        assertTrue(epochOf(last) < EPOCHS, "killed before the last epoch ended: " + epochOf(last));
        // the whole original command with --resume: options given with the run's own values are accepted
        List<String> again = new ArrayList<>(command(out));
        again.add("--resume");
        Run r = Run.of(again.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertSameAsReference(out);
    }

    /**
     * The tasks with their own commands, tiny: {@code translate} (resumed with its data files and
     * {@code --resume} alone: it takes its settings from the checkpoint), {@code forecast}
     * (encoder–decoder with teacher forcing) and {@code speech} (resumed with their whole command).
     */
    Stream<Arguments> newerTasks() {
        return Stream.of(
                Arguments.of("translate", NewerTasks.translate(pairs, EPOCHS), NewerTasks.translateData(pairs)),
                Arguments.of("forecast encdec", NewerTasks.forecast(EPOCHS, "--model", "encdec"), null),
                Arguments.of("speech", NewerTasks.speech(EPOCHS), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("newerTasks")
    void newerTaskKilledMidEpochAndResumedEndsBitIdentical(String name, List<String> args, List<String> resumeArgs) throws Exception {
        Path base = dir.resolve(name.replace(' ', '-')), ref = base.resolve("reference"), out = base.resolve("killed");
        List<String> refArgs = new ArrayList<>(args), outArgs = new ArrayList<>(args);
        refArgs.addAll(List.of("--threads", "2", "--out", ref.toString()));
        outArgs.addAll(List.of("--threads", "1", "--out", out.toString()));
        // the reference trains in this JVM, beside the child: started first, it is on another
        // thread while this one watches the child; joined before the resume, which runs here too
        CompletableFuture<Run> reference = CompletableFuture.supplyAsync(() -> Run.of(refArgs.toArray(String[]::new)));
        Path last = out.resolve("last.safetensors");
        try {
            Process p = ChildJvm.start(base.resolve("logs/killed"), outArgs.toArray(String[]::new));
            while (p.isAlive() && !Files.exists(last)) Thread.sleep(1);
            Thread.sleep(20);
            assertTrue(p.isAlive(), name + ": the run was still training when it was killed");
            p.destroyForcibly().waitFor();
            assertWhole(last);
            assertTrue(epochOf(last) < EPOCHS, "killed before the last epoch ended: " + epochOf(last));
        } finally {
            // also when a check above failed: no in-process run may outlive this case into the next
            reference.get(ChildJvm.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        Run x = reference.get();
        assertEquals(0, x.code(), name + ", the uninterrupted reference: " + x);
        List<String> again = new ArrayList<>(resumeArgs != null ? resumeArgs : outArgs);
        if (resumeArgs != null) again.addAll(List.of("--out", out.toString()));
        again.add("--resume");
        Run r = Run.of(again.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        for (String f : List.of("last.safetensors", "best.safetensors")) {
            CheckpointBits.assertSameTensors(ref.resolve(f), out.resolve(f),
                    name + " " + f + ", --threads 2 uninterrupted in this JVM, --threads 1 killed in a fresh one and resumed");
        }
        assertEquals(testLine(ref), testLine(out), name + ": the test figures of the resumed run");
        assertEquals(List.of(), temporaries(out), "no temporary file is left in " + out);
    }

    @Test
    void resumeRefusesAnOptionThatDiffersNamingBothValuesAndChangesNothing() throws Exception {
        Path reference = reference();
        byte[] last = Files.readAllBytes(reference.resolve("last.safetensors"));
        byte[] metrics = Files.readAllBytes(reference.resolve("metrics.jsonl"));
        Run r = Run.of("train", "--resume", "--out", reference.toString(), "--hidden", "32", "--epochs", "4");
        assertEquals(2, r.code(), r.toString());
        String err = r.err().lines().filter(l -> l.startsWith("error:")).findFirst().orElse("");
        assertTrue(err.contains("--hidden") && err.contains("16") && err.contains("32"), "names the option and both values: " + r);
        assertArrayEquals(last, Files.readAllBytes(reference.resolve("last.safetensors")), "the run's checkpoint is untouched");
        assertArrayEquals(metrics, Files.readAllBytes(reference.resolve("metrics.jsonl")), "the run's metrics are untouched");
    }

    @Test
    void killedWhileWritingCheckpointsAndResumedEndsBitIdentical() throws Exception {
        Path out = dir.resolve("mid-write");
        Path last = out.resolve("last.safetensors");
        int hits = 0;
        List<String> args = command(out);
        // epochs 2 and 3: kill each process the moment its checkpoint write begins, resume; then finish
        for (int attempt = 0; attempt < EPOCHS - 1; attempt++) {
            Process p = ChildJvm.start(dir.resolve("logs/mid-write-" + attempt), args.toArray(String[]::new));
            int epochBefore = Files.exists(last) ? epochOf(last) : 0;
            if (epochBefore == 0) { // the first write makes the run resumable: let it happen
                while (p.isAlive() && !Files.exists(last)) Thread.sleep(1);
                epochBefore = 1;
            }
            while (p.isAlive() && !writingCheckpoint(out)) java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            p.destroyForcibly().waitFor();
            if (!temporaries(out).isEmpty()) hits++; // killed with the temporary file half written or not yet renamed
            assertWhole(last);
            int epochAfter = epochOf(last);
            assertTrue(epochAfter == epochBefore || epochAfter == epochBefore + 1,
                    "the checkpoint is the one before the write or the one written: epoch " + epochAfter);
            args = resume(out);
        }
        Run r = Run.of(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertTrue(hits >= 1, "at least one kill landed inside a checkpoint write (temporary file present): " + hits);
        assertSameAsReference(out);
    }

    private void assertSameAsReference(Path out) throws Exception {
        Path reference = reference();
        for (String f : List.of("last.safetensors", "best.safetensors")) {
            CheckpointBits.assertSameTensors(reference.resolve(f), out.resolve(f), out.getFileName() + " " + f);
        }
        assertEquals(testLine(reference), testLine(out), "the test figures of the resumed run");
        assertEquals(List.of(), temporaries(out), "no temporary file is left in " + out);
    }

    /** The checkpoint reads as a whole safetensors file with its epoch in the metadata. */
    private static void assertWhole(Path checkpoint) throws IOException {
        SafeTensors st = SafeTensors.read(checkpoint); // validates header, offsets and sizes
        assertFalse(st.names().isEmpty(), checkpoint + " has tensors");
        assertTrue(EPOCH_KEYS.stream().anyMatch(st.metadata()::containsKey), checkpoint + " has its epoch");
    }

    /** Where each task's checkpoint records its epochs: train, forecast and speech, translate. */
    static final List<String> EPOCH_KEYS = List.of("recur.app.epoch", "train.epoch", "train.epochs_done");

    private static int epochOf(Path checkpoint) throws IOException {
        var meta = SafeTensors.read(checkpoint).metadata();
        for (String k : EPOCH_KEYS) if (meta.containsKey(k)) return Integer.parseInt(meta.get(k));
        throw new AssertionError(checkpoint + " records no epoch");
    }

    /** Whether a checkpoint's temporary file exists in {@code out} (its name starts with {@code .last.safetensors}). */
    private static boolean writingCheckpoint(Path out) throws IOException {
        return temporaries(out).stream().anyMatch(n -> n.startsWith(".last.safetensors"));
    }

    /** Files in {@code out} that a writer left half done: names starting with a dot or containing ".tmp". */
    private static List<String> temporaries(Path out) throws IOException {
        if (!Files.isDirectory(out)) return List.of();
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") || n.contains(".tmp")).forEach(names::add);
        } catch (java.nio.file.NoSuchFileException | java.io.UncheckedIOException e) {
            return List.of(); // a file vanished while listing: a rename in progress
        }
        return names;
    }

    /** The metrics line of the test split (the last one), without its timing fields and its folder. */
    private static String testLine(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        String test = lines.get(lines.size() - 1);
        assertTrue(test.contains("\"event\":\"test\"") || test.contains("\"split\":\"test\""), test);
        return test.replace(out.toString(), "OUT").replaceAll("\"([a-z_]*seconds|[a-z_]*per_s)\":[^,}]*,?", "");
    }
}
