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
            List<Path> rec = all.stream().filter(p -> !p.getFileName().toString().startsWith("classifier")).toList();
            assertTrue(rec.size() >= 16, "expected the 24 recurrent fixtures, found " + rec);
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

    /** Embedding → LSTM → last valid step → Linear(1) → BCEWithLogits: loss and every gradient. */
    @org.junit.jupiter.api.Test
    void referenceClassifierEqualsPyTorch() throws IOException {
        Path file = FIXTURES.resolve("classifier_lstm.safetensors");
        SafeTensors st = SafeTensors.read(file);
        var m = st.metadata();
        int vocab = Integer.parseInt(m.get("vocab_size"));
        int e = Integer.parseInt(m.get("embedding_dim"));
        int h = Integer.parseInt(m.get("hidden_size"));
        int steps = Integer.parseInt(m.get("seq_len"));
        int batch = Integer.parseInt(m.get("batch"));
        int[] lengths = Arrays.stream(m.get("lengths").split(",")).mapToInt(Integer::parseInt).toArray();
        RefEmbedding emb = new RefEmbedding("embedding.", vocab, e);
        RefRecurrent lstm = new RefRecurrent(RefCell.LSTM, e, h, 1, false);
        RefLinear fc = new RefLinear("fc.", h, 1);
        System.arraycopy(st.doubles("embedding.weight"), 0, emb.weight.data(), 0, emb.weight.size());
        for (RefParam p : lstm.parameters()) System.arraycopy(st.doubles("lstm." + p.name()), 0, p.data(), 0, p.size());
        System.arraycopy(st.doubles("fc.weight"), 0, fc.weight.data(), 0, fc.weight.size());
        System.arraycopy(st.doubles("fc.bias"), 0, fc.bias.data(), 0, fc.bias.size());
        double[] tok = st.doubles("tokens");
        int[][] ids = new int[steps][batch];
        for (int t = 0; t < steps; t++) for (int b = 0; b < batch; b++) ids[t][b] = (int) tok[t * batch + b];
        double[] labels = st.doubles("labels");
        DoubleSupplier loss = () -> RefHeads.classifierBce(lstm.forward(emb.apply(ids), lengths, null, null).output(),
                lengths, 1, RefPooling.LAST, fc, labels);
        Tolerance.assertClose("classifier loss", st.doubles("loss"), new double[] {loss.getAsDouble()}, 1e-6);
        Tolerance.assertClose("grad.embedding.weight", st.doubles("grad.embedding.weight"),
                FiniteDifferences.gradient(loss, emb.weight.data()), 1e-5);
        for (RefParam p : lstm.parameters()) {
            Tolerance.assertClose("grad.lstm." + p.name(), st.doubles("grad.lstm." + p.name()),
                    FiniteDifferences.gradient(loss, p.data()), 1e-5);
        }
        Tolerance.assertClose("grad.fc.weight", st.doubles("grad.fc.weight"), FiniteDifferences.gradient(loss, fc.weight.data()), 1e-5);
        Tolerance.assertClose("grad.fc.bias", st.doubles("grad.fc.bias"), FiniteDifferences.gradient(loss, fc.bias.data()), 1e-5);
    }

    private static double[][][] nestOrNull(double[] flat, int d0, int d1, int d2) {
        return flat == null ? null : RefTensors.nest(flat, d0, d1, d2);
    }
}
