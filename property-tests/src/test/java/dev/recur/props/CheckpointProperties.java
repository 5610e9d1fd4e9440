package dev.recur.props;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.Pooling;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.io.SafeTensorsWriter;
import dev.recur.layers.model.Batch;
import dev.recur.layers.model.Checkpoint;
import dev.recur.layers.model.ModelConfig;
import dev.recur.layers.model.SequenceClassifier;
import dev.recur.layers.model.SequenceModel;
import dev.recur.layers.Parameter;
import dev.recur.layers.rnn.CellType;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** A checkpoint round trip changes nothing: tensors, metadata, model weights and outputs. */
class CheckpointProperties {

    record Tensor(String name, int rows, int cols, float[] values) {}

    @Provide
    Arbitrary<List<Tensor>> tensors() {
        Arbitrary<Tensor> t = Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').withChars('.', '_', '"', '\\', 'é', '☃').ofMinLength(1).ofMaxLength(12),
                Arbitraries.integers().between(1, 5), Arbitraries.integers().between(1, 7), Arbitraries.longs())
                .as((name, r, c, seed) -> {
                    float[] v = new float[r * c];
                    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
                    for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(rng.nextInt()); // any bits, NaNs included
                    return new Tensor(name, r, c, v);
                });
        return t.list().ofMinSize(0).ofMaxSize(6).uniqueElements(Tensor::name);
    }

    @Provide
    Arbitrary<Map<String, String>> metadata() {
        return Arbitraries.maps(Arbitraries.strings().ofMinLength(1).ofMaxLength(10),
                Arbitraries.strings().ofMaxLength(30)).ofMaxSize(4)
                .filter(m -> !m.containsKey("__metadata__"));
    }

    @Property(tries = 150)
    boolean safetensorsRoundTripIsBitExact(@ForAll("tensors") List<Tensor> tensors, @ForAll("metadata") Map<String, String> meta)
            throws Exception {
        Path dir = Files.createTempDirectory("ckpt-prop");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter w = new SafeTensorsWriter().metadata(meta);
            for (Tensor t : tensors) w.put(t.name(), FloatMatrix.of(arena, t.rows(), t.cols(), t.values()));
            Path f = dir.resolve("t.safetensors");
            w.write(f);
            SafeTensors st = SafeTensors.read(f);
            if (!st.metadata().equals(new LinkedHashMap<>(meta))) return false;
            if (st.names().size() != tensors.size()) return false;
            for (Tensor t : tensors) {
                float[] back = st.floats(t.name());
                if (back.length != t.values().length) return false;
                for (int i = 0; i < back.length; i++) {
                    if (Float.floatToRawIntBits(back[i]) != Float.floatToRawIntBits(t.values()[i])) return false;
                }
                if (!Arrays.equals(st.info(t.name()).shape(), new long[] {t.rows(), t.cols()})) return false;
            }
            return true;
        } finally {
            try (var s = Files.list(dir)) { for (Path p : s.toList()) Files.delete(p); }
            Files.delete(dir);
        }
    }

    @Property(tries = 12)
    boolean modelRoundTripKeepsWeightsAndOutputs(@ForAll("cells") CellType cell, @ForAll boolean bidirectional,
                                                 @ForAll @IntRange(min = 1, max = 2) int layers,
                                                 @ForAll @IntRange(min = 1, max = 3) int outputs,
                                                 @ForAll("pools") Pooling pool, @ForAll long seed) throws Exception {
        int v = 9, t = 4, b = 3;
        ModelConfig cfg = ModelConfig.defaults(cell, v).withEmbedDim(3).withHidden(4).withLayers(layers)
                .withBidirectional(bidirectional).withOutputs(outputs).withPool(pool);
        Batch batch = new Batch(t, b).reset(t, b);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int s = 0; s < b; s++) {
            batch.lengths()[s] = 1 + r.nextInt(t);
            for (int i = 0; i < t; i++) batch.setToken(i, s, r.nextInt(v));
        }
        Path dir = Files.createTempDirectory("model-prop");
        Path f = dir.resolve("m.safetensors");
        try (SequenceClassifier m = new SequenceClassifier(cfg, seed, t, b)) {
            float[] before = m.logits(batch).toArray();
            Checkpoint.save(f, m, null, Map.of());
            try (SequenceModel back = Checkpoint.load(f, t, b)) {
                if (!((SequenceClassifier) back).config().equals(cfg)) return false;
                List<Parameter> a = m.parameters(), c = back.parameters();
                for (int i = 0; i < a.size(); i++) {
                    if (!a.get(i).name().equals(c.get(i).name())) return false;
                    if (!Arrays.equals(a.get(i).value().toArray(), c.get(i).value().toArray())) return false;
                }
                return Arrays.equals(before, ((SequenceClassifier) back).logits(batch).toArray());
            }
        } finally {
            Files.deleteIfExists(f);
            Files.delete(dir);
        }
    }

    @Provide
    Arbitrary<CellType> cells() { return Arbitraries.of(CellType.class); }

    @Provide
    Arbitrary<Pooling> pools() { return Arbitraries.of(Pooling.class); }

    /** The tagger (several features) and the stateful language model come back from a checkpoint with the same weights and outputs. */
    @Property(tries = 12)
    boolean taggerAndLanguageModelRoundTrip(@ForAll("cells") CellType cell, @ForAll @IntRange(min = 1, max = 3) int features,
                                            @ForAll @IntRange(min = 1, max = 2) int layers, @ForAll boolean languageModel,
                                            @ForAll long seed) throws Exception {
        int t = 4, b = 3;
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        List<dev.recur.layers.model.TaggerConfig.Feature> fs = new java.util.ArrayList<>();
        for (int k = 0; k < features; k++) fs.add(new dev.recur.layers.model.TaggerConfig.Feature("f" + k, 3 + r.nextInt(6), 1 + r.nextInt(3), k == 0 ? 0 : -1));
        Batch batch = new Batch(t, b, features).reset(t, b);
        for (int s = 0; s < b; s++) {
            if (!languageModel) batch.lengths()[s] = 1 + r.nextInt(t);
            for (int i = 0; i < t; i++) {
                for (int k = 0; k < features; k++) batch.feature(k)[i * b + s] = r.nextInt(fs.get(k).vocabSize());
            }
        }
        Path dir = Files.createTempDirectory("model-prop");
        Path f = dir.resolve("m.safetensors");
        try (SequenceModel m = languageModel
                ? new dev.recur.layers.model.CharLanguageModel(new dev.recur.layers.model.LanguageModelConfig(cell, 5, 2, 3, layers, 0.1f), seed, t, b)
                : new dev.recur.layers.model.SequenceTagger(new dev.recur.layers.model.TaggerConfig(fs, cell, 3, layers, true, 0.1f, 0.1f, 0.1f, 4, "rnn"), seed, t, b)) {
            if (languageModel) for (int i = 0; i < t * b; i++) batch.tokens()[i] %= 5;
            Checkpoint.save(f, m, null, Map.of());
            float[] before = logits(m, batch);
            try (SequenceModel back = Checkpoint.load(f, t, b)) {
                if (!back.kind().equals(m.kind()) || !back.configMetadata().equals(m.configMetadata())) return false;
                List<Parameter> a = m.parameters(), c = back.parameters();
                if (a.size() != c.size()) return false;
                for (int i = 0; i < a.size(); i++) {
                    if (!a.get(i).name().equals(c.get(i).name())) return false;
                    if (!Arrays.equals(a.get(i).value().toArray(), c.get(i).value().toArray())) return false;
                }
                return Arrays.equals(before, logits(back, batch));
            }
        } finally {
            Files.deleteIfExists(f);
            Files.delete(dir);
        }
    }

    private static float[] logits(SequenceModel m, Batch batch) {
        return switch (m) {
            case dev.recur.layers.model.CharLanguageModel lm -> { lm.resetState(); yield lm.logits(batch).toArray(); }
            case dev.recur.layers.model.SequenceTagger tg -> tg.logits(batch).toArray();
            default -> throw new IllegalArgumentException(m.kind());
        };
    }
}
