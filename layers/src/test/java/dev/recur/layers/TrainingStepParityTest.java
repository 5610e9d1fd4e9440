package dev.recur.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.optim.Adam;
import dev.recur.layers.optim.AdamW;
import dev.recur.layers.optim.GradientClipping;
import dev.recur.layers.optim.Optimizer;
import dev.recur.layers.optim.Sgd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The benchmark's whole training step against PyTorch 1.13, three steps in a row on a small
 * {@link SequenceClassifier}: forward, loss, backward, {@code clip_grad_norm_} (or
 * {@code clip_grad_value_}), then Adam, AdamW or SGD with momentum (Nesterov or not) and weight
 * decay. Each step's loss and pre-clipping gradient norm, and every parameter after the third step,
 * must equal PyTorch's ({@code train_*} fixtures of {@code src/test/python/make_fixtures.py}).
 */
class TrainingStepParityTest {

    static Stream<Path> fixtures() throws IOException {
        Path dir = Path.of("src", "test", "resources", "pytorch");
        if (!Files.isDirectory(dir)) {
            fail("PyTorch fixtures not found at " + dir.toAbsolutePath() + " (run the tests from the layers module)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(p -> p.getFileName().toString().startsWith("train_")).sorted().toList();
            assertEquals(4, all.size(), "expected 4 training-step fixtures, found " + all);
            return all.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void threeTrainingStepsMatchPyTorch(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> m = st.metadata();
        int size = Integer.parseInt(m.get("batch"));
        int steps = Integer.parseInt(m.get("steps"));
        ModelConfig cfg = new ModelConfig(PyTorchParityTest.cellOf(m.get("cell")), Integer.parseInt(m.get("vocab_size")),
                Integer.parseInt(m.get("embedding_dim")), Integer.parseInt(m.get("hidden_size")),
                Integer.parseInt(m.get("num_layers")), Boolean.parseBoolean(m.get("bidirectional")),
                Pooling.parse(m.get("pooling")), 0f, 0f, Integer.parseInt(m.get("outputs")),
                Integer.parseInt(m.get("padding_idx")), false, false);
        int maxSteps = 8;
        Batch batch = new Batch(maxSteps, size);
        float[] losses = st.floats("loss");
        float[] norms = st.floats("norm");
        float clip = Float.parseFloat(m.get("clip_value"));
        boolean clipNorm = m.get("clip").equals("norm");

        try (SequenceClassifier model = new SequenceClassifier(cfg, 1L, maxSteps, size)) {
            for (Parameter p : model.parameters()) p.value().copyFrom(st.floats(p.name()));
            try (Optimizer opt = optimizer(m, model.parameters())) {
                for (int k = 0; k < steps; k++) {
                    int[] lengths = Arrays.stream(m.get("lengths." + k).split(",")).mapToInt(Integer::parseInt).toArray();
                    int t = Arrays.stream(lengths).max().orElseThrow();
                    batch.reset(t, size);
                    float[] tokens = st.floats("tokens." + k);
                    float[] labels = st.floats("labels." + k);
                    for (int i = 0; i < t * size; i++) batch.tokens()[i] = (int) tokens[i];
                    for (int b = 0; b < size; b++) {
                        batch.lengths()[b] = lengths[b];
                        batch.labels()[b] = (int) labels[b];
                    }
                    model.zeroGrad();
                    float loss = model.forward(batch, true);
                    model.backward();
                    float norm;
                    if (clipNorm) {
                        norm = GradientClipping.clipGradNorm(model.parameters(), clip);
                    } else {
                        norm = GradientClipping.globalNorm(model.parameters());
                        GradientClipping.clipGradValue(model.parameters(), clip);
                    }
                    opt.step();
                    PyTorchParityTest.assertClose(file, "loss of step " + k, new float[] {losses[k]}, new float[] {loss});
                    PyTorchParityTest.assertClose(file, "gradient norm before clipping, step " + k,
                            new float[] {norms[k]}, new float[] {norm});
                }
            }
            for (Parameter p : model.parameters()) {
                PyTorchParityTest.assertClose(file, p.name() + " after " + steps + " steps",
                        st.floats("after." + p.name()), p.value().toArray());
            }
        }
    }

    private static Optimizer optimizer(Map<String, String> m, List<Parameter> params) {
        float lr = Float.parseFloat(m.get("lr"));
        float wd = Float.parseFloat(m.get("weight_decay"));
        return switch (m.get("optimizer")) {
            case "adam" -> new Adam(params, lr, Float.parseFloat(m.get("beta1")), Float.parseFloat(m.get("beta2")),
                    Float.parseFloat(m.get("eps")), wd);
            case "adamw" -> new AdamW(params, lr, Float.parseFloat(m.get("beta1")), Float.parseFloat(m.get("beta2")),
                    Float.parseFloat(m.get("eps")), wd);
            case "sgd" -> new Sgd(params, lr, Float.parseFloat(m.get("momentum")), wd, Boolean.parseBoolean(m.get("nesterov")));
            default -> throw new IllegalArgumentException("unknown optimizer '" + m.get("optimizer") + "' in fixture metadata");
        };
    }
}
