package dev.recur.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.model.SequenceTagger;
import dev.recur.layers.model.TaggerConfig;
import dev.recur.layers.model.SequenceModel;
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
 * Whole models against PyTorch 1.13: Recur's {@link SequenceClassifier} (Embedding → RNN/LSTM/GRU →
 * last/mean/max pooling → Linear → BCE with logits or cross-entropy) and {@link SequenceTagger}
 * (per-step Linear → cross-entropy with ignore index) on the {@code classifier_*} and
 * {@code labeler_*} fixtures of {@code src/test/python/make_fixtures.py}: same weights (Recur's
 * checkpoint names {@code embedding.weight}, {@code rnn.*}, {@code fc.*}), same unsorted batch;
 * loss, logits and every parameter's gradient within {@code 1e-5·max(1, |expected|)}.
 */
class ModelPyTorchParityTest {

    static Stream<Path> fixtures() throws IOException {
        Path dir = Path.of("src", "test", "resources", "pytorch");
        if (!Files.isDirectory(dir)) {
            fail("PyTorch fixtures not found at " + dir.toAbsolutePath() + " (run the tests from the layers module)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".safetensors") && (n.startsWith("classifier_") || n.startsWith("labeler_"));
            }).sorted().toList();
            assertEquals(6, all.size(), "expected 4 classifier and 2 labeler fixtures, found " + all);
            return all.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void modelMatchesPyTorch(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> m = st.metadata();
        boolean classifier = m.get("kind").equals("classifier");
        int steps = Integer.parseInt(m.get("seq_len"));
        int size = Integer.parseInt(m.get("batch"));
        int outputs = Integer.parseInt(m.get("outputs"));
        int[] lengths = Arrays.stream(m.get("lengths").split(",")).mapToInt(Integer::parseInt).toArray();
        ModelConfig cfg = new ModelConfig(PyTorchParityTest.cellOf(m.get("cell")), Integer.parseInt(m.get("vocab_size")),
                Integer.parseInt(m.get("embedding_dim")), Integer.parseInt(m.get("hidden_size")),
                Integer.parseInt(m.get("num_layers")), Boolean.parseBoolean(m.get("bidirectional")),
                Pooling.parse(m.get("pooling")), 0f, 0f, outputs, Integer.parseInt(m.get("padding_idx")), false, false);

        Batch batch = new Batch(steps, size).reset(steps, size);
        float[] tokens = st.floats("tokens");
        for (int i = 0; i < steps * size; i++) batch.tokens()[i] = (int) tokens[i];
        System.arraycopy(lengths, 0, batch.lengths(), 0, size);
        if (classifier) {
            float[] labels = st.floats("labels");
            for (int b = 0; b < size; b++) batch.labels()[b] = (int) labels[b];
        } else {
            float[] targets = st.floats("targets");
            for (int i = 0; i < steps * size; i++) batch.targets()[i] = (int) targets[i];
        }

        TaggerConfig tagger = classifier ? null : new TaggerConfig(List.of(new TaggerConfig.Feature("embedding", cfg.vocabSize(), cfg.embedDim(),
                cfg.paddingIdx())), cfg.cell(), cfg.hidden(), cfg.layers(), cfg.bidirectional(), 0f, 0f, 0f, outputs, "rnn");
        try (SequenceModel model = classifier ? new SequenceClassifier(cfg, 1L, steps, size)
                : new SequenceTagger(tagger, 1L, steps, size)) {
            for (Parameter p : model.parameters()) {
                float[] v = st.floats(p.name());
                assertEquals(p.size(), v.length, "size of " + p.name());
                p.value().copyFrom(v);
            }
            model.zeroGrad();
            float loss;
            FloatMatrix logits;
            if (model instanceof SequenceClassifier c) {
                loss = c.forward(batch, true);
                logits = c.lastLogits();
                c.backward();
            } else {
                SequenceTagger l = (SequenceTagger) model;
                loss = l.forward(batch, true);
                logits = l.lastLogits();
                l.backward();
            }
            PyTorchParityTest.assertClose(file, "loss", st.floats("loss"), new float[] {loss});
            PyTorchParityTest.assertClose(file, "logits", st.floats("logits"), logits.toArray());
            for (Parameter p : model.parameters()) {
                PyTorchParityTest.assertClose(file, "grad." + p.name(), st.floats("grad." + p.name()), p.grad().toArray());
            }
        }
    }
}
