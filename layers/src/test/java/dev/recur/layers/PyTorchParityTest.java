package dev.recur.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recur.engine.FloatMatrix;
import dev.recur.layers.io.SafeTensors;
import dev.recur.layers.rnn.CellType;
import dev.recur.layers.rnn.DirectionMerge;
import dev.recur.layers.rnn.RecurrentConfig;
import dev.recur.layers.rnn.RecurrentLayer;
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
 * Recur's recurrent layers against PyTorch 1.13, number by number.
 *
 * <p>Each fixture in {@code src/test/resources/pytorch/} was written by
 * {@code src/test/python/make_fixtures.py} from {@code torch.nn.LSTM/GRU/RNN} (see that script and
 * {@code docs/parity.md}). The test loads it through Recur's own safetensors reader, builds a
 * {@link RecurrentLayer} with the fixture's weights (PyTorch names), runs forward and backward with
 * the fixture's upstream gradients, and requires outputs, final states and the gradients of every
 * parameter, of the input and of the initial state to match within {@code 1e-5·max(1, |expected|)}.
 *
 * <p>Recur takes batches sorted by non-increasing length (as {@code enforce_sorted=True}); fixtures
 * with unsorted lengths are run the way a user runs them: sorted with
 * {@link RecurrentLayer#descendingOrder(int[])}, and the results put back in the original order.
 */
class PyTorchParityTest {

    static final double TOL = 1e-5;

    static Stream<Path> fixtures() throws IOException {
        Path dir = Path.of("src", "test", "resources", "pytorch");
        if (!Files.isDirectory(dir)) {
            fail("PyTorch fixtures not found at " + dir.toAbsolutePath() + " (run the tests from the layers module)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .filter(PyTorchParityTest::isLayerFixture).sorted().toList();
            assertEquals(28, all.size(), "expected 28 recurrent fixtures (4 cells × 7 shapes), found " + all);
            return all.stream();
        }
    }

    /**
     * Recurrent-layer fixtures are named after their cell ({@code lstm_*}, {@code gru_*},
     * {@code rnn_*}); whole models ({@code classifier_*}, {@code labeler_*}) and training steps
     * ({@code train_*}) have tests of their own.
     */
    static boolean isLayerFixture(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".safetensors") && (n.startsWith("lstm_") || n.startsWith("gru_") || n.startsWith("rnn_"));
    }

    static CellType cellOf(String label) {
        return switch (label) {
            case "lstm" -> CellType.LSTM;
            case "gru" -> CellType.GRU;
            case "rnn_tanh" -> CellType.RNN_TANH;
            case "rnn_relu" -> CellType.RNN_RELU;
            default -> throw new IllegalArgumentException("unknown cell '" + label + "' in fixture metadata");
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void layerMatchesPyTorch(Path file) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> m = st.metadata();
        CellType cell = cellOf(m.get("cell"));
        int f = Integer.parseInt(m.get("input_size"));
        int h = Integer.parseInt(m.get("hidden_size"));
        int layers = Integer.parseInt(m.get("num_layers"));
        boolean bi = Boolean.parseBoolean(m.get("bidirectional"));
        int steps = Integer.parseInt(m.get("seq_len"));
        int batch = Integer.parseInt(m.get("batch"));
        int[] lengths = Arrays.stream(m.get("lengths").split(",")).mapToInt(Integer::parseInt).toArray();
        boolean init = Boolean.parseBoolean(m.get("initial_state"));
        boolean lstm = cell.hasCellState();
        int dirs = bi ? 2 : 1;
        int states = layers * dirs;

        // Sort the batch by non-increasing length; order[i] = original index of sorted position i.
        int[] order = RecurrentLayer.descendingOrder(lengths);
        int[] sortedLengths = new int[batch];
        for (int i = 0; i < batch; i++) sortedLengths[i] = lengths[order[i]];

        RecurrentConfig cfg = RecurrentConfig.of(cell, f, h).withLayers(layers);
        if (bi) cfg = cfg.withBidirectional(DirectionMerge.CONCAT);
        try (Arena arena = Arena.ofConfined();
             RecurrentLayer layer = new RecurrentLayer("", cfg, steps, batch)) {
            for (Parameter p : layer.parameters()) {
                float[] v = st.floats(p.name());
                assertEquals(p.size(), v.length, "size of " + p.name());
                p.value().copyFrom(v);
            }
            layer.zeroGrad();
            FloatMatrix x = matrix(arena, permuteRows(st.floats("input"), steps, batch, f, order), steps * batch, f);
            FloatMatrix h0 = init ? matrix(arena, permuteRows(st.floats("h0"), states, batch, h, order), states * batch, h) : null;
            FloatMatrix c0 = init && lstm ? matrix(arena, permuteRows(st.floats("c0"), states, batch, h, order), states * batch, h) : null;

            // Inference mode first (no backward bookkeeping): the same outputs and states.
            FloatMatrix inferred = layer.forward(x, batch, sortedLengths, h0, c0, false);
            assertClose(file, "output (inference mode)", st.floats("output"),
                    unpermuteRows(inferred.toArray(), steps, batch, dirs * h, order));
            assertClose(file, "h_n (inference mode)", st.floats("h_n"),
                    unpermuteRows(layer.finalHidden().toArray(), states, batch, h, order));

            FloatMatrix out = layer.forward(x, batch, sortedLengths, h0, c0, true);
            assertClose(file, "output", st.floats("output"), unpermuteRows(out.toArray(), steps, batch, dirs * h, order));
            assertClose(file, "h_n", st.floats("h_n"), unpermuteRows(layer.finalHidden().toArray(), states, batch, h, order));
            if (lstm) {
                assertClose(file, "c_n", st.floats("c_n"), unpermuteRows(layer.finalCell().toArray(), states, batch, h, order));
            }

            FloatMatrix gOut = matrix(arena, permuteRows(st.floats("grad_output"), steps, batch, dirs * h, order), steps * batch, dirs * h);
            FloatMatrix gH = matrix(arena, permuteRows(st.floats("grad_h_n"), states, batch, h, order), states * batch, h);
            FloatMatrix gC = lstm ? matrix(arena, permuteRows(st.floats("grad_c_n"), states, batch, h, order), states * batch, h) : null;
            FloatMatrix dx = layer.backward(gOut, gH, gC);

            for (Parameter p : layer.parameters()) {
                assertClose(file, "grad." + p.name(), st.floats("grad." + p.name()), p.grad().toArray());
            }
            assertClose(file, "grad.input", st.floats("grad.input"), unpermuteRows(dx.toArray(), steps, batch, f, order));
            if (init) {
                assertClose(file, "grad.h0", st.floats("grad.h0"),
                        unpermuteRows(layer.gradInitialHidden().toArray(), states, batch, h, order));
                if (lstm) {
                    assertClose(file, "grad.c0", st.floats("grad.c0"),
                            unpermuteRows(layer.gradInitialCell().toArray(), states, batch, h, order));
                }
            }
        }
    }

    private static FloatMatrix matrix(Arena arena, float[] values, int rows, int cols) {
        return FloatMatrix.of(arena, rows, cols, values);
    }

    /** [outer][B][w] → same with batch position i holding original sequence order[i]. */
    static float[] permuteRows(float[] a, int outer, int batch, int w, int[] order) {
        float[] r = new float[a.length];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < batch; i++)
                System.arraycopy(a, (o * batch + order[i]) * w, r, (o * batch + i) * w, w);
        return r;
    }

    /** Inverse of {@link #permuteRows}. */
    static float[] unpermuteRows(float[] a, int outer, int batch, int w, int[] order) {
        float[] r = new float[a.length];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < batch; i++)
                System.arraycopy(a, (o * batch + i) * w, r, (o * batch + order[i]) * w, w);
        return r;
    }

    static void assertClose(Path file, String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, file.getFileName() + " " + what + ": element count");
        int worst = -1;
        double worstRatio = 1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            double ratio = err / (TOL * Math.max(1.0, Math.abs(expected[i])));
            if (!(ratio <= worstRatio)) {
                worst = i;
                worstRatio = Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio;
            }
        }
        if (worst >= 0) {
            fail(file.getFileName() + " " + what + ": element " + worst + " is " + actual[worst]
                    + ", PyTorch has " + expected[worst] + " (difference "
                    + Math.abs((double) actual[worst] - expected[worst]) + " > " + TOL + "·max(1,|expected|))");
        }
    }
}
