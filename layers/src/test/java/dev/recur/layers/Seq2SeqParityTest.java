package dev.recur.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Seq2Seq;
import dev.recur.layers.model.Seq2SeqConfig;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Seq2Seq} against PyTorch 1.13 on the {@code seq2seq_*} fixtures of
 * {@code src/test/python/make_seq2seq_fixtures.py}: GRU and LSTM, stacked and bidirectional
 * encoders with and without a bridge, additive, general and dot attention, input feeding, tied
 * embeddings, label smoothing, unsorted ragged sources and targets. Same weights, same batch; the
 * loss, every logit and every parameter's gradient within {@code 1e-5·max(1, |expected|)}.
 */
class Seq2SeqParityTest {

    static Stream<Path> fixtures() throws IOException {
        Path dir = Path.of("src", "test", "resources", "pytorch");
        if (!Files.isDirectory(dir)) fail("PyTorch fixtures not found at " + dir.toAbsolutePath());
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(p -> p.getFileName().toString().startsWith("seq2seq_")).sorted().toList();
            assertEquals(4, all.size(), "expected 4 seq2seq fixtures, found " + all);
            return all.stream();
        }
    }

    static int integer(Map<String, String> m, String key) { return Integer.parseInt(m.get(key)); }

    static int[] ints(String csv) { return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray(); }

    /** The fixture's model configuration. */
    static Seq2SeqConfig config(Map<String, String> m) {
        return new Seq2SeqConfig(CellType.valueOf(m.get("cell").toUpperCase(Locale.ROOT)), integer(m, "source_vocab"),
                integer(m, "target_vocab"), integer(m, "embed_dim"), integer(m, "encoder_hidden"), integer(m, "encoder_layers"),
                Boolean.parseBoolean(m.get("bidirectional")), integer(m, "decoder_hidden"),
                AttentionScore.valueOf(m.get("attention").toUpperCase(Locale.ROOT)), integer(m, "attention_dim"),
                Boolean.parseBoolean(m.get("input_feeding")), Boolean.parseBoolean(m.get("tie_embeddings")), 1f,
                Float.parseFloat(m.get("label_smoothing")), integer(m, "bos"), integer(m, "eos"));
    }

    /** Fills the source and target batches from a fixture's tensors. */
    static void fill(SafeTensors st, Batch source, Batch target) throws IOException {
        Map<String, String> m = st.metadata();
        int[] sl = ints(m.get("source_lengths")), tl = ints(m.get("target_lengths"));
        int b = sl.length, t = Arrays.stream(sl).max().orElseThrow(), s = Arrays.stream(tl).max().orElseThrow();
        source.reset(t, b);
        target.reset(s, b);
        float[] src = st.floats("source"), in = st.floats("target_in"), out = st.floats("target_out");
        for (int i = 0; i < t * b; i++) source.tokens()[i] = (int) src[i];
        for (int i = 0; i < s * b; i++) {
            target.tokens()[i] = (int) in[i];
            target.targets()[i] = (int) out[i];
        }
        System.arraycopy(sl, 0, source.lengths(), 0, b);
        System.arraycopy(tl, 0, target.lengths(), 0, b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesPyTorch(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> m = st.metadata();
        Seq2SeqConfig cfg = config(m);
        Batch source = new Batch(8, 6), target = new Batch(8, 6);
        fill(st, source, target);
        try (Seq2Seq model = new Seq2Seq(cfg, 3L, 8, 8, 6)) {
            for (Parameter p : model.parameters()) {
                float[] v = st.floats(p.name());
                assertEquals(p.size(), v.length, "size of " + p.name());
                p.value().copyFrom(v);
            }
            long fixtureParams = st.names().stream().filter(n -> n.startsWith("grad.")).count();
            assertEquals(fixtureParams, model.parameters().size(), "the model's parameter names against the fixture's");
            model.markGradDirty();
            model.zeroGrad();
            float loss = model.forward(source, target);
            model.backward();
            PyTorchParityTest.assertClose(file, "loss", st.floats("loss"), new float[] {loss});
            int s = target.steps(), b = target.size(), v = cfg.targetVocab();
            float[] logits = new float[s * b * v];
            for (int t = 0; t < s; t++) {
                for (int i = 0; i < b; i++) for (int j = 0; j < v; j++) logits[(t * b + i) * v + j] = model.logit(t, i, j);
            }
            PyTorchParityTest.assertClose(file, "logits", st.floats("logits"), logits);
            for (Parameter p : model.parameters()) {
                PyTorchParityTest.assertClose(file, "grad." + p.name(), st.floats("grad." + p.name()), p.grad().toArray());
            }
        }
    }
}
