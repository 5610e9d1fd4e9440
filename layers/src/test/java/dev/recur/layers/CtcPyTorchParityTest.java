package dev.recur.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.loss.CtcLoss;
import dev.recur.layers.model.AcousticConfig;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.CtcAcousticModel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CtcLoss} and {@link CtcAcousticModel} against {@code torch.nn.CTCLoss} (PyTorch 1.13) on
 * the {@code ctc_*} fixtures of {@code src/test/python/make_ctc_fixtures.py}: ragged inputs and
 * targets, repeated labels, inputs exactly long enough, an empty target, the blank last, a long
 * confident input, zero_infinity; both reductions. Loss, per-sequence losses, logits and every
 * gradient (logits; the model's parameters and input frames) within {@code 1e-5·max(1, |expected|)}.
 */
class CtcPyTorchParityTest {

    static Stream<Path> fixtures(String prefix, int expected) throws IOException {
        Path dir = Path.of("src", "test", "resources", "pytorch");
        if (!Files.isDirectory(dir)) fail("PyTorch fixtures not found at " + dir.toAbsolutePath() + " (run the tests from the layers module)");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
            assertEquals(expected, all.size(), "expected " + expected + " " + prefix + " fixtures, found " + all);
            return all.stream();
        }
    }

    static Stream<Path> lossFixtures() throws IOException { return fixtures("ctc_loss_", 6); }

    static Stream<Path> modelFixtures() throws IOException { return fixtures("ctc_model_", 2); }

    static int[] ints(SafeTensors st, String name) throws IOException {
        float[] f = st.floats(name);
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) out[i] = (int) f[i];
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lossFixtures")
    void lossMatchesPyTorch(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> m = st.metadata();
        int steps = Integer.parseInt(m.get("seq_len")), batch = Integer.parseInt(m.get("batch")), classes = Integer.parseInt(m.get("classes"));
        int[] il = ints(st, "input_lengths"), tl = ints(st, "target_lengths"), targets = ints(st, "targets");
        CtcLoss.Reduction red = CtcLoss.Reduction.valueOf(m.get("reduction").toUpperCase());
        int maxLabels = Arrays.stream(tl).max().orElse(0);
        try (Arena a = Arena.ofConfined()) {
            FloatMatrix x = FloatMatrix.allocate(a, steps * batch, classes), d = FloatMatrix.allocate(a, steps * batch, classes);
            x.copyFrom(st.floats("logits"));   // [T, B, C] is row t·B + b
            CtcLoss ctc = new CtcLoss(classes, Integer.parseInt(m.get("blank")), steps, batch, maxLabels, red,
                    Boolean.parseBoolean(m.get("zero_infinity")));
            float loss = ctc.forward(x, steps, batch, il, targets, tl, d);
            PyTorchParityTest.assertClose(file, "loss", st.floats("loss"), new float[] {loss});
            float[] losses = new float[batch];
            for (int b = 0; b < batch; b++) losses[b] = (float) ctc.sequenceLoss(b);
            PyTorchParityTest.assertClose(file, "losses", st.floats("losses"), losses);
            PyTorchParityTest.assertClose(file, "grad.logits", st.floats("grad.logits"), d.toArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelFixtures")
    void acousticModelMatchesPyTorch(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> m = st.metadata();
        int steps = Integer.parseInt(m.get("seq_len")), batch = Integer.parseInt(m.get("batch"));
        int f = Integer.parseInt(m.get("input_size")), classes = Integer.parseInt(m.get("classes"));
        int[] il = ints(st, "input_lengths"), tl = ints(st, "target_lengths"), targets = ints(st, "targets");
        AcousticConfig cfg = new AcousticConfig(f, PyTorchParityTest.cellOf(m.get("cell")), Integer.parseInt(m.get("hidden_size")),
                Integer.parseInt(m.get("num_layers")), Boolean.parseBoolean(m.get("bidirectional")), 0f, 0f, 0f, classes, "rnn");
        Batch batch1 = Batch.ofFrames(steps, batch, f).reset(steps, batch);
        System.arraycopy(st.floats("input"), 0, batch1.frames(), 0, steps * batch * f);
        System.arraycopy(il, 0, batch1.lengths(), 0, batch);
        for (int b = 0, off = 0; b < batch; off += tl[b], b++) batch1.setLabels(b, Arrays.copyOfRange(targets, off, off + tl[b]));
        try (CtcAcousticModel model = new CtcAcousticModel(cfg, 1L, steps, batch, 4)) {
            for (Parameter p : model.parameters()) p.value().copyFrom(st.floats(p.name()));
            model.train(true);
            model.zeroGrad();
            float loss = model.forward(batch1);
            FloatMatrix logits = model.lastLogits();
            PyTorchParityTest.assertClose(file, "logits", st.floats("logits"), logits.toArray());
            model.backward();
            PyTorchParityTest.assertClose(file, "loss", st.floats("loss"), new float[] {loss});
            for (Parameter p : model.parameters()) {
                PyTorchParityTest.assertClose(file, "grad." + p.name(), st.floats("grad." + p.name()), p.grad().toArray());
            }
            float[] expected = st.floats("grad.input"), got = new float[expected.length], row = new float[f];
            for (int t = 0; t < steps; t++) {
                for (int b = 0; b < batch; b++) {
                    model.inputGradient(t, b, row);
                    System.arraycopy(row, 0, got, (t * batch + b) * f, f);
                }
            }
            PyTorchParityTest.assertClose(file, "grad.input", expected, got);
        }
    }
}
