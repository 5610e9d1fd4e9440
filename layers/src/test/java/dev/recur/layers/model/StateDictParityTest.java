package dev.recur.layers.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.recur.layers.Parameter;
import dev.recur.layers.Pooling;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsException;
import dev.recur.layers.io.SafeTensorsWriter;
import dev.recur.layers.io.TensorInfo;
import dev.recur.layers.rnn.CellType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checkpoints against PyTorch's {@code state_dict()}, both ways, on the {@code state_dict_*}
 * fixtures of {@code make_fixtures.py} (the PyTorch module of each model kind, its submodules named
 * as Recur names them): a Recur checkpoint holds exactly PyTorch's names, in PyTorch's order, with
 * PyTorch's shapes (so {@code load_state_dict(strict=True)} takes it as it is), and PyTorch's tensors
 * load into the Recur model strictly and unchanged.
 */
class StateDictParityTest {
    @TempDir
    Path dir;

    static Stream<Path> fixtures() throws IOException {
        Path d = Path.of("src", "test", "resources", "pytorch");
        try (Stream<Path> s = Files.list(d)) {
            List<Path> all = s.filter(p -> p.getFileName().toString().startsWith("state_dict_")).sorted().toList();
            assertEquals(5, all.size(), "state-dict fixtures: " + all);
            return all.stream();
        }
    }

    /** The Recur model a fixture's metadata describes. */
    static SequenceModel modelFor(Map<String, String> m) {
        CellType cell = ModelConfig.parseCell(m.get("cell"));
        int hidden = Integer.parseInt(m.get("hidden_size")), layers = Integer.parseInt(m.get("num_layers"));
        return switch (m.get("kind")) {
            case "classifier" -> new SequenceClassifier(new ModelConfig(cell, Integer.parseInt(m.get("vocab_size")),
                    Integer.parseInt(m.get("embedding_dim")), hidden, layers, Boolean.parseBoolean(m.get("bidirectional")),
                    Pooling.LAST, 0f, 0f, Integer.parseInt(m.get("outputs")), Integer.parseInt(m.get("padding_idx")), false, false),
                    1, 4, 2);
            case "tagger" -> {
                List<TaggerConfig.Feature> fs = new ArrayList<>();
                for (String f : m.get("features").split(",")) {
                    String[] p = f.split(":");
                    fs.add(new TaggerConfig.Feature(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3])));
                }
                yield new SequenceTagger(new TaggerConfig(fs, cell, hidden, layers, Boolean.parseBoolean(m.get("bidirectional")),
                        0f, 0f, 0f, Integer.parseInt(m.get("outputs")), m.get("rnn_name")), 1, 4, 2);
            }
            case "char_lm" -> new CharLanguageModel(new LanguageModelConfig(cell, Integer.parseInt(m.get("vocab_size")),
                    Integer.parseInt(m.get("embedding_dim")), hidden, layers, 0f), 1, 4, 2);
            default -> throw new AssertionError("unknown kind " + m.get("kind"));
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void recurWritesPyTorchsNamesOrderAndShapes(Path fixture) throws IOException {
        SafeTensors torch = SafeTensors.read(fixture);
        List<String> torchOrder = Arrays.asList(torch.metadata().get("state_dict_order").split(","));
        Path f = dir.resolve("recur.safetensors");
        try (SequenceModel model = modelFor(torch.metadata())) {
            Checkpoint.save(f, model, null, Map.of());
        }
        SafeTensors recur = SafeTensors.read(f);
        assertEquals(torchOrder, new ArrayList<>(recur.names()), "tensor names and order of the Recur checkpoint");
        for (String name : torchOrder) {
            TensorInfo expected = torch.info(name), actual = recur.info(name);
            assertArrayEquals(expected.shape(), actual.shape(), name + ": PyTorch " + expected.shapeText()
                    + ", Recur " + actual.shapeText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void pyTorchsStateDictLoadsIntoRecurUnchanged(Path fixture) throws IOException {
        SafeTensors torch = SafeTensors.read(fixture);
        try (SequenceModel model = modelFor(torch.metadata())) {
            Checkpoint.loadStateDict(torch, model.parameters());
            for (Parameter p : model.parameters()) {
                assertArrayEquals(torch.floats(p.name()), p.value().toArray(), p.name());
            }
        }
    }

    @Test
    void olderCheckpointsWithTwoDimensionalBiasesStillLoad() throws IOException {
        try (SequenceModel a = modelFor(SafeTensors.read(fixtures().findFirst().orElseThrow()).metadata());
             SequenceModel b = modelFor(SafeTensors.read(fixtures().findFirst().orElseThrow()).metadata())) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            for (Parameter p : a.parameters()) w.put(p.name(), p.value());   // [1, n] biases, as before
            Path f = dir.resolve("old.safetensors");
            w.write(f);
            SafeTensors st = SafeTensors.read(f);
            assertArrayEquals(new long[] {1, a.parameter("fc.bias").cols()}, st.info("fc.bias").shape());
            for (Parameter p : b.parameters()) p.value().fill(0f);
            Checkpoint.loadStateDict(st, b.parameters());
            for (int i = 0; i < a.parameters().size(); i++) {
                assertArrayEquals(a.parameters().get(i).value().toArray(), b.parameters().get(i).value().toArray());
            }
        }
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensorAndChangeNothing() throws IOException {
        ModelConfig cfg = SequenceModelTest.config(CellType.GRU);
        Path f = dir.resolve("nan.safetensors");
        try (SequenceClassifier m = new SequenceClassifier(cfg, 3, 4, 2)) {
            m.parameter("rnn.weight_hh_l0").value().set(1, 2, Float.NaN);
            m.parameter("fc.bias").value().set(0, 0, Float.POSITIVE_INFINITY);
            Checkpoint.save(f, m, null, Map.of());
        }
        String msg = assertThrows(SafeTensorsException.class, () -> Checkpoint.load(f, 4, 2)).getMessage();
        assertTrue(msg.contains("rnn.weight_hh_l0") && msg.contains("1 NaN") && msg.contains("nan.safetensors"), msg);
        try (SequenceClassifier m = new SequenceClassifier(cfg, 3, 4, 2)) {
            float[] before = m.parameter("embedding.weight").value().toArray();
            SafeTensors st = SafeTensors.read(f);
            assertThrows(SafeTensorsException.class, () -> Checkpoint.loadWeights(st, m));
            assertArrayEquals(before, m.parameter("embedding.weight").value().toArray(), "a refused load changes nothing");
        }
    }
}
