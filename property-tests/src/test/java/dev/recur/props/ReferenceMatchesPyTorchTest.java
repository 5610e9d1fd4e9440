package dev.recur.props;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recur.layers.io.SafeTensors;
import dev.recur.props.reference.FiniteDifferences;
import dev.recur.props.reference.RefCell;
import dev.recur.props.reference.RefEmbedding;
import dev.recur.props.reference.RefHeads;
import dev.recur.props.reference.RefLinear;
import dev.recur.props.reference.RefPooling;
import dev.recur.props.reference.RefParam;
import dev.recur.props.reference.RefRecurrent;
import dev.recur.props.reference.RefTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds the double-precision reference itself to PyTorch: on every recurrent fixture written by
 * {@code layers/src/test/python/make_fixtures.py}, the reference's forward pass equals PyTorch's
 * outputs and final states, and centred finite differences of the fixture's loss on the reference
 * equal PyTorch's autograd gradients. So the spec the properties test Recur against is PyTorch's.
 */
class ReferenceMatchesPyTorchTest {

    static final Path FIXTURES = Path.of("..", "layers", "src", "test", "resources", "pytorch");

    static Stream<Path> recurrentFixtures() throws IOException {
        if (!Files.isDirectory(FIXTURES)) {
            fail("PyTorch fixtures not found at " + FIXTURES.toAbsolutePath()
                    + ": run the tests from the property-tests module folder (Maven does)");
        }
        try (Stream<Path> s = Files.list(FIXTURES)) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
            List<Path> rec = all.stream().filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("lstm_") || n.startsWith("gru_") || n.startsWith("rnn_");
            }).toList();
            assertTrue(rec.size() >= 28, "expected the 28 recurrent fixtures, found " + rec);
            return rec.stream();
        }
    }

    static RefCell cellOf(String label) {
        for (RefCell c : RefCell.values()) if (c.label.equals(label)) return c;
        throw new IllegalArgumentException("unknown cell '" + label + "' in fixture metadata");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recurrentFixtures")
    void referenceEqualsPyTorch(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        var m = st.metadata();
        RefCell cell = cellOf(m.get("cell"));
        int f = Integer.parseInt(m.get("input_size"));
        int h = Integer.parseInt(m.get("hidden_size"));
        int layers = Integer.parseInt(m.get("num_layers"));
        boolean bi = Boolean.parseBoolean(m.get("bidirectional"));
        int steps = Integer.parseInt(m.get("seq_len"));
        int batch = Integer.parseInt(m.get("batch"));
        int[] lengths = Arrays.stream(m.get("lengths").split(",")).mapToInt(Integer::parseInt).toArray();
        boolean init = Boolean.parseBoolean(m.get("initial_state"));
        RefRecurrent ref = new RefRecurrent(cell, f, h, layers, bi);
        int dirs = ref.directions();
        for (RefParam p : ref.parameters()) {
            double[] v = st.doubles(p.name());
            assertTrue(v.length == p.size(), p.name() + " has " + v.length + " values, expected " + p.size());
            System.arraycopy(v, 0, p.data(), 0, v.length);
        }
        double[] xFlat = st.doubles("input");
        double[][][] x = RefTensors.nest(xFlat, steps, batch, f);
        double[] h0Flat = init ? st.doubles("h0") : null;
        double[] c0Flat = init && cell.hasCellState() ? st.doubles("c0") : null;
        double[][][] gOut = RefTensors.nest(st.doubles("grad_output"), steps, batch, dirs * h);
        double[][][] gH = RefTensors.nest(st.doubles("grad_h_n"), layers * dirs, batch, h);
        double[][][] gC = cell.hasCellState() ? RefTensors.nest(st.doubles("grad_c_n"), layers * dirs, batch, h) : null;

        RefRecurrent.Result r = ref.forward(x, lengths, nestOrNull(h0Flat, layers * dirs, batch, h),
                nestOrNull(c0Flat, layers * dirs, batch, h));
        Tolerance.assertClose(file + " output", st.doubles("output"), RefTensors.flat(r.output()), 1e-6);
        Tolerance.assertClose(file + " h_n", st.doubles("h_n"), RefTensors.flat(r.hN()), 1e-6);
        if (cell.hasCellState()) Tolerance.assertClose(file + " c_n", st.doubles("c_n"), RefTensors.flat(r.cN()), 1e-6);

        DoubleSupplier loss = () -> {
            RefRecurrent.Result q = ref.forward(RefTensors.nest(xFlat, steps, batch, f), lengths,
                    nestOrNull(h0Flat, layers * dirs, batch, h), nestOrNull(c0Flat, layers * dirs, batch, h));
            double l = RefTensors.dot(q.output(), gOut) + RefTensors.dot(q.hN(), gH);
            return gC == null ? l : l + RefTensors.dot(q.cN(), gC);
        };
        for (RefParam p : ref.parameters()) {
            Tolerance.assertClose(file + " grad." + p.name(), st.doubles("grad." + p.name()),
                    FiniteDifferences.gradient(loss, p.data()), 1e-5);
        }
        Tolerance.assertClose(file + " grad.input", st.doubles("grad.input"), FiniteDifferences.gradient(loss, xFlat), 1e-5);
        if (init) {
            Tolerance.assertClose(file + " grad.h0", st.doubles("grad.h0"), FiniteDifferences.gradient(loss, h0Flat), 1e-5);
            if (c0Flat != null) {
                Tolerance.assertClose(file + " grad.c0", st.doubles("grad.c0"), FiniteDifferences.gradient(loss, c0Flat), 1e-5);
            }
        }
    }

    static Stream<Path> modelFixtures() throws IOException {
        try (Stream<Path> s = Files.list(FIXTURES)) {
            List<Path> all = s.filter(ReferenceMatchesPyTorchTest::isModelFixture).sorted().toList();
            assertTrue(all.size() >= 6, "expected the 6 classifier/labeler fixtures, found " + all);
            return all.stream();
        }
    }

    static boolean isModelFixture(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith("classifier_") || n.startsWith("labeler_");
    }

    /**
     * Embedding → recurrent stack → pooling → Linear → BCE / cross-entropy, or per-step Linear →
     * cross-entropy with ignore index: the reference's loss and finite-difference gradients of every
     * parameter equal PyTorch's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("modelFixtures")
    void referenceModelEqualsPyTorch(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        var m = st.metadata();
        boolean classifier = m.get("kind").equals("classifier");
        int vocab = Integer.parseInt(m.get("vocab_size"));
        int e = Integer.parseInt(m.get("embedding_dim"));
        int h = Integer.parseInt(m.get("hidden_size"));
        int layers = Integer.parseInt(m.get("num_layers"));
        boolean bi = Boolean.parseBoolean(m.get("bidirectional"));
        int outputs = Integer.parseInt(m.get("outputs"));
        int ignore = Integer.parseInt(m.get("ignore_index"));
        int steps = Integer.parseInt(m.get("seq_len"));
        int batch = Integer.parseInt(m.get("batch"));
        int[] lengths = Arrays.stream(m.get("lengths").split(",")).mapToInt(Integer::parseInt).toArray();
        RefPooling pooling = RefPooling.valueOf(m.get("pooling").toUpperCase(java.util.Locale.ROOT));
        RefEmbedding emb = new RefEmbedding("embedding.", vocab, e);
        RefRecurrent rnn = new RefRecurrent(cellOf(m.get("cell")), e, h, layers, bi);
        RefLinear fc = new RefLinear("fc.", rnn.outputSize(), outputs);
        List<RefParam> all = new java.util.ArrayList<>();
        all.add(emb.weight);
        for (RefParam p : rnn.parameters()) all.add(new RefParam("rnn." + p.name(), p.shape(), p.data()));
        all.add(fc.weight);
        all.add(fc.bias);
        for (RefParam p : all) System.arraycopy(st.doubles(p.name()), 0, p.data(), 0, p.size());
        double[] tok = st.doubles("tokens");
        int[][] ids = new int[steps][batch];
        for (int t = 0; t < steps; t++) for (int b = 0; b < batch; b++) ids[t][b] = (int) tok[t * batch + b];
        DoubleSupplier loss;
        if (classifier) {
            double[] labels = st.doubles("labels");
            int[] classes = Arrays.stream(labels).mapToInt(v -> (int) v).toArray();
            loss = () -> {
                double[][][] y = rnn.forward(emb.apply(ids), lengths, null, null).output();
                return outputs == 1 ? RefHeads.classifierBce(y, lengths, rnn.directions(), pooling, fc, labels)
                        : RefHeads.classifierCe(y, lengths, rnn.directions(), pooling, fc, classes);
            };
        } else {
            double[] tg = st.doubles("targets");
            int[][] tags = new int[steps][batch];
            for (int t = 0; t < steps; t++) for (int b = 0; b < batch; b++) tags[t][b] = (int) tg[t * batch + b];
            loss = () -> RefHeads.labeler(rnn.forward(emb.apply(ids), lengths, null, null).output(), lengths, fc, tags, ignore);
        }
        Tolerance.assertClose(file + " loss", st.doubles("loss"), new double[] {loss.getAsDouble()}, 1e-6);
        for (RefParam p : all) {
            Tolerance.assertClose(file + " grad." + p.name(), st.doubles("grad." + p.name()),
                    FiniteDifferences.gradient(loss, p.data()), 1e-5);
        }
    }

    private static double[][][] nestOrNull(double[] flat, int d0, int d1, int d2) {
        return flat == null ? null : RefTensors.nest(flat, d0, d1, d2);
    }
}
